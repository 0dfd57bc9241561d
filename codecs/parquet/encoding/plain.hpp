// The PLAIN encoding of every physical type: decoder (fixed-width values by memcpy, booleans into
// Arrow bitmaps, byte arrays into BinaryOut or as views) and encoders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "parquet/encoding/binary_out.hpp"
#include "parquet/encoding/bit_util.hpp"
#include "parquet/encoding/common.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// Width of an INT96 value (deprecated timestamps: 8 bytes of nanoseconds, 4 of Julian day).
inline constexpr std::size_t kInt96Width = 12;

// Reads PLAIN values of one page in batches. Unlike the run-based decoders, each call is all or
// nothing: asking for more values than the page holds is a kParseError and decodes nothing.
class PlainDecoder {
 public:
  PlainDecoder() = default;

  void reset(const std::uint8_t* data, std::size_t size, std::size_t base_offset = 0) noexcept {
    data_ = data;
    size_ = size;
    pos_ = 0;
    bit_pos_ = 0;
    base_ = base_offset;
  }

  // Bytes not yet read (booleans: whole bytes not yet touched).
  std::size_t remaining() const noexcept { return size_ - pos_; }
  std::size_t bytes_consumed() const noexcept { return pos_; }

  // INT32, INT64, FLOAT, DOUBLE (and any other trivially copyable T of the value's width).
  template <class T>
  Status get_values(T* out, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    return get_fixed(reinterpret_cast<std::uint8_t*>(out), n, sizeof(T));
  }

  // n values of `width` bytes each: INT96 (kInt96Width) and FIXED_LEN_BYTE_ARRAY.
  Status get_fixed(std::uint8_t* out, std::size_t n, std::size_t width) {
    SLUICE_TRY(check_fixed(n, width));
    if (n != 0) std::memcpy(out, data_ + pos_, n * width);
    pos_ += n * width;
    return ok_status();
  }

  Status skip_fixed(std::size_t n, std::size_t width) {
    SLUICE_TRY(check_fixed(n, width));
    pos_ += n * width;
    return ok_status();
  }

  // BOOLEAN: n bits into `bits` from bit `bit_offset` (other bits of `bits` untouched).
  Status get_booleans(std::uint8_t* bits, std::int64_t bit_offset, std::size_t n) {
    SLUICE_TRY(check_bits(n));
    copy_bits(data_, static_cast<std::int64_t>(bit_pos_), bits, bit_offset, static_cast<std::int64_t>(n));
    advance_bits(n);
    return ok_status();
  }

  Status skip_booleans(std::size_t n) {
    SLUICE_TRY(check_bits(n));
    advance_bits(n);
    return ok_status();
  }

  // BYTE_ARRAY values appended to `out`. Checks each length against the bytes that remain.
  Status get_byte_arrays(BinaryOut& out, std::size_t n) {
    // Every value takes at least its 4-byte length, so an impossible count fails before allocating.
    if (n > (size_ - pos_) / 4) {
      return detail::encoding_error(kPlainName, base_ + pos_,
                                    std::to_string(n) + " BYTE_ARRAY values cannot fit in the " +
                                        std::to_string(size_ - pos_) + " bytes that remain");
    }
    // PLAIN never expands: what is left of the page bounds the bytes these values can hold.
    SLUICE_TRY(out.reserve(static_cast<std::int64_t>(n), static_cast<std::int64_t>(size_ - pos_)));
    std::size_t p = pos_;
    for (std::size_t i = 0; i < n; ++i) {
      if (size_ - p < 4) return byte_array_error(p, n, i);
      const std::uint32_t len = detail::load_le<std::uint32_t>(data_ + p);
      p += 4;
      if (len > size_ - p) return length_error(p - 4, len, size_ - p);
      out.append_unchecked(data_ + p, len, size_ - p);
      p += len;
    }
    pos_ = p;
    return ok_status();
  }

  // BYTE_ARRAY values as views into the page (a dictionary page, kept alive by the caller).
  Status get_byte_array_views(ByteArrayView* out, std::size_t n) {
    std::size_t p = pos_;
    for (std::size_t i = 0; i < n; ++i) {
      if (size_ - p < 4) return byte_array_error(p, n, i);
      const std::uint32_t len = detail::load_le<std::uint32_t>(data_ + p);
      p += 4;
      if (len > size_ - p) return length_error(p - 4, len, size_ - p);
      out[i] = ByteArrayView{data_ + p, len};
      p += len;
    }
    pos_ = p;
    return ok_status();
  }

  Status skip_byte_arrays(std::size_t n) {
    std::size_t p = pos_;
    for (std::size_t i = 0; i < n; ++i) {
      if (size_ - p < 4) return byte_array_error(p, n, i);
      const std::uint32_t len = detail::load_le<std::uint32_t>(data_ + p);
      p += 4;
      if (len > size_ - p) return length_error(p - 4, len, size_ - p);
      p += len;
    }
    pos_ = p;
    return ok_status();
  }

 private:
  Status check_fixed(std::size_t n, std::size_t width) const {
    if (width == 0) return detail::encoding_argument_error(kPlainName, "value width 0");
    const std::size_t left = size_ - pos_;
    if (n > left / width) {
      return detail::encoding_error(kPlainName, base_ + pos_,
                                    std::to_string(n) + " values of " + std::to_string(width) +
                                        " bytes do not fit in the " + std::to_string(left) + " bytes that remain");
    }
    return ok_status();
  }

  Status check_bits(std::size_t n) const {
    const std::uint64_t left_bits = static_cast<std::uint64_t>(size_) * 8 - bit_pos_;
    if (n > left_bits) {
      return detail::encoding_error(kPlainName, base_ + pos_,
                                    std::to_string(n) + " booleans asked for but " + std::to_string(left_bits) +
                                        " bits remain");
    }
    return ok_status();
  }

  void advance_bits(std::size_t n) noexcept {
    bit_pos_ += n;
    pos_ = static_cast<std::size_t>((bit_pos_ + 7) / 8);
  }

  [[gnu::cold, gnu::noinline]] Error byte_array_error(std::size_t p, std::size_t n, std::size_t i) const {
    return detail::encoding_error(kPlainName, base_ + p,
                                  "BYTE_ARRAY value " + std::to_string(i + 1) + " of " + std::to_string(n) +
                                      ": its 4-byte length is cut off");
  }
  [[gnu::cold, gnu::noinline]] Error length_error(std::size_t p, std::uint32_t len, std::size_t left) const {
    return detail::encoding_error(kPlainName, base_ + p,
                                  "BYTE_ARRAY length " + std::to_string(len) + " is longer than the " +
                                      std::to_string(left) + " bytes that remain");
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::uint64_t bit_pos_ = 0;  // booleans only
  std::size_t base_ = 0;
};

// ---- encoders ----

// INT32, INT64, FLOAT, DOUBLE: the values' little-endian bytes.
template <class T>
inline void encode_plain(const T* values, std::size_t n, std::vector<std::uint8_t>& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  const std::size_t at = out.size();
  out.resize(at + n * sizeof(T));
  if (n != 0) std::memcpy(out.data() + at, values, n * sizeof(T));
}

// INT96 and FIXED_LEN_BYTE_ARRAY: n values of `width` bytes.
inline void encode_plain_fixed(const std::uint8_t* values, std::size_t n, std::size_t width,
                               std::vector<std::uint8_t>& out) {
  out.insert(out.end(), values, values + n * width);
}

// BOOLEAN: n bits of an Arrow bitmap from bit_offset, packed LSB first.
inline void encode_plain_booleans(const std::uint8_t* bits, std::int64_t bit_offset, std::size_t n,
                                  std::vector<std::uint8_t>& out) {
  const std::size_t at = out.size();
  out.resize(at + (n + 7) / 8, 0);
  copy_bits(bits, bit_offset, out.data() + at, 0, static_cast<std::int64_t>(n));
}

// BYTE_ARRAY: each value's 4-byte length and bytes.
inline void encode_plain_byte_arrays(const ByteArrayView* values, std::size_t n, std::vector<std::uint8_t>& out) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += 4 + values[i].size;
  out.reserve(out.size() + total);
  for (std::size_t i = 0; i < n; ++i) {
    detail::append_le<std::uint32_t>(out, values[i].size);
    out.insert(out.end(), values[i].data, values[i].data + values[i].size);
  }
}

}  // namespace sluice::parquet
