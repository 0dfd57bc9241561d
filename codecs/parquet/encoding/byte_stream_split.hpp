// BYTE_STREAM_SPLIT (FLOAT, DOUBLE, INT32, INT64, FIXED_LEN_BYTE_ARRAY of any width, FLOAT16 as
// width 2): byte k of value i sits at k * num_values + i. Decoder and encoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "parquet/encoding/common.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

namespace detail {

// Interleaves n values of W bytes from W streams `stride` bytes apart (starting at src) into out.
template <std::size_t W>
inline void bss_gather_fixed(const std::uint8_t* src, std::size_t stride, std::uint8_t* out, std::size_t n) noexcept {
  std::size_t i = 0;
#if defined(__SSE2__)
  if constexpr (W == 4) {
    for (; i + 16 <= n; i += 16) {
      const __m128i s0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      const __m128i s1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + stride + i));
      const __m128i s2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * stride + i));
      const __m128i s3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 3 * stride + i));
      const __m128i a_lo = _mm_unpacklo_epi8(s0, s1), a_hi = _mm_unpackhi_epi8(s0, s1);
      const __m128i b_lo = _mm_unpacklo_epi8(s2, s3), b_hi = _mm_unpackhi_epi8(s2, s3);
      auto* o = reinterpret_cast<__m128i*>(out + i * 4);
      _mm_storeu_si128(o + 0, _mm_unpacklo_epi16(a_lo, b_lo));
      _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(a_lo, b_lo));
      _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(a_hi, b_hi));
      _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(a_hi, b_hi));
    }
  } else if constexpr (W == 8) {
    for (; i + 16 <= n; i += 16) {
      __m128i s[8];
      for (std::size_t k = 0; k < 8; ++k) s[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k * stride + i));
      __m128i lo[4], hi[4];  // byte pairs (2k, 2k+1) of values 0..7 and 8..15
      for (std::size_t k = 0; k < 4; ++k) {
        lo[k] = _mm_unpacklo_epi8(s[2 * k], s[2 * k + 1]);
        hi[k] = _mm_unpackhi_epi8(s[2 * k], s[2 * k + 1]);
      }
      auto* o = reinterpret_cast<__m128i*>(out + i * 8);
      const __m128i* halves[2] = {lo, hi};
      for (int h = 0; h < 2; ++h) {
        const __m128i* x = halves[h];
        const __m128i q0 = _mm_unpacklo_epi16(x[0], x[1]);  // bytes 0-3 of values 0..3 (of this half)
        const __m128i q1 = _mm_unpackhi_epi16(x[0], x[1]);  // bytes 0-3 of values 4..7
        const __m128i q2 = _mm_unpacklo_epi16(x[2], x[3]);  // bytes 4-7 of values 0..3
        const __m128i q3 = _mm_unpackhi_epi16(x[2], x[3]);  // bytes 4-7 of values 4..7
        _mm_storeu_si128(o + 4 * h + 0, _mm_unpacklo_epi32(q0, q2));
        _mm_storeu_si128(o + 4 * h + 1, _mm_unpackhi_epi32(q0, q2));
        _mm_storeu_si128(o + 4 * h + 2, _mm_unpacklo_epi32(q1, q3));
        _mm_storeu_si128(o + 4 * h + 3, _mm_unpackhi_epi32(q1, q3));
      }
    }
  } else if constexpr (W == 16) {
    // A 16x16 byte transpose in four rounds of unpacks (bytes, then 2-, 4- and 8-byte lanes).
    for (; i + 16 <= n; i += 16) {
      __m128i x[16], y[16];
      for (std::size_t k = 0; k < 16; ++k) x[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k * stride + i));
      for (std::size_t k = 0; k < 8; ++k) {
        y[k] = _mm_unpacklo_epi8(x[2 * k], x[2 * k + 1]);
        y[k + 8] = _mm_unpackhi_epi8(x[2 * k], x[2 * k + 1]);
      }
      for (std::size_t h = 0; h < 2; ++h) {
        for (std::size_t k = 0; k < 4; ++k) {
          x[8 * h + k] = _mm_unpacklo_epi16(y[8 * h + 2 * k], y[8 * h + 2 * k + 1]);
          x[8 * h + k + 4] = _mm_unpackhi_epi16(y[8 * h + 2 * k], y[8 * h + 2 * k + 1]);
        }
      }
      for (std::size_t q = 0; q < 4; ++q) {
        for (std::size_t k = 0; k < 2; ++k) {
          y[4 * q + k] = _mm_unpacklo_epi32(x[4 * q + 2 * k], x[4 * q + 2 * k + 1]);
          y[4 * q + k + 2] = _mm_unpackhi_epi32(x[4 * q + 2 * k], x[4 * q + 2 * k + 1]);
        }
      }
      auto* o = reinterpret_cast<__m128i*>(out + i * 16);
      for (std::size_t q = 0; q < 8; ++q) {
        _mm_storeu_si128(o + 2 * q, _mm_unpacklo_epi64(y[2 * q], y[2 * q + 1]));
        _mm_storeu_si128(o + 2 * q + 1, _mm_unpackhi_epi64(y[2 * q], y[2 * q + 1]));
      }
    }
  } else if constexpr (W == 2) {
    for (; i + 16 <= n; i += 16) {
      const __m128i s0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      const __m128i s1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + stride + i));
      auto* o = reinterpret_cast<__m128i*>(out + i * 2);
      _mm_storeu_si128(o + 0, _mm_unpacklo_epi8(s0, s1));
      _mm_storeu_si128(o + 1, _mm_unpackhi_epi8(s0, s1));
    }
  }
#endif
  for (std::uint8_t* o = out + i * W; i < n; ++i, o += W) {
    for (std::size_t k = 0; k < W; ++k) o[k] = src[k * stride + i];
  }
}

inline void bss_gather(const std::uint8_t* src, std::size_t stride, std::size_t width, std::uint8_t* out,
                       std::size_t n) noexcept {
  switch (width) {
    case 2: return bss_gather_fixed<2>(src, stride, out, n);
    case 4: return bss_gather_fixed<4>(src, stride, out, n);
    case 8: return bss_gather_fixed<8>(src, stride, out, n);
    case 16: return bss_gather_fixed<16>(src, stride, out, n);
    default: break;
  }
  // Other FIXED_LEN_BYTE_ARRAY widths: stream by stream, each a strided write.
  for (std::size_t k = 0; k < width; ++k) {
    const std::uint8_t* s = src + k * stride;
    std::uint8_t* o = out + k;
    for (std::size_t i = 0; i < n; ++i) o[i * width] = s[i];
  }
}

}  // namespace detail

// Decodes a BYTE_STREAM_SPLIT page in batches. The streams' positions depend on the page's value
// count, so it is given up front (for a page without nulls, size / width).
class ByteStreamSplitDecoder {
 public:
  ByteStreamSplitDecoder() = default;

  Status reset(const std::uint8_t* data, std::size_t size, std::size_t width, std::size_t num_values,
               std::size_t base_offset = 0) {
    total_ = next_ = 0;
    if (width == 0) return detail::encoding_argument_error(kByteStreamSplitName, "value width 0");
    if (num_values > size / width) {
      return detail::encoding_error(kByteStreamSplitName, base_offset,
                                    std::to_string(num_values) + " values of " + std::to_string(width) +
                                        " bytes do not fit in a page of " + std::to_string(size) + " bytes");
    }
    data_ = data;
    width_ = width;
    total_ = num_values;
    next_ = 0;
    base_ = base_offset;
    return ok_status();
  }

  std::size_t values_left() const noexcept { return total_ - next_; }
  std::size_t width() const noexcept { return width_; }

  // n values (n * width() bytes) into out; asking for more than are left is a kParseError.
  Status get_batch(std::uint8_t* out, std::size_t n) {
    SLUICE_TRY(check(n));
    detail::bss_gather(data_ + next_, total_, width_, out, n);
    next_ += n;
    return ok_status();
  }

  template <class T>
  Status get_values(T* out, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (sizeof(T) != width_) {
      return detail::encoding_argument_error(kByteStreamSplitName, "output type width differs from the value width");
    }
    return get_batch(reinterpret_cast<std::uint8_t*>(out), n);
  }

  Status skip(std::size_t n) {
    SLUICE_TRY(check(n));
    next_ += n;
    return ok_status();
  }

 private:
  Status check(std::size_t n) const {
    if (n > total_ - next_) {
      return detail::encoding_error(kByteStreamSplitName, base_ + next_,
                                    std::to_string(n) + " values asked for but " + std::to_string(total_ - next_) +
                                        " remain");
    }
    return ok_status();
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t width_ = 0;
  std::size_t total_ = 0;
  std::size_t next_ = 0;
  std::size_t base_ = 0;
};

// Appends the BYTE_STREAM_SPLIT encoding of n values of `width` bytes each.
inline void encode_byte_stream_split(const std::uint8_t* values, std::size_t n, std::size_t width,
                                     std::vector<std::uint8_t>& out) {
  const std::size_t at = out.size();
  out.resize(at + n * width);
  std::uint8_t* o = out.data() + at;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < width; ++k) o[k * n + i] = values[i * width + k];
  }
}

}  // namespace sluice::parquet
