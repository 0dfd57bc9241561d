// Bit-level kernels of the Parquet encodings: unpacking LSB-first bit-packed integers (as the
// RLE/bit-packed hybrid and DELTA_BINARY_PACKED store them) 32 values at a time with one unrolled
// routine per bit width, packing for the encoders, and copying/filling runs of Arrow bitmap bits.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "parquet/encoding/common.hpp"

namespace sluice::parquet {

// Widest bit width an output integer type can receive from the unpackers.
template <class Out>
inline constexpr int kMaxUnpackWidth = sizeof(Out) > 4 ? 64 : 32;

namespace detail {

template <class Out>
using UnpackGroupsFn = void (*)(const std::uint8_t*, Out*, std::size_t) noexcept;

template <class Out>
using UnpackTable = std::array<UnpackGroupsFn<Out>, kMaxUnpackWidth<Out> + 1>;

// Unpacks `groups` groups of 32 values of width W (the table's index): 4*W bytes in, 32 values out
// per group. One entry per bit width 0..kMaxUnpackWidth<Out>: the dispatch happens once per run of
// groups. The kernels (a fully unrolled routine per width and output type) are instantiated once, in
// kernels.cpp, for the output types below: compiled in every file that included this header, they
// were most of the Parquet code's build time.
template <class Out>
struct UnpackKernels {
  static const UnpackTable<Out> table;
};
extern template struct UnpackKernels<std::int16_t>;
extern template struct UnpackKernels<std::uint32_t>;
extern template struct UnpackKernels<std::uint64_t>;

}  // namespace detail

// Unpacks `n` values of `bit_width` bits (0..kMaxUnpackWidth<Out>) packed LSB-first at `in`, reading
// exactly ceil(n * bit_width / 8) bytes and never more. The caller checks that many bytes exist.
template <class Out>
inline void unpack_bits(const std::uint8_t* in, int bit_width, Out* out, std::size_t n) noexcept {
  const auto fn = detail::UnpackKernels<Out>::table[static_cast<std::size_t>(bit_width)];
  const std::size_t groups = n / 32;
  fn(in, out, groups);
  const std::size_t tail = n % 32;
  if (tail == 0) return;
  in += groups * 4 * static_cast<std::size_t>(bit_width);
  out += groups * 32;
  // The last partial group goes through a zero-padded copy, so the unrolled kernel may read a whole group.
  std::uint8_t padded[4 * 64] = {};
  const std::size_t tail_bytes = (tail * static_cast<std::size_t>(bit_width) + 7) / 8;
  if (tail_bytes != 0) std::memcpy(padded, in, tail_bytes);
  Out values[32];
  fn(padded, values, 1);
  std::copy_n(values, tail, out);
}

// Packs `n` values LSB-first at `bit_width` bits (0..64) into ceil(n * bit_width / 8) bytes at `out`.
// Bits of a value above its width are dropped.
template <class T>
inline void pack_bits(const T* values, std::size_t n, int bit_width, std::uint8_t* out) noexcept {
  if (bit_width == 0 || n == 0) return;
  const std::uint64_t mask = bit_width == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bit_width) - 1;
  std::uint64_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = static_cast<std::uint64_t>(values[i]) & mask;
    acc |= x << bits;
    if (bits + bit_width >= 64) {
      detail::store_le(out, acc);
      out += 8;
      const int used = 64 - bits;
      acc = used < 64 ? x >> used : 0;
      bits = bits + bit_width - 64;
    } else {
      bits += bit_width;
    }
  }
  std::memcpy(out, &acc, static_cast<std::size_t>((bits + 7) / 8));
}

// Bits needed to hold v (0 for 0).
inline constexpr int bit_width_of(std::uint64_t v) noexcept { return 64 - std::countl_zero(v); }

// Copies `n` bits from `src` starting at bit `src_offset` to `dst` starting at bit `dst_offset`
// (Arrow order: bit i is bit i%8 of byte i/8). Bits of dst outside the range keep their values; the
// ranges must not overlap. Reads only the source bytes that hold copied bits.
inline void copy_bits(const std::uint8_t* src, std::int64_t src_offset, std::uint8_t* dst, std::int64_t dst_offset,
                      std::int64_t n) noexcept {
  // Head: single bits until the destination is byte aligned.
  while (n > 0 && (dst_offset & 7) != 0) {
    const bool v = (src[src_offset >> 3] >> (src_offset & 7)) & 1;
    dst[dst_offset >> 3] = static_cast<std::uint8_t>((dst[dst_offset >> 3] & ~(1u << (dst_offset & 7))) |
                                                     (static_cast<unsigned>(v) << (dst_offset & 7)));
    ++src_offset;
    ++dst_offset;
    --n;
  }
  std::uint8_t* d = dst + (dst_offset >> 3);
  const std::uint8_t* s = src + (src_offset >> 3);
  const int shift = static_cast<int>(src_offset & 7);
  std::int64_t whole = n >> 3;
  if (shift == 0) {
    if (whole > 0) std::memcpy(d, s, static_cast<std::size_t>(whole));
  } else {
    // 64 output bits need 9 source bytes when shifted, all of them holding copied bits.
    while (whole >= 8) {
      const std::uint64_t v = (detail::load_le<std::uint64_t>(s) >> shift) |
                              (static_cast<std::uint64_t>(s[8]) << (64 - shift));
      detail::store_le(d, v);
      s += 8;
      d += 8;
      whole -= 8;
    }
    for (std::int64_t i = 0; i < whole; ++i) {
      d[i] = static_cast<std::uint8_t>((s[i] >> shift) | (s[i + 1] << (8 - shift)));
    }
    s += whole;
    d += whole;
    whole = 0;
  }
  const std::int64_t copied = (n >> 3) << 3;
  src_offset += copied;
  dst_offset += copied;
  n -= copied;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t si = src_offset + i;
    const std::int64_t di = dst_offset + i;
    const bool v = (src[si >> 3] >> (si & 7)) & 1;
    dst[di >> 3] = static_cast<std::uint8_t>((dst[di >> 3] & ~(1u << (di & 7))) | (static_cast<unsigned>(v) << (di & 7)));
  }
}

// Sets `n` bits of `dst` from bit `offset` to `value`; other bits keep theirs.
inline void fill_bits(std::uint8_t* dst, std::int64_t offset, std::int64_t n, bool value) noexcept {
  while (n > 0 && (offset & 7) != 0) {
    const auto m = static_cast<std::uint8_t>(1u << (offset & 7));
    dst[offset >> 3] = value ? static_cast<std::uint8_t>(dst[offset >> 3] | m) : static_cast<std::uint8_t>(dst[offset >> 3] & ~m);
    ++offset;
    --n;
  }
  const std::int64_t whole = n >> 3;
  if (whole > 0) std::memset(dst + (offset >> 3), value ? 0xFF : 0x00, static_cast<std::size_t>(whole));
  offset += whole << 3;
  n -= whole << 3;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto m = static_cast<std::uint8_t>(1u << ((offset + i) & 7));
    std::uint8_t& b = dst[(offset + i) >> 3];
    b = value ? static_cast<std::uint8_t>(b | m) : static_cast<std::uint8_t>(b & ~m);
  }
}

// Set bits of a 64-bit word. std::popcount is a call into libgcc on the baseline x86-64 this is
// built for (no POPCNT instruction assumed); the SWAR sum is a dozen inline operations.
inline int popcount64(std::uint64_t x) noexcept {
#if defined(__POPCNT__) || !(defined(__x86_64__) || defined(__i386__))
  return std::popcount(x);
#else
  x -= (x >> 1) & 0x5555555555555555ULL;
  x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
  return static_cast<int>((x * 0x0101010101010101ULL) >> 56);
#endif
}

// Number of set bits among `n` bits of `bits` from bit `offset` (e.g. the non-null count of a batch).
inline std::int64_t count_set_bits(const std::uint8_t* bits, std::int64_t offset, std::int64_t n) noexcept {
  std::int64_t count = 0;
  while (n > 0 && (offset & 7) != 0) {
    count += (bits[offset >> 3] >> (offset & 7)) & 1;
    ++offset;
    --n;
  }
  const std::uint8_t* p = bits + (offset >> 3);
  std::int64_t whole = n >> 3;
  for (; whole >= 8; whole -= 8, p += 8) count += popcount64(detail::load_le<std::uint64_t>(p));
  for (; whole > 0; --whole, ++p) count += popcount64(*p);
  offset += (n >> 3) << 3;
  n &= 7;
  for (std::int64_t i = 0; i < n; ++i) count += (bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1;
  return count;
}

}  // namespace sluice::parquet
