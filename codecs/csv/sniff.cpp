#include "sluice/codecs/csv/sniff.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "csv/assemble.hpp"

namespace sluice::csv {
namespace {

struct Score {
  double consistency = 0;  // share of rows with the most common field count
  std::size_t fields = 0;  // that count
  std::size_t rows = 0;    // rows with it
  bool valid = false;
};

Score score(std::string_view sample, const Dialect& d, bool at_eof) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(sample.data());
  std::unique_ptr<std::uint32_t[]> pos(new std::uint32_t[sample.size() + 64]);
  std::size_t n;
  if (detail::simd_dialect(d)) {  // the SIMD kernels need padding: scan a padded copy
    std::string padded(sample);
    padded.append(detail::kPadding, '\0');
    detail::ScanState st;
    n = detail::active_kernel().scan(reinterpret_cast<const std::uint8_t*>(padded.data()), sample.size(),
                                     static_cast<std::uint8_t>(d.delimiter), static_cast<std::uint8_t>(d.quote), 0,
                                     pos.get(), st);
  } else {
    detail::GeneralState st;
    n = detail::scan_general(data, sample.size(), d, 0, pos.get(), st);
  }
  // An unterminated quote at the end does not disqualify a quote character: the reader reports it.
  std::map<std::size_t, std::size_t> counts;
  std::size_t nf = 0, total = 0;
  std::uint32_t field_start = 0, row_start = 0;
  detail::LineTracker lines;
  constexpr std::size_t kMaxRows = 500;
  for (std::size_t i = 0; i < n && total < kMaxRows; ++i) {
    const std::uint32_t p = pos[i];
    const std::uint8_t c = data[p];
    if (c != '\n' && c != '\r') {
      ++nf;
      field_start = p + 1;
      continue;
    }
    const detail::LineEnd kind = lines.classify(data, p, nf, field_start, row_start, d.comment);
    if (kind == detail::LineEnd::kCrlfTail) {
      field_start = row_start = p + 1;
      continue;
    }
    if (kind == detail::LineEnd::kRow) {
      ++counts[nf + 1];
      ++total;
    }
    nf = 0;
    field_start = row_start = p + 1;
  }
  if (at_eof && field_start < sample.size() && total < kMaxRows) {  // a last row without a line end
    ++counts[nf + 1];
    ++total;
  }
  if (total == 0) return {};
  auto best = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  Score s;
  s.fields = best->first;
  s.rows = best->second;
  s.consistency = static_cast<double>(best->second) / static_cast<double>(total);
  s.valid = true;
  return s;
}

}  // namespace

Dialect sniff_dialect(std::string_view sample, const ReadOptions& o, bool at_eof) {
  // A few hundred rows decide; more text only costs time (12 candidates are scanned).
  constexpr std::size_t kMaxSample = 64 << 10;
  if (sample.size() > kMaxSample) {
    sample = sample.substr(0, kMaxSample);
    at_eof = false;
  }
  Dialect base;
  base.escape = o.escape.value_or('\0');
  base.comment = o.comment.value_or('\0');
  base.header = o.header.value_or(true);
  const std::vector<char> delims = o.delimiter ? std::vector<char>{*o.delimiter} : std::vector<char>{',', ';', '\t', '|'};
  const std::vector<char> quotes = o.quote ? std::vector<char>{*o.quote} : std::vector<char>{'"', '\'', '\0'};
  Dialect best = base;
  best.delimiter = delims.front();
  best.quote = quotes.front();
  Score best_score;
  for (char q : quotes) {
    for (char d : delims) {
      Dialect cand = base;
      cand.delimiter = d;
      cand.quote = q;
      if (cand.escape == q) cand.escape = '\0';  // escaping the quote by itself is RFC 4180's doubling
      const Score s = score(sample, cand, at_eof);
      if (!s.valid) continue;
      // Prefer: more than one field, then consistency, then more fields; earlier candidates win ties
      // (comma before semicolon, double quote before single quote before none).
      auto key = [](const Score& x) {
        return std::make_tuple(x.fields > 1, x.consistency, x.fields);
      };
      if (!best_score.valid || key(s) > key(best_score)) {
        best_score = s;
        best = cand;
      }
    }
  }
  return best;
}

}  // namespace sluice::csv
