// AVX2 kernel (compiled with -mavx2 -mbmi -mbmi2 -mpclmul; chosen only where the CPU has them).
#include "csv/tokenize.hpp"
#include "csv/tokenize_impl.hpp"

namespace sluice::csv::detail {
namespace {

struct Avx2Loader {
  __m256i d, q, nl, cr;
  Avx2Loader(std::uint8_t delim, std::uint8_t quote)
      : d(_mm256_set1_epi8(static_cast<char>(delim))),
        q(_mm256_set1_epi8(static_cast<char>(quote))),
        nl(_mm256_set1_epi8('\n')),
        cr(_mm256_set1_epi8('\r')) {}
  static std::uint64_t mask(__m256i lo, __m256i hi, __m256i c) {
    const auto a = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c)));
    const auto b = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c)));
    return a | (static_cast<std::uint64_t>(b) << 32);
  }
  Masks load(const std::uint8_t* p) const {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    return {mask(lo, hi, q), mask(lo, hi, d), mask(lo, hi, nl), mask(lo, hi, cr)};
  }
};

std::size_t scan_avx2(const std::uint8_t* data, std::size_t len, std::uint8_t delim, std::uint8_t quote,
                      std::uint32_t base, std::uint32_t* out, ScanState& st) {
  return scan_impl<Avx2Loader>(data, len, delim, quote, base, out, st);
}

std::uint64_t count_avx2(const std::uint8_t* data, std::size_t len, std::uint8_t byte) {
  const __m256i c = _mm256_set1_epi8(static_cast<char>(byte));
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i + 64 <= len; i += 64) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
    n += static_cast<std::uint64_t>(__builtin_popcountll(Avx2Loader::mask(lo, hi, c)));
  }
  for (; i < len; ++i) n += data[i] == byte;
  return n;
}

}  // namespace

const Kernel kAvx2Kernel{"avx2", scan_avx2, count_avx2};

}  // namespace sluice::csv::detail
