// libFuzzer target for the Parquet value decoders (codecs/parquet/encoding/).
// Input: byte 0 picks the decoder, byte 1 its parameter (bit width, value width, dictionary size,
// batch schedule seed), the rest is the page. For every decoder:
//   - decoding must not crash, hang or read outside the page (the replay copies input to an exact
//     allocation so AddressSanitizer sees overreads);
//   - decoding up to kCap values in one batch and in many small batches (with skips mixed in) must
//     agree: same values at every position not skipped, same count, and an error in one iff the other;
//   - where an encoding's end is computable, it agrees with where decoding stopped.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "parquet/encoding/encoding.hpp"

namespace pq = sluice::parquet;

namespace {

constexpr std::size_t kCap = 1 << 14;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "parquet_encoding_fuzz: %s\n", what);
  std::fflush(stderr);
  std::abort();
}

void check(bool cond, const char* what) {
  if (!cond) fail(what);
}

// Batch sizes and skip decisions, the same for a given input.
struct Schedule {
  std::uint64_t state;
  std::size_t next(std::size_t max) {
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<std::size_t>(z % max);
  }
};

// Runs `get(out, n) -> Result<size_t>` once for kCap values and then in small batches with
// `skip(n)` mixed in, and compares.
template <class T, class Reset, class Get, class Skip>
void compare_batches(Reset reset, Get get, Skip skip, Schedule sched) {
  std::vector<T> one(kCap);
  reset();
  auto r1 = get(one.data(), kCap);
  reset();
  std::vector<T> many(kCap);
  std::vector<bool> skipped(kCap, false);
  std::size_t total = 0;
  bool many_error = false;
  while (total < kCap) {
    const std::size_t k = std::min(kCap - total, sched.next(100) + 1);
    const bool do_skip = sched.next(4) == 0;
    auto r = do_skip ? skip(k) : get(many.data() + total, k);
    if (!r.ok()) {
      many_error = true;
      break;
    }
    if (do_skip) {
      for (std::size_t i = 0; i < *r; ++i) skipped[total + i] = true;
    }
    total += *r;
    if (*r < k) break;
  }
  check(r1.ok() != many_error, "one batch and many batches disagree about an error");
  if (!r1.ok()) return;
  check(*r1 == total, "one batch and many batches decode different counts");
  for (std::size_t i = 0; i < total; ++i) {
    if (!skipped[i] && !(one[i] == many[i])) fail("one batch and many batches decode different values");
  }
}

void fuzz_rle(const std::uint8_t* page, std::size_t size, int width, Schedule sched) {
  pq::RleBitPackedDecoder d;
  auto reset = [&] {
    if (!d.reset(page, size, width, 2).ok()) fail("reset refused a valid width");
  };
  compare_batches<std::uint32_t>(reset, [&](std::uint32_t* o, std::size_t n) { return d.get_batch(o, n); },
                                 [&](std::size_t n) { return d.skip(n); }, sched);
  if (width <= 16) {
    compare_batches<std::int16_t>(reset, [&](std::int16_t* o, std::size_t n) { return d.get_batch(o, n); },
                                  [&](std::size_t n) { return d.skip(n); }, sched);
  }
}

void fuzz_dictionary_indices(const std::uint8_t* page, std::size_t size, std::uint32_t dict_size, Schedule sched) {
  std::vector<std::uint64_t> dict(dict_size);
  for (std::uint32_t i = 0; i < dict_size; ++i) dict[i] = i * 0x9E3779B97F4A7C15ull;
  pq::RleBitPackedDecoder d;
  if (!pq::reset_dictionary_indices(d, page, size, 2).ok()) return;
  std::vector<std::uint64_t> fused(kCap);
  auto r1 = d.gather(dict.data(), dict_size, fused.data(), kCap);
  (void)pq::reset_dictionary_indices(d, page, size, 2);
  std::vector<std::uint32_t> idx(kCap);
  std::size_t total = 0;
  bool many_error = false;
  while (total < kCap) {
    const std::size_t k = std::min(kCap - total, sched.next(100) + 1);
    auto r = d.get_indices(idx.data() + total, k, dict_size);
    if (!r.ok()) {
      many_error = true;
      break;
    }
    total += *r;
    if (*r < k) break;
  }
  check(r1.ok() != many_error, "gather and get_indices disagree about an error");
  if (!r1.ok()) return;
  check(*r1 == total, "gather and get_indices decode different counts");
  for (std::size_t i = 0; i < total; ++i) check(fused[i] == dict[idx[i]], "gather differs from the indices");
}

void fuzz_booleans(const std::uint8_t* page, std::size_t size, Schedule sched) {
  auto lp = pq::read_length_prefixed(page, size, 2);
  if (!lp.ok()) return;
  pq::RleBooleanDecoder d;
  std::vector<std::uint8_t> one(kCap / 8 + 1, 0), many(kCap / 8 + 1, 0);
  d.reset(lp->data, lp->size);
  auto r1 = d.get_batch(one.data(), 0, kCap);
  d.reset(lp->data, lp->size);
  std::size_t total = 0;
  bool many_error = false;
  std::vector<bool> skipped(kCap, false);
  while (total < kCap) {
    const std::size_t k = std::min(kCap - total, sched.next(100) + 1);
    const bool do_skip = sched.next(4) == 0;
    auto r = do_skip ? d.skip(k) : d.get_batch(many.data(), static_cast<std::int64_t>(total), k);
    if (!r.ok()) {
      many_error = true;
      break;
    }
    if (do_skip) {
      for (std::size_t i = 0; i < *r; ++i) skipped[total + i] = true;
    }
    total += *r;
    if (*r < k) break;
  }
  check(r1.ok() != many_error, "booleans: one batch and many batches disagree about an error");
  if (!r1.ok()) return;
  check(*r1 == total, "booleans: different counts");
  for (std::size_t i = 0; i < total; ++i) {
    if (!skipped[i]) {
      check(sluice::bit::get(one.data(), static_cast<std::int64_t>(i)) == sluice::bit::get(many.data(), static_cast<std::int64_t>(i)),
            "booleans: different bits");
    }
  }
}

void fuzz_legacy(const std::uint8_t* page, std::size_t size, int width, Schedule sched) {
  const std::uint64_t n = width == 0 ? size : size * 8 / static_cast<std::size_t>(width);
  pq::LegacyBitPackedDecoder d;
  auto reset = [&] {
    if (!d.reset(page, size, width, n).ok()) fail("BIT_PACKED refused a count that fits");
  };
  compare_batches<std::uint32_t>(reset, [&](std::uint32_t* o, std::size_t k) { return d.get_batch(o, k); },
                                 [&](std::size_t k) { return d.skip(k); }, sched);
  check(!d.reset(page, size, width, n + 8).ok() || width == 0, "BIT_PACKED accepted a count past the data");
}

void fuzz_plain_fixed(const std::uint8_t* page, std::size_t size, std::size_t width, Schedule sched) {
  const std::size_t n = size / width;
  pq::PlainDecoder d;
  d.reset(page, size, 2);
  std::vector<std::uint8_t> one(n * width + 1), many(n * width + 1);
  check(d.get_fixed(one.data(), n, width).ok(), "PLAIN refused values that fit");
  check(!d.get_fixed(one.data(), 1, width).ok(), "PLAIN read past the page");
  d.reset(page, size, 2);
  std::size_t total = 0;
  while (total < n) {
    const std::size_t k = std::min(n - total, sched.next(100) + 1);
    if (sched.next(4) == 0) {
      check(d.skip_fixed(k, width).ok(), "PLAIN skip refused values that fit");
      std::memcpy(many.data() + total * width, one.data() + total * width, k * width);
    } else {
      check(d.get_fixed(many.data() + total * width, k, width).ok(), "PLAIN refused values that fit");
    }
    total += k;
  }
  check(one == many, "PLAIN: batches differ");
}

void fuzz_plain_booleans(const std::uint8_t* page, std::size_t size, Schedule sched) {
  const std::size_t n = size * 8;
  pq::PlainDecoder d;
  d.reset(page, size, 2);
  std::vector<std::uint8_t> one(size + 2, 0), many(size + 2, 0);
  check(d.get_booleans(one.data(), 3, n).ok(), "PLAIN booleans refused bits that fit");
  check(!d.get_booleans(one.data(), 0, 1).ok(), "PLAIN booleans read past the page");
  d.reset(page, size, 2);
  std::size_t total = 0;
  while (total < n) {
    const std::size_t k = std::min(n - total, sched.next(100) + 1);
    if (sched.next(4) == 0) {
      check(d.skip_booleans(k).ok(), "PLAIN booleans skip refused");
      pq::copy_bits(one.data(), 3 + static_cast<std::int64_t>(total), many.data(), 3 + static_cast<std::int64_t>(total),
                    static_cast<std::int64_t>(k));
    } else {
      check(d.get_booleans(many.data(), 3 + static_cast<std::int64_t>(total), k).ok(), "PLAIN booleans refused");
    }
    total += k;
  }
  check(one == many, "PLAIN booleans: batches differ");
}

void fuzz_plain_byte_arrays(const std::uint8_t* page, std::size_t size, Schedule sched) {
  // Count the values that parse, one at a time.
  pq::PlainDecoder d;
  d.reset(page, size, 2);
  std::vector<pq::ByteArrayView> views;
  while (views.size() < kCap) {
    pq::ByteArrayView v;
    if (!d.get_byte_array_views(&v, 1).ok()) break;
    views.push_back(v);
  }
  const bool all = d.remaining() == 0;
  d.reset(page, size, 2);
  pq::BinaryOut one;
  check(d.get_byte_arrays(one, views.size()).ok(), "PLAIN byte arrays refused values that parse");
  if (all) check(!d.get_byte_arrays(one, 1).ok(), "PLAIN byte arrays read past the page");
  d.reset(page, size, 2);
  pq::BinaryOut many;
  std::size_t total = 0;
  while (total < views.size()) {
    const std::size_t k = std::min(views.size() - total, sched.next(50) + 1);
    check(d.get_byte_arrays(many, k).ok(), "PLAIN byte arrays refused in batches");
    total += k;
  }
  check(one.length() == static_cast<std::int64_t>(views.size()) && many.length() == one.length(), "PLAIN byte arrays: counts");
  for (std::size_t i = 0; i < views.size(); ++i) {
    const auto a = one.value(static_cast<std::int64_t>(i));
    check(a == many.value(static_cast<std::int64_t>(i)) && a == views[i].as_string_view(), "PLAIN byte arrays differ");
  }
}

template <class T>
void fuzz_delta(const std::uint8_t* page, std::size_t size, Schedule sched) {
  pq::DeltaBinaryPackedDecoder<T> d;
  if (!d.reset(page, size, 2).ok()) return;
  auto reset = [&] {
    if (!d.reset(page, size, 2).ok()) fail("DELTA reset changed its mind");
  };
  compare_batches<T>(reset, [&](T* o, std::size_t n) { return d.get_batch(o, n); },
                     [&](std::size_t n) { return d.skip(n); }, sched);
  // Where decoding everything ends is where the header walk says the encoding ends.
  reset();
  if (d.total_count() <= kCap) {
    std::vector<T> out(d.total_count());
    auto got = d.get_batch(out.data(), out.size());
    auto len = d.encoded_length();
    check(got.ok() == len.ok(), "DELTA: decoding and encoded_length disagree about an error");
    if (got.ok()) check(*len == d.bytes_consumed(), "DELTA: encoded_length differs from the bytes decoded");
  }
}

struct BinaryValues {
  std::vector<std::string> values;
  bool error = false;
  bool limit = false;  // the output limit stopped it: one big batch may meet it where small ones do not
};

// Decodes byte arrays batch by batch into fresh outputs (get(out, k) -> Result<size_t>).
template <class Get, class Skip>
BinaryValues binary_batches(Get get, Skip skip, Schedule* sched, bool one) {
  BinaryValues r;
  std::size_t total = 0;
  while (total < kCap) {
    const std::size_t k = one ? kCap : std::min(kCap - total, sched->next(100) + 1);
    const bool do_skip = !one && sched->next(4) == 0;
    pq::BinaryOut out(std::int64_t{1} << 26);
    auto got = do_skip ? skip(k) : get(out, k);
    if (!got.ok()) {
      r.error = true;
      r.limit = got.error().code() == sluice::ErrorCode::kLimitExceeded;
      return r;
    }
    if (do_skip) {
      for (std::size_t i = 0; i < *got; ++i) r.values.emplace_back("<skipped>");
    } else {
      for (std::int64_t i = 0; i < out.length(); ++i) r.values.emplace_back(out.value(i));
    }
    total += *got;
    if (*got < k) break;
  }
  return r;
}

void compare_binary(const BinaryValues& a, const BinaryValues& b) {
  if (a.limit || b.limit) return;
  check(a.error == b.error, "byte arrays: one batch and many batches disagree about an error");
  if (a.error) return;
  check(a.values.size() == b.values.size(), "byte arrays: different counts");
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (b.values[i] != "<skipped>") check(a.values[i] == b.values[i], "byte arrays: different values");
  }
}

void fuzz_delta_length(const std::uint8_t* page, std::size_t size, Schedule sched) {
  pq::DeltaLengthByteArrayDecoder d;
  if (!d.reset(page, size, 2).ok()) return;
  auto get = [&](pq::BinaryOut& o, std::size_t k) { return d.get_batch(o, k); };
  auto skip = [&](std::size_t k) { return d.skip(k); };
  const auto one = binary_batches(get, skip, &sched, true);
  (void)d.reset(page, size, 2);
  const auto many = binary_batches(get, skip, &sched, false);
  compare_binary(one, many);
  // Views agree with the copies.
  (void)d.reset(page, size, 2);
  std::vector<pq::ByteArrayView> views(kCap);
  auto got = d.get_views(views.data(), kCap);
  check(got.ok() != one.error, "DELTA_LENGTH_BYTE_ARRAY: views and copies disagree about an error");
  if (got.ok()) {
    check(*got == one.values.size(), "DELTA_LENGTH_BYTE_ARRAY: views count");
    for (std::size_t i = 0; i < *got; ++i) check(views[i].as_string_view() == one.values[i], "DELTA_LENGTH_BYTE_ARRAY: views differ");
  }
}

void fuzz_delta_byte_array(const std::uint8_t* page, std::size_t size, Schedule sched) {
  pq::DeltaByteArrayDecoder d;
  if (!d.reset(page, size, 2).ok()) return;
  auto get = [&](pq::BinaryOut& o, std::size_t k) { return d.get_batch(o, k); };
  auto skip = [&](std::size_t k) { return d.skip(k); };
  const auto one = binary_batches(get, skip, &sched, true);
  (void)d.reset(page, size, 2);
  const auto many = binary_batches(get, skip, &sched, false);
  compare_binary(one, many);
}

void fuzz_delta_byte_array_fixed(const std::uint8_t* page, std::size_t size, std::size_t width, Schedule sched) {
  pq::DeltaByteArrayDecoder d;
  if (!d.reset(page, size, 2).ok()) return;
  auto reset = [&] { (void)d.reset(page, size, 2); };
  using V = std::array<std::uint8_t, 8>;
  compare_batches<V>(
      reset,
      [&](V* o, std::size_t n) {
        std::vector<std::uint8_t> tmp(n * width);
        auto r = d.get_fixed(tmp.data(), n, width);
        if (r.ok()) {
          for (std::size_t i = 0; i < *r; ++i) {
            o[i] = V{};
            std::memcpy(o[i].data(), tmp.data() + i * width, width);
          }
        }
        return r;
      },
      // skip() does not know the width, so it cannot refuse a value of another length: skip by decoding.
      [&](std::size_t n) {
        std::vector<std::uint8_t> tmp(n * width);
        return d.get_fixed(tmp.data(), n, width);
      },
      sched);
}

void fuzz_byte_stream_split(const std::uint8_t* page, std::size_t size, std::size_t width, Schedule sched) {
  const std::size_t n = size / width;
  pq::ByteStreamSplitDecoder d;
  check(d.reset(page, size, width, n, 2).ok(), "BYTE_STREAM_SPLIT refused a count that fits");
  std::vector<std::uint8_t> one(n * width + 1), many(n * width + 1);
  check(d.get_batch(one.data(), n).ok(), "BYTE_STREAM_SPLIT refused");
  check(!d.get_batch(one.data(), 1).ok(), "BYTE_STREAM_SPLIT read past its count");
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < width; ++k) check(one[i * width + k] == page[k * n + i], "BYTE_STREAM_SPLIT: wrong byte");
  }
  check(d.reset(page, size, width, n, 2).ok(), "BYTE_STREAM_SPLIT reset");
  std::size_t total = 0;
  while (total < n) {
    const std::size_t k = std::min(n - total, sched.next(100) + 1);
    if (sched.next(4) == 0) {
      check(d.skip(k).ok(), "BYTE_STREAM_SPLIT skip");
      std::memcpy(many.data() + total * width, one.data() + total * width, k * width);
    } else {
      check(d.get_batch(many.data() + total * width, k).ok(), "BYTE_STREAM_SPLIT batch");
    }
    total += k;
  }
  check(one == many, "BYTE_STREAM_SPLIT: batches differ");
}

void fuzz_dictionaries(const std::uint8_t* page, std::size_t size, std::size_t split_param, Schedule sched) {
  // The first part is a dictionary page, the rest a dictionary-encoded data page.
  const std::size_t split = size == 0 ? 0 : split_param % (size + 1);
  pq::BinaryDictionary bin;
  for (std::uint64_t count : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{split / 8}, std::uint64_t{split / 4}}) {
    if (!bin.decode_plain(page, split, count, nullptr, 2).ok()) continue;
    pq::RleBitPackedDecoder d;
    if (!pq::reset_dictionary_indices(d, page + split, size - split, 2 + split).ok()) return;
    auto get = [&](pq::BinaryOut& o, std::size_t k) { return bin.gather(d, o, k); };
    auto skip = [&](std::size_t k) { return d.skip(k); };
    const auto one = binary_batches(get, skip, &sched, true);
    (void)pq::reset_dictionary_indices(d, page + split, size - split, 2 + split);
    const auto many = binary_batches(get, skip, &sched, false);
    // Skips do not check indices, so a bad index in a skipped range is missed by the small batches;
    // the other way round there is no excuse.
    if (one.limit || many.limit) continue;
    if (!one.error) compare_binary(one, many);
  }
  pq::FixedDictionary fixed;
  for (std::size_t width : {std::size_t{4}, std::size_t{8}, std::size_t{3}}) {
    if (!fixed.decode_plain(page, split, split / width, width, 2).ok()) continue;
    pq::RleBitPackedDecoder d;
    if (!pq::reset_dictionary_indices(d, page + split, size - split, 2 + split).ok()) return;
    std::vector<std::uint8_t> out(kCap * width);
    auto r = fixed.gather(d, out.data(), kCap);
    (void)pq::reset_dictionary_indices(d, page + split, size - split, 2 + split);
    std::vector<std::uint32_t> idx(kCap);
    auto r2 = d.get_indices(idx.data(), kCap, fixed.size());
    check(r.ok() == r2.ok(), "fixed dictionary: gather and indices disagree about an error");
    if (r.ok()) {
      check(*r == *r2, "fixed dictionary: counts");
      for (std::size_t i = 0; i < *r; ++i) {
        check(std::memcmp(out.data() + i * width, fixed.data() + idx[i] * width, width) == 0, "fixed dictionary: values");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned kind = data[0] % 16;
  const unsigned param = data[1];
  // The page gets its own exact allocation, so reading past it is caught under AddressSanitizer.
  std::vector<std::uint8_t> copy(data + 2, data + size);
  const std::uint8_t* page = copy.empty() ? nullptr : copy.data();
  const std::size_t n = copy.size();
  Schedule sched{param * 0x100000001B3ull + size};
  static constexpr std::size_t kWidths[] = {1, 2, 3, 4, 5, 7, 8, 12, 16, 17};
  switch (kind) {
    case 0: fuzz_rle(page, n, static_cast<int>(param % 33), sched); break;
    case 1: fuzz_dictionary_indices(page, n, param % 40, sched); break;
    case 2: fuzz_booleans(page, n, sched); break;
    case 3: fuzz_legacy(page, n, static_cast<int>(param % 17), sched); break;
    case 4: fuzz_plain_fixed(page, n, kWidths[param % 10], sched); break;
    case 5: fuzz_plain_booleans(page, n, sched); break;
    case 6: fuzz_plain_byte_arrays(page, n, sched); break;
    case 7: fuzz_delta<std::int32_t>(page, n, sched); break;
    case 8: fuzz_delta<std::int64_t>(page, n, sched); break;
    case 9: fuzz_delta_length(page, n, sched); break;
    case 10: fuzz_delta_byte_array(page, n, sched); break;
    case 11: fuzz_delta_byte_array_fixed(page, n, param % 8 + 1, sched); break;
    case 12: fuzz_byte_stream_split(page, n, kWidths[param % 10], sched); break;
    case 13: fuzz_dictionaries(page, n, param * 7, sched); break;
    case 14: {
      // The RLE booleans decoder on raw runs (definition levels with maximum 1), against width 1.
      pq::RleBooleanDecoder b;
      pq::RleBitPackedDecoder r;
      b.reset(page, n);
      (void)r.reset(page, n, 1);
      std::vector<std::uint8_t> bits(kCap / 8, 0);
      std::vector<std::uint32_t> vals(kCap);
      auto g1 = b.get_batch(bits.data(), 0, kCap);
      auto g2 = r.get_batch(vals.data(), kCap);
      check(g1.ok() == g2.ok(), "booleans and width-1 levels disagree about an error");
      if (g1.ok()) {
        check(*g1 == *g2, "booleans and width-1 levels: counts");
        for (std::size_t i = 0; i < *g1; ++i) check(sluice::bit::get(bits.data(), static_cast<std::int64_t>(i)) == (vals[i] != 0), "booleans and levels differ");
      }
      break;
    }
    default: fuzz_rle(page, n, static_cast<int>(param % 33), sched); break;
  }
  return 0;
}
