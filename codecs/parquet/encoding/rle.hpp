// The RLE/bit-packed hybrid encoding (levels, dictionary indices, RLE booleans) and the deprecated
// BIT_PACKED levels encoding: decoders and encoders.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "parquet/encoding/bit_util.hpp"
#include "parquet/encoding/common.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// Most values any one RLE or bit-packed run may hold (the format's 2^31 - 1).
inline constexpr std::uint64_t kMaxRleRunValues = 0x7FFFFFFF;

// The runs of a hybrid stream that is preceded by its 4-byte little-endian length (data page v1
// levels, RLE-encoded booleans).
struct LengthPrefixed {
  const std::uint8_t* data = nullptr;  // the runs, after the length
  std::size_t size = 0;                // the length read
  std::size_t consumed = 0;            // 4 + size: where what follows starts
};

// Reads the 4-byte length and checks that many bytes follow. `base_offset` is where `data` sits in
// its page (for error messages), as for every decoder here.
inline Result<LengthPrefixed> read_length_prefixed(const std::uint8_t* data, std::size_t size,
                                                   std::size_t base_offset = 0) {
  if (size < 4) {
    return detail::encoding_error(kRleName, base_offset,
                                  "the 4-byte length prefix is cut off (" + std::to_string(size) + " bytes left)");
  }
  const std::uint32_t length = detail::load_le<std::uint32_t>(data);
  if (length > size - 4) {
    return detail::encoding_error(kRleName, base_offset,
                                  "length prefix says " + std::to_string(length) + " bytes but only " +
                                      std::to_string(size - 4) + " follow");
  }
  return LengthPrefixed{data + 4, length, 4 + static_cast<std::size_t>(length)};
}

namespace detail {

struct RleRun {
  bool packed = false;
  std::uint64_t count = 0;       // values in the run (bit-packed: a multiple of 8)
  std::uint32_t value = 0;       // RLE runs
  const std::uint8_t* bytes = nullptr;  // bit-packed runs: count / 8 * bit_width bytes, all present
};

enum class RunStatus : std::uint8_t { kOk, kBadHeader, kPackedCut, kValueCut, kValueTooWide };

// Reads the run starting at data[pos] (pos < size) and moves pos past it, checking that the run's
// bytes are present and an RLE value fits the bit width. Inline and allocation-free: streams of short
// runs (definition levels) spend their time here; the message is built by rle_run_error().
inline RunStatus read_rle_run(const std::uint8_t* data, std::size_t size, std::size_t& pos, int bit_width,
                              RleRun& run) noexcept {
  std::uint32_t header;
  if (data[pos] < 0x80) {
    header = data[pos++];
  } else if (read_uleb32(data, size, pos, header) != VarintStatus::kOk) {
    return RunStatus::kBadHeader;
  }
  const std::size_t left = size - pos;
  if (header & 1) {
    const std::uint64_t groups = header >> 1;
    const std::uint64_t bytes = groups * static_cast<std::uint64_t>(bit_width);
    if (bytes > left) return RunStatus::kPackedCut;
    run.packed = true;
    run.count = groups * 8;
    run.bytes = data + pos;
    pos += static_cast<std::size_t>(bytes);
    return RunStatus::kOk;
  }
  const std::size_t value_bytes = static_cast<std::size_t>((bit_width + 7) / 8);
  if (value_bytes > left) return RunStatus::kValueCut;
  std::uint32_t value = 0;
  switch (value_bytes) {
    case 4: value |= static_cast<std::uint32_t>(data[pos + 3]) << 24; [[fallthrough]];
    case 3: value |= static_cast<std::uint32_t>(data[pos + 2]) << 16; [[fallthrough]];
    case 2: value |= static_cast<std::uint32_t>(data[pos + 1]) << 8; [[fallthrough]];
    case 1: value |= data[pos]; [[fallthrough]];
    default: break;
  }
  if (bit_width < 32 && (value >> bit_width) != 0) return RunStatus::kValueTooWide;
  run.packed = false;
  run.count = header >> 1;
  run.value = value;
  run.bytes = nullptr;
  pos += value_bytes;
  return RunStatus::kOk;
}

// The message for a run read_rle_run() refused, re-reading it from `start`.
[[gnu::cold, gnu::noinline]] inline Error rle_run_error(RunStatus status, const std::uint8_t* data, std::size_t size,
                                                        std::size_t start, int bit_width, std::size_t base_offset) {
  std::size_t pos = start;
  std::uint32_t header = 0;
  const VarintStatus vs = read_uleb32(data, size, pos, header);
  const std::size_t left = size - pos;
  switch (status) {
    case RunStatus::kBadHeader:
      return encoding_error(kRleName, base_offset + start,
                            std::string("run header varint is ") + std::string(varint_problem(vs)));
    case RunStatus::kPackedCut: {
      const std::uint64_t groups = header >> 1;
      return encoding_error(kRleName, base_offset + start,
                            "bit-packed run of " + std::to_string(groups * 8) + " values at " +
                                std::to_string(bit_width) + " bits needs " +
                                std::to_string(groups * static_cast<std::uint64_t>(bit_width)) + " bytes but " +
                                std::to_string(left) + " remain");
    }
    case RunStatus::kValueCut:
      return encoding_error(kRleName, base_offset + start,
                            "RLE run's " + std::to_string((bit_width + 7) / 8) + "-byte value is cut off");
    default: {
      std::uint32_t value = 0;
      for (int i = 0; i < (bit_width + 7) / 8; ++i) value |= static_cast<std::uint32_t>(data[pos + i]) << (8 * i);
      return encoding_error(kRleName, base_offset + start,
                            "RLE run value " + std::to_string(value) + " does not fit in " + std::to_string(bit_width) +
                                " bits");
    }
  }
}

}  // namespace detail

// Decodes an RLE/bit-packed hybrid stream of bit width 0..32 (levels into int16_t, dictionary
// indices into uint32_t). Bit-packed runs are unpacked 32 values at a time straight into the output
// with a kernel specialised for the width; only a partial group goes through a 32-value buffer.
// A stream that ends cleanly just yields fewer values than asked: callers know how many they need.
class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder() = default;

  // Starts on the runs in data[0, size) (no length prefix). kInvalidArgument for a width above 32,
  // after which the decoder holds no values.
  Status reset(const std::uint8_t* data, std::size_t size, int bit_width, std::size_t base_offset = 0) {
    *this = RleBitPackedDecoder();
    if (bit_width < 0 || bit_width > 32) {
      return detail::encoding_argument_error(kRleName, "bit width " + std::to_string(bit_width) + " is not in 0..32");
    }
    data_ = data;
    size_ = size;
    pos_ = 0;
    base_ = base_offset;
    width_ = bit_width;
    rle_left_ = 0;
    rle_value_ = 0;
    packed_ = nullptr;
    packed_left_ = 0;
    buf_pos_ = buf_len_ = 0;
    return ok_status();
  }

  int bit_width() const noexcept { return width_; }
  // Input bytes taken by the runs read so far (a run is taken whole when its header is read).
  std::size_t bytes_consumed() const noexcept { return pos_; }

  // Decodes up to n values into out; returns how many (fewer only where the stream ends). T must hold
  // bit_width() bits (int16_t levels: width <= 16).
  template <class T>
  Result<std::size_t> get_batch(T* out, std::size_t n) {
    static_assert(std::is_integral_v<T> && sizeof(T) <= 8);
    if constexpr (sizeof(T) < 4) {
      if (width_ > static_cast<int>(8 * sizeof(T))) {
        return detail::encoding_argument_error(kRleName, "bit width " + std::to_string(width_) +
                                                             " does not fit the output integer type");
      }
    }
    std::size_t done = 0;
    while (done < n) {
      if (rle_left_ > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(rle_left_, n - done));
        std::fill_n(out + done, k, static_cast<T>(rle_value_));
        rle_left_ -= k;
        done += k;
      } else if (const std::uint64_t avail = packed_available(); avail > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(avail, n - done));
        take_packed(out + done, k);
        done += k;
      } else {
        bool got = false;
        SLUICE_TRY(next_run(got));
        if (!got) break;
      }
    }
    return done;
  }

  // Skips up to n values; returns how many.
  Result<std::size_t> skip(std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      if (rle_left_ > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(rle_left_, n - done));
        rle_left_ -= k;
        done += k;
      } else if (const std::uint64_t avail = packed_available(); avail > 0) {
        std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(avail, n - done));
        done += k;
        const std::size_t buffered = std::min<std::size_t>(k, buf_len_ - buf_pos_);
        buf_pos_ += static_cast<std::uint32_t>(buffered);
        k -= buffered;
        const std::size_t groups = k / 32;
        packed_ += groups * 4 * static_cast<std::size_t>(width_);
        packed_left_ -= groups * 32;
        k -= groups * 32;
        if (k > 0) {
          refill();
          buf_pos_ = static_cast<std::uint32_t>(k);
        }
      } else {
        bool got = false;
        SLUICE_TRY(next_run(got));
        if (!got) break;
      }
    }
    return done;
  }

  // Dictionary indices, each checked to be below dict_size (kParseError naming the index otherwise).
  Result<std::size_t> get_indices(std::uint32_t* out, std::size_t n, std::uint32_t dict_size) {
    SLUICE_ASSIGN_OR_RETURN(const std::size_t got, get_batch(out, n));
    if (!indices_always_fit(dict_size)) {
      std::uint32_t max = 0;
      for (std::size_t i = 0; i < got; ++i) max = std::max(max, out[i]);
      if (got > 0 && max >= dict_size) return index_error(max, dict_size);
    }
    return got;
  }

  // Dictionary decoding fused with the index check: out[i] = dict[index i] for up to n values. An
  // RLE run is checked once and filled; bit-packed indices go through a small on-stack buffer.
  template <class V>
  Result<std::size_t> gather(const V* dict, std::uint32_t dict_size, V* out, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<V>);
    const bool fit = indices_always_fit(dict_size);
    std::size_t done = 0;
    std::uint32_t idx[kGatherChunk];
    while (done < n) {
      if (rle_left_ > 0) {
        if (rle_value_ >= dict_size) return index_error(rle_value_, dict_size);
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(rle_left_, n - done));
        std::fill_n(out + done, k, dict[rle_value_]);
        rle_left_ -= k;
        done += k;
      } else if (const std::uint64_t avail = packed_available(); avail > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>({avail, n - done, kGatherChunk}));
        take_packed(idx, k);
        if (!fit) {
          std::uint32_t max = 0;
          for (std::size_t i = 0; i < k; ++i) max = std::max(max, idx[i]);
          if (max >= dict_size) return index_error(max, dict_size);
        }
        V* o = out + done;
        for (std::size_t i = 0; i < k; ++i) o[i] = dict[idx[i]];
        done += k;
      } else {
        bool got = false;
        SLUICE_TRY(next_run(got));
        if (!got) break;
      }
    }
    return done;
  }

 private:
  static constexpr std::size_t kGatherChunk = 512;

  bool indices_always_fit(std::uint32_t dict_size) const noexcept {
    return width_ < 32 && (std::uint64_t{1} << width_) <= dict_size;
  }

  [[gnu::cold, gnu::noinline]] Error index_error(std::uint32_t index, std::uint32_t dict_size) const {
    return detail::encoding_error(kDictionaryName, base_ + pos_,
                                  "index " + std::to_string(index) + " is out of range for a dictionary of " +
                                      std::to_string(dict_size) + " values (in the run ending)");
  }

  std::uint64_t packed_available() const noexcept { return packed_left_ + (buf_len_ - buf_pos_); }

  Status next_run(bool& got) {
    // Zero-length runs are skipped; each still takes at least one byte, so this ends.
    while (pos_ < size_) {
      detail::RleRun run;
      const std::size_t start = pos_;
      const detail::RunStatus st = detail::read_rle_run(data_, size_, pos_, width_, run);
      if (st != detail::RunStatus::kOk) [[unlikely]] {
        return detail::rle_run_error(st, data_, size_, start, width_, base_);
      }
      if (run.count == 0) continue;
      if (run.packed) {
        packed_ = run.bytes;
        packed_left_ = run.count;
      } else {
        rle_value_ = run.value;
        rle_left_ = run.count;
      }
      got = true;
      return ok_status();
    }
    got = false;
    return ok_status();
  }

  // The next group (or the run's last 8, 16 or 24 values) into the buffer.
  void refill() noexcept {
    const std::size_t m = static_cast<std::size_t>(std::min<std::uint64_t>(packed_left_, 32));
    const std::size_t bytes = m / 8 * static_cast<std::size_t>(width_);
    if (m == 32) {
      detail::UnpackKernels<std::uint32_t>::table[static_cast<std::size_t>(width_)](packed_, buf_, 1);
    } else {
      // The run's last 8, 16 or 24 values: the kernel reads a whole group, so pad the copy with zeros.
      std::uint8_t padded[4 * 32];
      std::memcpy(padded, packed_, bytes);
      std::memset(padded + bytes, 0, 4 * static_cast<std::size_t>(width_) - bytes);
      detail::UnpackKernels<std::uint32_t>::table[static_cast<std::size_t>(width_)](padded, buf_, 1);
    }
    packed_ += bytes;
    packed_left_ -= m;
    buf_len_ = static_cast<std::uint32_t>(m);
    buf_pos_ = 0;
  }

  // k <= packed_available() values of the current bit-packed run.
  template <class T>
  void take_packed(T* out, std::size_t k) noexcept {
    std::size_t done = 0;
    if (buf_pos_ < buf_len_) {
      const std::size_t m = std::min<std::size_t>(k, buf_len_ - buf_pos_);
      for (std::size_t i = 0; i < m; ++i) out[i] = static_cast<T>(buf_[buf_pos_ + i]);
      buf_pos_ += static_cast<std::uint32_t>(m);
      done = m;
    }
    if (k - done >= 32) {
      const std::size_t groups = static_cast<std::size_t>(std::min<std::uint64_t>(k - done, packed_left_) / 32);
      detail::UnpackKernels<T>::table[static_cast<std::size_t>(width_)](packed_, out + done, groups);
      packed_ += groups * 4 * static_cast<std::size_t>(width_);
      packed_left_ -= groups * 32;
      done += groups * 32;
    }
    if (done < k) {
      refill();
      const std::size_t m = k - done;  // < 32 and <= what refill() buffered
      for (std::size_t i = 0; i < m; ++i) out[done + i] = static_cast<T>(buf_[i]);
      buf_pos_ = static_cast<std::uint32_t>(m);
    }
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
  int width_ = 0;
  std::uint64_t rle_left_ = 0;
  std::uint32_t rle_value_ = 0;
  const std::uint8_t* packed_ = nullptr;
  std::uint64_t packed_left_ = 0;  // values of the current bit-packed run not yet unpacked
  std::uint32_t buf_pos_ = 0;
  std::uint32_t buf_len_ = 0;
  std::uint32_t buf_[32] = {};
};

// Reads the bit-width byte that starts a dictionary-encoded data page (at most 32) and sets `decoder`
// on the index runs that follow.
inline Status reset_dictionary_indices(RleBitPackedDecoder& decoder, const std::uint8_t* data, std::size_t size,
                                       std::size_t base_offset = 0) {
  if (size < 1) return detail::encoding_error(kDictionaryName, base_offset, "the index bit-width byte is missing");
  if (data[0] > 32) {
    return detail::encoding_error(kDictionaryName, base_offset,
                                  "index bit width " + std::to_string(data[0]) + " is above 32");
  }
  return decoder.reset(data + 1, size - 1, data[0], base_offset + 1);
}

// Bit width 1 hybrid runs straight into an Arrow bitmap: RLE runs become filled bit ranges and
// bit-packed runs are already LSB-first bits, so they are copied. Serves the RLE encoding of BOOLEAN
// values (after read_length_prefixed) and definition levels whose maximum is 1 (validity).
class RleBooleanDecoder {
 public:
  RleBooleanDecoder() = default;

  void reset(const std::uint8_t* data, std::size_t size, std::size_t base_offset = 0) noexcept {
    data_ = data;
    size_ = size;
    pos_ = 0;
    base_ = base_offset;
    rle_left_ = 0;
    rle_value_ = false;
    packed_ = nullptr;
    packed_bit_ = 0;
    packed_left_ = 0;
  }

  std::size_t bytes_consumed() const noexcept { return pos_; }

  // Writes up to n bits to `bits` from bit `bit_offset` (other bits untouched); returns how many.
  Result<std::size_t> get_batch(std::uint8_t* bits, std::int64_t bit_offset, std::size_t n) {
    return run(bits, bit_offset, n);
  }
  Result<std::size_t> skip(std::size_t n) { return run(nullptr, 0, n); }

 private:
  Result<std::size_t> run(std::uint8_t* bits, std::int64_t bit_offset, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      if (rle_left_ > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(rle_left_, n - done));
        if (bits) fill_bits(bits, bit_offset + static_cast<std::int64_t>(done), static_cast<std::int64_t>(k), rle_value_);
        rle_left_ -= k;
        done += k;
      } else if (packed_left_ > 0) {
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(packed_left_, n - done));
        if (bits) {
          copy_bits(packed_, static_cast<std::int64_t>(packed_bit_), bits, bit_offset + static_cast<std::int64_t>(done),
                    static_cast<std::int64_t>(k));
        }
        packed_bit_ += k;
        packed_left_ -= k;
        done += k;
      } else {
        if (pos_ >= size_) break;
        detail::RleRun r;
        const std::size_t start = pos_;
        const detail::RunStatus st = detail::read_rle_run(data_, size_, pos_, 1, r);
        if (st != detail::RunStatus::kOk) [[unlikely]] {
          return detail::rle_run_error(st, data_, size_, start, 1, base_);
        }
        if (r.packed) {
          packed_ = r.bytes;
          packed_bit_ = 0;
          packed_left_ = r.count;
        } else {
          rle_value_ = r.value != 0;
          rle_left_ = r.count;
        }
      }
    }
    return done;
  }

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
  std::uint64_t rle_left_ = 0;
  bool rle_value_ = false;
  const std::uint8_t* packed_ = nullptr;
  std::uint64_t packed_bit_ = 0;
  std::uint64_t packed_left_ = 0;
};

// Data page v1 levels and RLE-encoded booleans: reads the 4-byte length, sets `decoder` on the runs
// after it and returns the bytes taken (4 + length), i.e. where what follows starts. (Data page v2
// levels carry their length in the page header: reset the decoder on them directly.)
inline Result<std::size_t> reset_length_prefixed(RleBitPackedDecoder& decoder, const std::uint8_t* data,
                                                 std::size_t size, int bit_width, std::size_t base_offset = 0) {
  SLUICE_ASSIGN_OR_RETURN(const LengthPrefixed lp, read_length_prefixed(data, size, base_offset));
  SLUICE_TRY(decoder.reset(lp.data, lp.size, bit_width, base_offset + 4));
  return lp.consumed;
}
inline Result<std::size_t> reset_length_prefixed(RleBooleanDecoder& decoder, const std::uint8_t* data,
                                                 std::size_t size, std::size_t base_offset = 0) {
  SLUICE_ASSIGN_OR_RETURN(const LengthPrefixed lp, read_length_prefixed(data, size, base_offset));
  decoder.reset(lp.data, lp.size, base_offset + 4);
  return lp.consumed;
}

// The deprecated BIT_PACKED levels encoding: values back to back, MSB first, no run headers, taking
// exactly ceil(num_values * bit_width / 8) bytes of the page.
class LegacyBitPackedDecoder {
 public:
  // Bytes the encoding of num_values values takes (the caller finds what follows with it).
  static constexpr std::uint64_t byte_length(std::uint64_t num_values, int bit_width) noexcept {
    // num_values * bit_width / 8 without overflow for any num_values.
    const auto w = static_cast<std::uint64_t>(bit_width);
    return (num_values / 8) * w + ((num_values % 8) * w + 7) / 8;
  }

  // num_values is the page's level count; its bytes must be present.
  Status reset(const std::uint8_t* data, std::size_t size, int bit_width, std::uint64_t num_values,
               std::size_t base_offset = 0) {
    left_ = 0;
    if (bit_width < 0 || bit_width > 32) {
      return detail::encoding_argument_error(kBitPackedName, "bit width " + std::to_string(bit_width) + " is not in 0..32");
    }
    const std::uint64_t need = byte_length(num_values, bit_width);
    if (need > size) {
      return detail::encoding_error(kBitPackedName, base_offset,
                                    std::to_string(num_values) + " values at " + std::to_string(bit_width) +
                                        " bits need " + std::to_string(need) + " bytes but " +
                                        std::to_string(size) + " remain");
    }
    data_ = data;
    size_ = static_cast<std::size_t>(need);
    width_ = bit_width;
    left_ = num_values;
    bit_ = 0;
    return ok_status();
  }

  std::size_t byte_size() const noexcept { return size_; }

  template <class T>
  Result<std::size_t> get_batch(T* out, std::size_t n) {
    static_assert(std::is_integral_v<T>);
    if constexpr (sizeof(T) < 4) {
      if (width_ > static_cast<int>(8 * sizeof(T))) {
        return detail::encoding_argument_error(kBitPackedName, "bit width " + std::to_string(width_) +
                                                                   " does not fit the output integer type");
      }
    }
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n));
    if (width_ == 0) {
      std::fill_n(out, k, T{0});
    } else {
      const int w = width_;
      std::size_t i = 0;
      // Whole 8-byte big-endian windows while they stay inside the data; the last values byte by byte.
      for (; i < k; ++i) {
        const std::uint64_t byte = bit_ >> 3;
        if (byte + 8 > size_) break;
        const std::uint64_t window = __builtin_bswap64(detail::load_le<std::uint64_t>(data_ + byte));
        out[i] = static_cast<T>((window << (bit_ & 7)) >> (64 - w));
        bit_ += static_cast<std::uint64_t>(w);
      }
      for (; i < k; ++i) {
        std::uint64_t v = 0;
        for (int b = 0; b < w; ++b, ++bit_) v = (v << 1) | ((data_[bit_ >> 3] >> (7 - (bit_ & 7))) & 1);
        out[i] = static_cast<T>(v);
      }
    }
    left_ -= k;
    return k;
  }

  Result<std::size_t> skip(std::size_t n) {
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(left_, n));
    bit_ += static_cast<std::uint64_t>(k) * static_cast<std::uint64_t>(width_);
    left_ -= k;
    return k;
  }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  int width_ = 0;
  std::uint64_t left_ = 0;
  std::uint64_t bit_ = 0;
};

// ---- encoders ----

namespace detail {

inline void rle_write_repeat(std::vector<std::uint8_t>& out, std::uint64_t value, std::uint64_t count, int bit_width) {
  const int value_bytes = (bit_width + 7) / 8;
  while (count > 0) {
    const std::uint64_t c = std::min(count, kMaxRleRunValues);
    write_uleb(out, c << 1);
    for (int i = 0; i < value_bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    count -= c;
  }
}

// `count` values as bit-packed runs; a count that is not a multiple of 8 is padded with zeros (only
// the stream's last run may be).
template <class T>
inline void rle_write_literals(std::vector<std::uint8_t>& out, const T* values, std::size_t count, int bit_width) {
  constexpr std::size_t kMaxGroups = kMaxRleRunValues / 8;
  while (count > 0) {
    const std::size_t groups = std::min<std::size_t>((count + 7) / 8, kMaxGroups);
    const std::size_t take = std::min(count, groups * 8);
    write_uleb(out, (static_cast<std::uint64_t>(groups) << 1) | 1);
    const std::size_t at = out.size();
    out.resize(at + groups * static_cast<std::size_t>(bit_width), 0);
    pack_bits(values, take, bit_width, out.data() + at);
    values += take;
    count -= take;
  }
}

}  // namespace detail

// Appends the hybrid encoding (no length prefix) of n values of bit_width bits (0..32): repeats of
// 8 or more become RLE runs, everything else bit-packed runs. Values must fit the width.
template <class T>
inline void encode_rle_bit_packed(const T* values, std::size_t n, int bit_width, std::vector<std::uint8_t>& out) {
  std::size_t lit_start = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i + 1;
    while (j < n && values[j] == values[i]) ++j;
    const std::size_t run = j - i;
    if (run >= 8) {
      // A bit-packed run holds a multiple of 8 values: top the pending literals up from this run.
      const std::size_t pad = (8 - (i - lit_start) % 8) % 8;
      if (run - pad >= 8) {
        detail::rle_write_literals(out, values + lit_start, i + pad - lit_start, bit_width);
        detail::rle_write_repeat(out, static_cast<std::uint64_t>(values[i]), run - pad, bit_width);
        lit_start = j;
      }
    }
    i = j;
  }
  detail::rle_write_literals(out, values + lit_start, n - lit_start, bit_width);
}

// The same, preceded by its 4-byte little-endian length (data page v1 levels).
template <class T>
inline void encode_rle_bit_packed_length_prefixed(const T* values, std::size_t n, int bit_width,
                                                  std::vector<std::uint8_t>& out) {
  const std::size_t at = out.size();
  out.resize(at + 4);
  encode_rle_bit_packed(values, n, bit_width, out);
  detail::store_le(out.data() + at, static_cast<std::uint32_t>(out.size() - at - 4));
}

// The RLE encoding of BOOLEAN values: n bits of an Arrow bitmap from bit_offset, length-prefixed.
inline void encode_rle_booleans(const std::uint8_t* bits, std::int64_t bit_offset, std::size_t n,
                                std::vector<std::uint8_t>& out) {
  std::vector<std::uint8_t> values(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t b = bit_offset + static_cast<std::int64_t>(i);
    values[i] = (bits[b >> 3] >> (b & 7)) & 1;
  }
  encode_rle_bit_packed_length_prefixed(values.data(), n, 1, out);
}

// The deprecated BIT_PACKED encoding (MSB first), for tests and old-style writers.
template <class T>
inline void encode_legacy_bit_packed(const T* values, std::size_t n, int bit_width, std::vector<std::uint8_t>& out) {
  const std::size_t at = out.size();
  out.resize(at + static_cast<std::size_t>(LegacyBitPackedDecoder::byte_length(n, bit_width)), 0);
  std::uint8_t* p = out.data() + at;
  std::uint64_t bit = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = static_cast<std::uint64_t>(values[i]);
    for (int b = bit_width - 1; b >= 0; --b, ++bit) {
      if ((v >> b) & 1) p[bit >> 3] = static_cast<std::uint8_t>(p[bit >> 3] | (0x80u >> (bit & 7)));
    }
  }
}

}  // namespace sluice::parquet
