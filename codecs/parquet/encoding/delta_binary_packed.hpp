// DELTA_BINARY_PACKED (INT32, INT64): decoder and encoder. Also the length streams inside
// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY (delta_byte_array.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "parquet/encoding/bit_util.hpp"
#include "parquet/encoding/common.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

namespace detail {

template <class U>
using DeltaGroupsFn = void (*)(const std::uint8_t*, std::size_t, U, U&, U*) noexcept;

// Entry W: `groups` groups of 32 deltas of width W, each added to min_delta and summed onto `last`
// (unsigned, so overflow wraps as the format asks), unpacking and the prefix sum in one unrolled pass.
// Instantiated once, in kernels.cpp (see UnpackKernels).
template <class U>
struct DeltaKernels {
  static const std::array<DeltaGroupsFn<U>, sizeof(U) * 8 + 1> table;
};
extern template struct DeltaKernels<std::uint32_t>;
extern template struct DeltaKernels<std::uint64_t>;

struct DeltaHeader {
  std::uint32_t block_size = 0;
  std::uint32_t miniblocks = 0;
  std::uint32_t per_miniblock = 0;
  std::uint32_t total = 0;
  std::uint64_t first = 0;  // unzigzagged, wrapped to the type by the decoder
  std::size_t end = 0;      // where the first block starts
};

inline Status parse_delta_header(const std::uint8_t* data, std::size_t size, std::size_t base, DeltaHeader& h) {
  std::size_t pos = 0;
  auto field = [&](const char* name, std::uint32_t& v) -> Status {
    const std::size_t at = pos;
    const VarintStatus s = read_uleb32(data, size, pos, v);
    if (s != VarintStatus::kOk) {
      return encoding_error(kDeltaBinaryPackedName, base + at,
                            std::string("header field '") + name + "' is " + std::string(varint_problem(s)));
    }
    return ok_status();
  };
  SLUICE_TRY(field("block size", h.block_size));
  if (h.block_size == 0 || h.block_size % 128 != 0) {
    return encoding_error(kDeltaBinaryPackedName, base,
                          "block size " + std::to_string(h.block_size) + " is not a positive multiple of 128");
  }
  SLUICE_TRY(field("miniblocks per block", h.miniblocks));
  if (h.miniblocks == 0 || h.block_size % h.miniblocks != 0 || (h.block_size / h.miniblocks) % 32 != 0) {
    return encoding_error(kDeltaBinaryPackedName, base,
                          std::to_string(h.miniblocks) + " miniblocks do not split a block of " +
                              std::to_string(h.block_size) + " values into multiples of 32");
  }
  h.per_miniblock = h.block_size / h.miniblocks;
  SLUICE_TRY(field("total value count", h.total));
  const std::size_t at = pos;
  std::uint64_t first = 0;
  const VarintStatus s = read_uleb64(data, size, pos, first);
  if (s != VarintStatus::kOk) {
    return encoding_error(kDeltaBinaryPackedName, base + at,
                          std::string("header field 'first value' is ") + std::string(varint_problem(s)));
  }
  h.first = zigzag_decode(first);
  h.end = pos;
  return ok_status();
}

}  // namespace detail

// Decodes DELTA_BINARY_PACKED into int32_t or int64_t, in batches. Deltas are unpacked and summed 32
// at a time with a kernel specialised for each miniblock's width; the bounds of a miniblock's bytes
// are checked once when it starts. A miniblock is padded to its full size as the format says; in the
// last block the miniblocks that are not needed have neither bodies nor meaningful widths.
template <class T>
class DeltaBinaryPackedDecoder {
  static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>);
  using U = std::make_unsigned_t<T>;
  static constexpr int kMaxWidth = static_cast<int>(sizeof(T) * 8);

 public:
  DeltaBinaryPackedDecoder() = default;

  // Parses the header at data[0]; the blocks are read as values are asked for. After an error the
  // decoder holds no values.
  Status reset(const std::uint8_t* data, std::size_t size, std::size_t base_offset = 0) {
    values_left_ = 0;
    first_pending_ = false;
    mini_left_ = 0;
    buf_pos_ = buf_len_ = 0;
    header_ = detail::DeltaHeader{};
    data_ = data;
    size_ = size;
    base_ = base_offset;
    SLUICE_TRY(detail::parse_delta_header(data, size, base_offset, header_));
    pos_ = header_.end;
    values_left_ = header_.total;
    first_pending_ = header_.total > 0;
    last_ = static_cast<U>(header_.first);
    min_delta_ = 0;
    widths_ = nullptr;
    mini_index_ = header_.miniblocks;  // the first delta starts a block
    mini_ptr_ = nullptr;
    mini_left_ = 0;
    mini_width_ = 0;
    buf_pos_ = buf_len_ = 0;
    return ok_status();
  }

  // The header's value count (untrusted: the caller compares it with the page's).
  std::uint32_t total_count() const noexcept { return header_.total; }
  std::uint64_t values_left() const noexcept { return values_left_; }

  // Decodes up to n values; returns how many (fewer only when the encoding's count runs out).
  Result<std::size_t> get_batch(T* out, std::size_t n) {
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, values_left_));
    std::size_t done = 0;
    U* o = reinterpret_cast<U*>(out);  // same object representation; aliasing allowed
    if (n > 0 && first_pending_) {
      o[0] = last_;
      first_pending_ = false;
      done = 1;
    }
    while (done < n) {
      if (buf_pos_ < buf_len_) {
        const std::size_t k = std::min<std::size_t>(n - done, buf_len_ - buf_pos_);
        std::memcpy(o + done, buf_ + buf_pos_, k * sizeof(U));
        buf_pos_ += static_cast<std::uint32_t>(k);
        done += k;
      } else if (mini_left_ == 0) {
        SLUICE_TRY(next_miniblock());
      } else if (n - done >= 32) {
        const std::size_t groups = std::min<std::size_t>((n - done) / 32, mini_left_ / 32);
        detail::DeltaKernels<U>::table[static_cast<std::size_t>(mini_width_)](mini_ptr_, groups, min_delta_, last_, o + done);
        mini_ptr_ += groups * 4 * static_cast<std::size_t>(mini_width_);
        mini_left_ -= groups * 32;
        done += groups * 32;
      } else {
        // Values past the count in the last group are padding: summed like the rest, never handed out.
        detail::DeltaKernels<U>::table[static_cast<std::size_t>(mini_width_)](mini_ptr_, 1, min_delta_, last_, buf_);
        mini_ptr_ += 4 * static_cast<std::size_t>(mini_width_);
        mini_left_ -= 32;
        buf_pos_ = 0;
        buf_len_ = 32;
      }
    }
    values_left_ -= n;
    return n;
  }

  // Skips up to n values (they are still summed: later values depend on them); returns how many.
  Result<std::size_t> skip(std::size_t n) {
    T scratch[256];
    std::size_t done = 0;
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, get_batch(scratch, std::min<std::size_t>(n - done, 256)));
      if (got == 0) break;
      done += got;
    }
    return done;
  }

  // Bytes the whole encoding takes, from the header to the end of the last miniblock with values,
  // found by walking the block headers without decoding (what DELTA_LENGTH_BYTE_ARRAY needs to find
  // its data). Checks every needed miniblock width and size on the way.
  Result<std::size_t> encoded_length() const {
    std::uint64_t left = header_.total > 0 ? header_.total - 1 : 0;
    std::size_t pos = header_.end;
    while (left > 0) {
      std::uint64_t ignored = 0;
      SLUICE_TRY(read_min_delta(pos, ignored));
      SLUICE_TRY(check_widths_present(pos));
      const std::uint8_t* widths = data_ + pos;
      pos += header_.miniblocks;
      for (std::uint32_t m = 0; m < header_.miniblocks && left > 0; ++m) {
        std::size_t bytes = 0;
        SLUICE_TRY(check_miniblock(pos, widths[m], m, bytes));
        pos += bytes;
        left -= std::min<std::uint64_t>(left, header_.per_miniblock);
      }
    }
    return pos;
  }

  // After every value was decoded: where the encoding ended (same as encoded_length()).
  std::size_t bytes_consumed() const noexcept { return pos_; }

 private:
  Status read_min_delta(std::size_t& pos, std::uint64_t& out) const {
    const std::size_t at = pos;
    std::uint64_t raw = 0;
    const detail::VarintStatus s = detail::read_uleb64(data_, size_, pos, raw);
    if (s != detail::VarintStatus::kOk) {
      return detail::encoding_error(kDeltaBinaryPackedName, base_ + at,
                                    std::string("block's min delta is ") + std::string(detail::varint_problem(s)));
    }
    out = detail::zigzag_decode(raw);
    return ok_status();
  }

  Status check_widths_present(std::size_t pos) const {
    if (header_.miniblocks > size_ - pos) {
      return detail::encoding_error(kDeltaBinaryPackedName, base_ + pos,
                                    "the block's " + std::to_string(header_.miniblocks) +
                                        " miniblock bit widths are cut off (" + std::to_string(size_ - pos) +
                                        " bytes left)");
    }
    return ok_status();
  }

  Status check_miniblock(std::size_t pos, std::uint8_t width, std::uint32_t index, std::size_t& bytes) const {
    if (width > kMaxWidth) {
      return detail::encoding_error(kDeltaBinaryPackedName, base_ + pos,
                                    "miniblock " + std::to_string(index) + " has bit width " +
                                        std::to_string(width) + ", above the " + std::to_string(kMaxWidth) +
                                        " bits of its type");
    }
    const std::uint64_t need = static_cast<std::uint64_t>(header_.per_miniblock / 8) * width;
    if (need > size_ - pos) {
      return detail::encoding_error(kDeltaBinaryPackedName, base_ + pos,
                                    "miniblock of " + std::to_string(header_.per_miniblock) + " values at " +
                                        std::to_string(width) + " bits needs " + std::to_string(need) +
                                        " bytes but " + std::to_string(size_ - pos) + " remain");
    }
    bytes = static_cast<std::size_t>(need);
    return ok_status();
  }

  // Starts the next miniblock (and block). The checks are inline; only failures leave the hot path.
  Status next_miniblock() {
    if (mini_index_ >= header_.miniblocks) {
      std::uint64_t raw = 0;
      const std::size_t at = pos_;
      if (pos_ < size_ && data_[pos_] < 0x80) {
        raw = data_[pos_++];
      } else if (detail::read_uleb64(data_, size_, pos_, raw) != detail::VarintStatus::kOk) [[unlikely]] {
        pos_ = at;
        std::uint64_t ignored = 0;
        return read_min_delta(pos_, ignored);
      }
      min_delta_ = static_cast<U>(detail::zigzag_decode(raw));
      if (header_.miniblocks > size_ - pos_) [[unlikely]] return check_widths_present(pos_);
      widths_ = data_ + pos_;
      pos_ += header_.miniblocks;
      mini_index_ = 0;
    }
    const std::uint8_t width = widths_[mini_index_];
    const std::uint64_t need = static_cast<std::uint64_t>(header_.per_miniblock / 8) * width;
    if (width > kMaxWidth || need > size_ - pos_) [[unlikely]] {
      std::size_t ignored = 0;
      return check_miniblock(pos_, width, mini_index_, ignored);
    }
    mini_ptr_ = data_ + pos_;
    pos_ += static_cast<std::size_t>(need);
    mini_width_ = width;
    mini_left_ = header_.per_miniblock;
    ++mini_index_;
    return ok_status();
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t base_ = 0;
  detail::DeltaHeader header_;
  std::size_t pos_ = 0;
  std::uint64_t values_left_ = 0;
  bool first_pending_ = false;
  U last_ = 0;
  U min_delta_ = 0;
  const std::uint8_t* widths_ = nullptr;
  std::uint32_t mini_index_ = 0;
  const std::uint8_t* mini_ptr_ = nullptr;
  std::size_t mini_left_ = 0;  // values of the current miniblock not yet unpacked (a multiple of 32)
  int mini_width_ = 0;
  std::uint32_t buf_pos_ = 0;
  std::uint32_t buf_len_ = 0;
  U buf_[32] = {};
};

// Appends the DELTA_BINARY_PACKED encoding of n values (n < 2^32). block_size must be a positive
// multiple of 128 and block_size / miniblocks a multiple of 32 (the defaults are the usual ones).
template <class T>
inline void encode_delta_binary_packed(const T* values, std::size_t n, std::vector<std::uint8_t>& out,
                                       std::uint32_t block_size = 128, std::uint32_t miniblocks = 4) {
  static_assert(std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>);
  using U = std::make_unsigned_t<T>;
  const std::uint32_t per_mini = block_size / miniblocks;
  detail::write_uleb(out, block_size);
  detail::write_uleb(out, miniblocks);
  detail::write_uleb(out, n);
  detail::write_uleb(out, detail::zigzag_encode(n > 0 ? static_cast<std::int64_t>(values[0]) : 0));
  if (n <= 1) return;
  std::vector<U> rel(block_size);
  std::size_t i = 1;  // next value whose delta is encoded
  while (i < n) {
    const std::size_t count = std::min<std::size_t>(block_size, n - i);
    // Deltas in unsigned arithmetic (wrapping), the minimum taken as signed values of the type.
    T min_delta = std::numeric_limits<T>::max();
    for (std::size_t k = 0; k < count; ++k) {
      const auto d = static_cast<T>(static_cast<U>(static_cast<U>(values[i + k]) - static_cast<U>(values[i + k - 1])));
      rel[k] = static_cast<U>(d);
      min_delta = std::min(min_delta, d);
    }
    for (std::size_t k = 0; k < count; ++k) rel[k] = static_cast<U>(rel[k] - static_cast<U>(min_delta));
    std::fill(rel.begin() + static_cast<std::ptrdiff_t>(count), rel.end(), U{0});
    detail::write_uleb(out, detail::zigzag_encode(static_cast<std::int64_t>(min_delta)));
    const std::size_t used = (count + per_mini - 1) / per_mini;
    std::vector<int> widths(miniblocks, 0);
    for (std::size_t m = 0; m < used; ++m) {
      U mx = 0;
      for (std::size_t k = m * per_mini; k < (m + 1) * per_mini; ++k) mx |= rel[k];
      widths[m] = bit_width_of(mx);
    }
    for (std::uint32_t m = 0; m < miniblocks; ++m) out.push_back(static_cast<std::uint8_t>(widths[m]));
    for (std::size_t m = 0; m < used; ++m) {
      const std::size_t at = out.size();
      out.resize(at + per_mini / 8 * static_cast<std::size_t>(widths[m]));
      pack_bits(rel.data() + m * per_mini, per_mini, widths[m], out.data() + at);
    }
    i += count;
  }
}

}  // namespace sluice::parquet
