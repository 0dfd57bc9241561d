// Shared pieces of the Parquet value encodings: byte-array views, little-endian loads, ULEB128 and
// zigzag varints, and the one way every decoder reports malformed input.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/core/error.hpp"

namespace sluice::parquet {

// The format stores every number little-endian; the decoders copy them straight into host integers.
static_assert(std::endian::native == std::endian::little, "sluice's Parquet decoders assume a little-endian host");

// One BYTE_ARRAY value pointing into memory someone else keeps alive (a page, a dictionary page).
struct ByteArrayView {
  const std::uint8_t* data = nullptr;
  std::uint32_t size = 0;

  std::string_view as_string_view() const noexcept {
    return {reinterpret_cast<const char*>(data), size};
  }
  friend bool operator==(const ByteArrayView& a, const ByteArrayView& b) noexcept {
    return a.size == b.size && (a.size == 0 || std::memcmp(a.data, b.data, a.size) == 0);
  }
};

// Names used in error messages, as parquet.thrift spells the encodings.
inline constexpr std::string_view kPlainName = "PLAIN";
inline constexpr std::string_view kRleName = "RLE/bit-packed hybrid";
inline constexpr std::string_view kBitPackedName = "BIT_PACKED";
inline constexpr std::string_view kDictionaryName = "RLE_DICTIONARY";
inline constexpr std::string_view kDeltaBinaryPackedName = "DELTA_BINARY_PACKED";
inline constexpr std::string_view kDeltaLengthByteArrayName = "DELTA_LENGTH_BYTE_ARRAY";
inline constexpr std::string_view kDeltaByteArrayName = "DELTA_BYTE_ARRAY";
inline constexpr std::string_view kByteStreamSplitName = "BYTE_STREAM_SPLIT";

namespace detail {

template <class T>
inline T load_le(const std::uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
inline void store_le(std::uint8_t* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

template <class T>
inline void append_le(std::vector<std::uint8_t>& out, T v) {
  const std::size_t at = out.size();
  out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}

// Malformed input: the message names the encoding and the offset within the page; the same offset
// goes to the context, where a page reader may replace it with the position in the file.
[[gnu::cold, gnu::noinline]] inline Error encoding_error(std::string_view encoding, std::size_t page_offset,
                                                         std::string_view message) {
  std::string text;
  text.reserve(encoding.size() + message.size() + 32);
  text.append(encoding).append(": ").append(message).append(" at page byte ").append(std::to_string(page_offset));
  ErrorContext context;
  context.byte_offset = static_cast<std::int64_t>(page_offset);
  return Error(ErrorCode::kParseError, std::move(text), std::move(context));
}

// Misuse by the caller (a bit width the output type cannot hold, a zero FIXED_LEN_BYTE_ARRAY width).
[[gnu::cold, gnu::noinline]] inline Error encoding_argument_error(std::string_view encoding, std::string_view message) {
  std::string text;
  text.append(encoding).append(": ").append(message);
  return Error(ErrorCode::kInvalidArgument, std::move(text));
}

enum class VarintStatus : std::uint8_t { kOk, kTruncated, kTooLong };

// ULEB128 of at most 32 bits (5 bytes, the last holding 4 bits) from data[pos, size), advancing pos.
inline VarintStatus read_uleb32(const std::uint8_t* data, std::size_t size, std::size_t& pos,
                                std::uint32_t& out) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 5; ++i) {
    if (pos >= size) return VarintStatus::kTruncated;
    const std::uint8_t b = data[pos++];
    if (i == 4 && (b & 0xF0) != 0) return VarintStatus::kTooLong;
    v |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      out = v;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kTooLong;  // not reached: the fifth byte either ends the varint or was refused
}

// ULEB128 of at most 64 bits (10 bytes, the last holding 1 bit).
inline VarintStatus read_uleb64(const std::uint8_t* data, std::size_t size, std::size_t& pos,
                                std::uint64_t& out) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos >= size) return VarintStatus::kTruncated;
    const std::uint8_t b = data[pos++];
    if (i == 9 && (b & 0xFE) != 0) return VarintStatus::kTooLong;
    v |= static_cast<std::uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      out = v;
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kTooLong;
}

inline std::string_view varint_problem(VarintStatus s) noexcept {
  return s == VarintStatus::kTruncated ? "truncated" : "longer than its type allows";
}

inline constexpr std::uint64_t zigzag_decode(std::uint64_t v) noexcept { return (v >> 1) ^ (~(v & 1) + 1); }
inline constexpr std::uint64_t zigzag_encode(std::int64_t v) noexcept {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

inline void write_uleb(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}

}  // namespace detail
}  // namespace sluice::parquet
