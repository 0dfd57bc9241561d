// The bit-unpacking kernels of the Parquet encodings (bit_util.hpp, delta_binary_packed.hpp): one
// fully unrolled routine per bit width and output type, instantiated here once for the whole library.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "parquet/encoding/bit_util.hpp"
#include "parquet/encoding/delta_binary_packed.hpp"

namespace sluice::parquet::detail {

namespace {

template <int N>
inline std::uint64_t load_partial(const std::uint8_t* p) noexcept {
  std::uint64_t v = 0;
  std::memcpy(&v, p, N);
  return v;
}

// Value I of a group of 32 values of W bits packed LSB-first in the 4*W bytes at `in`. Every offset
// and shift is a compile-time constant; loads never reach past the group (the last values of a group
// are read with a load that ends at the group's end).
template <class U, int W, int I>
inline U extract_packed(const std::uint8_t* in) noexcept {
  if constexpr (W == 0) {
    return 0;
  } else {
    constexpr int kBit = I * W;
    constexpr int kByte = kBit / 8;
    constexpr int kShift = kBit % 8;
    constexpr int kGroupBytes = 4 * W;
    constexpr std::uint64_t kMask = W == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << W) - 1;
    std::uint64_t v;
    if constexpr (kShift + W > 64) {  // 9 bytes: only widths above 56
      v = (load_le<std::uint64_t>(in + kByte) >> kShift) |
          (static_cast<std::uint64_t>(in[kByte + 8]) << (64 - kShift));
    } else if constexpr (kByte + 8 <= kGroupBytes) {
      v = load_le<std::uint64_t>(in + kByte) >> kShift;
    } else if constexpr (kGroupBytes >= 8) {
      v = load_le<std::uint64_t>(in + kGroupBytes - 8) >> (kBit - 8 * (kGroupBytes - 8));
    } else {  // W == 1: the whole group is 4 bytes
      v = load_partial<kGroupBytes>(in) >> kBit;
    }
    return static_cast<U>(v & kMask);
  }
}

template <class Out, class U, int W, std::size_t... I>
inline void unpack_group(const std::uint8_t* in, Out* out, std::index_sequence<I...>) noexcept {
  ((out[I] = static_cast<Out>(extract_packed<U, W, static_cast<int>(I)>(in))), ...);
}

template <class Out, int W>
void unpack_groups(const std::uint8_t* in, Out* out, std::size_t groups) noexcept {
  if constexpr (W == 0) {
    std::fill_n(out, groups * 32, Out{0});
  } else {
    using U = std::conditional_t<(W > 32), std::uint64_t, std::uint32_t>;
    for (std::size_t g = 0; g < groups; ++g) {
      unpack_group<Out, U, W>(in, out, std::make_index_sequence<32>());
      in += 4 * W;
      out += 32;
    }
  }
}

template <class Out, std::size_t... W>
constexpr UnpackTable<Out> make_unpack_table(std::index_sequence<W...>) {
  return {&unpack_groups<Out, static_cast<int>(W)>...};
}

template <class U, int W>
void delta_groups(const std::uint8_t* in, std::size_t groups, U min_delta, U& last, U* out) noexcept {
  U acc = last;
  for (std::size_t g = 0; g < groups; ++g) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      // min_delta + delta first: it does not depend on acc, so the serial chain is one add per value.
      ((acc = static_cast<U>(acc + static_cast<U>(min_delta + extract_packed<U, W, static_cast<int>(I)>(in))),
        out[I] = acc),
       ...);
    }(std::make_index_sequence<32>());
    in += 4 * W;
    out += 32;
  }
  last = acc;
}

template <class U, std::size_t... W>
constexpr std::array<DeltaGroupsFn<U>, sizeof...(W)> make_delta_table(std::index_sequence<W...>) {
  return {&delta_groups<U, static_cast<int>(W)>...};
}

}  // namespace

template <class Out>
const UnpackTable<Out> UnpackKernels<Out>::table =
    make_unpack_table<Out>(std::make_index_sequence<kMaxUnpackWidth<Out> + 1>());

template struct UnpackKernels<std::int16_t>;
template struct UnpackKernels<std::uint32_t>;
template struct UnpackKernels<std::uint64_t>;

template <class U>
const std::array<DeltaGroupsFn<U>, sizeof(U) * 8 + 1> DeltaKernels<U>::table =
    make_delta_table<U>(std::make_index_sequence<sizeof(U) * 8 + 1>());

template struct DeltaKernels<std::uint32_t>;
template struct DeltaKernels<std::uint64_t>;

}  // namespace sluice::parquet::detail
