// The body of the SIMD structural scan, included by each ISA's translation unit inside its own
// namespace (compiled with that ISA's flags). `Loader::load(p)` returns the four 64-bit masks of a
// 64-byte block: quotes, delimiters, '\n', '\r'.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace {

struct Masks {
  std::uint64_t quote, delim, nl, cr;
};

inline std::uint64_t prefix_xor(std::uint64_t bits) {
  const __m128i all_ones = _mm_set1_epi8(static_cast<char>(0xFF));
  const __m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<long long>(bits)), all_ones, 0);
  return static_cast<std::uint64_t>(_mm_cvtsi128_si64(r));
}

template <class Loader>
std::size_t scan_impl(const std::uint8_t* data, std::size_t len, std::uint8_t delim, std::uint8_t quote,
                      std::uint32_t base, std::uint32_t* out, sluice::csv::detail::ScanState& st) {
  const Loader loader(delim, quote);
  std::uint32_t* o = out;
  std::uint64_t in_quote = st.in_quote, prev_cr = st.prev_cr, lines = st.lines;
  for (std::size_t i = 0; i < len; i += 64) {
    Masks m = loader.load(data + i);
    std::uint64_t keep = ~std::uint64_t{0};
    if (len - i < 64) {
      keep = (std::uint64_t{1} << (len - i)) - 1;
      m.quote &= keep;
      m.delim &= keep;
      m.nl &= keep;
      m.cr &= keep;
    }
    const std::uint64_t inside = prefix_xor(m.quote) ^ in_quote;
    in_quote = static_cast<std::uint64_t>(static_cast<std::int64_t>(inside) >> 63);
    // A '\r' whose next byte is not '\n' is a line break of its own; checked one byte later.
    const std::uint64_t lone_cr = ((m.cr << 1) | prev_cr) & ~m.nl & keep;
    lines += static_cast<std::uint64_t>(__builtin_popcountll(m.nl) + __builtin_popcountll(lone_cr));
    prev_cr = m.cr >> 63;
    if (len - i < 64) {
      // prev_cr must describe the last real byte, not bit 63 of a partial block.
      prev_cr = (m.cr >> (len - i - 1)) & 1;
    }
    std::uint64_t s = (m.delim | m.nl | m.cr) & ~inside;
    if (s == 0) continue;
    const std::uint32_t idx = base + static_cast<std::uint32_t>(i);
    const int cnt = __builtin_popcountll(s);
    // Writes in groups of four; `out` has slack for the overrun (tzcnt of 0 is 64: harmless junk).
    std::uint32_t* w = o;
    for (int k = 0; k < cnt; k += 4) {
      w[0] = idx + static_cast<std::uint32_t>(_tzcnt_u64(s));
      s = _blsr_u64(s);
      w[1] = idx + static_cast<std::uint32_t>(_tzcnt_u64(s));
      s = _blsr_u64(s);
      w[2] = idx + static_cast<std::uint32_t>(_tzcnt_u64(s));
      s = _blsr_u64(s);
      w[3] = idx + static_cast<std::uint32_t>(_tzcnt_u64(s));
      s = _blsr_u64(s);
      w += 4;
    }
    o += cnt;
  }
  st.in_quote = in_quote;
  st.prev_cr = prev_cr;
  st.lines = lines;
  return static_cast<std::size_t>(o - out);
}

}  // namespace
