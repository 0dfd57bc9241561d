// AVX-512 kernel (compiled with -mavx512f -mavx512bw -mbmi -mbmi2 -mpclmul; chosen only where the
// CPU has them).
#include "csv/tokenize.hpp"
#include "csv/tokenize_impl.hpp"

namespace sluice::csv::detail {
namespace {

struct Avx512Loader {
  __m512i d, q, nl, cr;
  Avx512Loader(std::uint8_t delim, std::uint8_t quote)
      : d(_mm512_set1_epi8(static_cast<char>(delim))),
        q(_mm512_set1_epi8(static_cast<char>(quote))),
        nl(_mm512_set1_epi8('\n')),
        cr(_mm512_set1_epi8('\r')) {}
  Masks load(const std::uint8_t* p) const {
    const __m512i v = _mm512_loadu_si512(p);
    return {_mm512_cmpeq_epi8_mask(v, q), _mm512_cmpeq_epi8_mask(v, d), _mm512_cmpeq_epi8_mask(v, nl),
            _mm512_cmpeq_epi8_mask(v, cr)};
  }
};

std::size_t scan_avx512(const std::uint8_t* data, std::size_t len, std::uint8_t delim, std::uint8_t quote,
                        std::uint32_t base, std::uint32_t* out, ScanState& st) {
  return scan_impl<Avx512Loader>(data, len, delim, quote, base, out, st);
}

std::uint64_t count_avx512(const std::uint8_t* data, std::size_t len, std::uint8_t byte) {
  const __m512i c = _mm512_set1_epi8(static_cast<char>(byte));
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i + 64 <= len; i += 64)
    n += static_cast<std::uint64_t>(__builtin_popcountll(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(data + i), c)));
  if (i < len) {
    const std::uint64_t keep = (std::uint64_t{1} << (len - i)) - 1;
    n += static_cast<std::uint64_t>(
        __builtin_popcountll(_mm512_cmpeq_epi8_mask(_mm512_loadu_si512(data + i), c) & keep));
  }
  return n;
}

}  // namespace

const Kernel kAvx512Kernel{"avx512", scan_avx512, count_avx512};

}  // namespace sluice::csv::detail
