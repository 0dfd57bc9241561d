// DELTA_LENGTH_BYTE_ARRAY (lengths as DELTA_BINARY_PACKED, then the bytes back to back) and
// DELTA_BYTE_ARRAY (prefix lengths as DELTA_BINARY_PACKED, then the suffixes as
// DELTA_LENGTH_BYTE_ARRAY): decoders into BinaryOut or fixed-width output, and encoders.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "parquet/encoding/binary_out.hpp"
#include "parquet/encoding/common.hpp"
#include "parquet/encoding/delta_binary_packed.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// Decodes DELTA_LENGTH_BYTE_ARRAY. reset() walks the length stream's block headers once to find
// where the bytes start; lengths are then decoded in chunks as values are asked for, so nothing is
// allocated from the (untrusted) value count.
class DeltaLengthByteArrayDecoder {
 public:
  DeltaLengthByteArrayDecoder() = default;

  Status reset(const std::uint8_t* data, std::size_t size, std::size_t base_offset = 0) {
    data_ = nullptr;
    size_ = pos_ = 0;
    SLUICE_TRY(lengths_.reset(data, size, base_offset));
    SLUICE_ASSIGN_OR_RETURN(const std::size_t lengths_end, lengths_.encoded_length());
    data_ = data;
    size_ = size;
    pos_ = lengths_end;
    base_ = base_offset;
    return ok_status();
  }

  std::uint32_t total_count() const noexcept { return lengths_.total_count(); }
  std::uint64_t values_left() const noexcept { return lengths_.values_left(); }
  // Bytes taken so far: the lengths and the bytes of the values decoded. After the last value it is
  // the whole encoding (what DELTA_BYTE_ARRAY's caller would find after it).
  std::size_t bytes_consumed() const noexcept { return pos_; }

  // Up to n values as views into the page; returns how many.
  Result<std::size_t> get_views(ByteArrayView* out, std::size_t n) {
    std::int32_t lens[kChunk];
    std::size_t done = 0;
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, lengths_.get_batch(lens, std::min(n - done, kChunk)));
      if (got == 0) break;
      for (std::size_t i = 0; i < got; ++i) {
        if (!length_fits(lens[i], pos_)) [[unlikely]] return length_error(lens[i], pos_);
        out[done + i] = ByteArrayView{data_ + pos_, static_cast<std::uint32_t>(lens[i])};
        pos_ += static_cast<std::size_t>(lens[i]);
      }
      done += got;
    }
    return done;
  }

  // Up to n values appended to out; returns how many.
  Result<std::size_t> get_batch(BinaryOut& out, std::size_t n) {
    // The values cannot hold more than what is left of the page: one reservation, no regrowth (an
    // output near its limit grows chunk by chunk instead, so the limit still counts real bytes).
    const auto left = static_cast<std::int64_t>(size_ - pos_);
    if (n > 0 && left <= out.max_bytes() - out.current_offset()) SLUICE_TRY(out.reserve(0, left));
    std::int32_t lens[kChunk];
    std::size_t done = 0;
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, lengths_.get_batch(lens, std::min(n - done, kChunk)));
      if (got == 0) break;
      std::size_t p = pos_;
      for (std::size_t i = 0; i < got; ++i) {
        if (!length_fits(lens[i], p)) [[unlikely]] return length_error(lens[i], p);
        p += static_cast<std::size_t>(lens[i]);
      }
      SLUICE_TRY(out.reserve(static_cast<std::int64_t>(got), static_cast<std::int64_t>(p - pos_)));
      for (std::size_t i = 0; i < got; ++i) {
        out.append_unchecked(data_ + pos_, static_cast<std::size_t>(lens[i]), size_ - pos_);
        pos_ += static_cast<std::size_t>(lens[i]);
      }
      done += got;
    }
    return done;
  }

  Result<std::size_t> skip(std::size_t n) {
    std::int32_t lens[kChunk];
    std::size_t done = 0;
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, lengths_.get_batch(lens, std::min(n - done, kChunk)));
      if (got == 0) break;
      for (std::size_t i = 0; i < got; ++i) {
        if (!length_fits(lens[i], pos_)) [[unlikely]] return length_error(lens[i], pos_);
        pos_ += static_cast<std::size_t>(lens[i]);
      }
      done += got;
    }
    return done;
  }

 private:
  static constexpr std::size_t kChunk = 1024;

  bool length_fits(std::int32_t len, std::size_t at) const noexcept {
    return len >= 0 && static_cast<std::size_t>(len) <= size_ - at;
  }

  [[gnu::cold, gnu::noinline]] Error length_error(std::int32_t len, std::size_t at) const {
    return detail::encoding_error(kDeltaLengthByteArrayName, base_ + at,
                                  len < 0 ? "value length " + std::to_string(len) + " is negative"
                                          : "value of " + std::to_string(len) + " bytes reaches past the end (" +
                                                std::to_string(size_ - at) + " bytes left)");
  }

  DeltaBinaryPackedDecoder<std::int32_t> lengths_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::size_t base_ = 0;
};

// Decodes DELTA_BYTE_ARRAY: value i is the first prefix[i] bytes of value i-1 followed by suffix i.
// The last value is kept between calls, so batches can go to different outputs.
class DeltaByteArrayDecoder {
 public:
  DeltaByteArrayDecoder() = default;

  Status reset(const std::uint8_t* data, std::size_t size, std::size_t base_offset = 0) {
    SLUICE_TRY(prefixes_.reset(data, size, base_offset));
    SLUICE_ASSIGN_OR_RETURN(const std::size_t prefixes_end, prefixes_.encoded_length());
    SLUICE_TRY(suffixes_.reset(data + prefixes_end, size - prefixes_end, base_offset + prefixes_end));
    if (prefixes_.total_count() != suffixes_.total_count()) {
      return detail::encoding_error(kDeltaByteArrayName, base_offset + prefixes_end,
                                    std::to_string(prefixes_.total_count()) + " prefix lengths but " +
                                        std::to_string(suffixes_.total_count()) + " suffixes");
    }
    base_ = base_offset;
    prefixes_end_ = prefixes_end;
    page_end_ = data + size;
    last_.clear();
    return ok_status();
  }

  std::uint32_t total_count() const noexcept { return prefixes_.total_count(); }
  std::uint64_t values_left() const noexcept { return prefixes_.values_left(); }
  // Bytes taken so far; after the last value, the whole encoding.
  std::size_t bytes_consumed() const noexcept { return prefixes_end_ + suffixes_.bytes_consumed(); }

  // Up to n values appended to out; returns how many. kLimitExceeded if the values (which prefixes
  // can make much larger than the page) would pass out's limit.
  Result<std::size_t> get_batch(BinaryOut& out, std::size_t n) {
    std::int32_t prefix[kChunk];
    ByteArrayView suffix[kChunk];
    std::size_t done = 0;
    std::int64_t prev_off = -1;  // the previous value's offset in out; -1: it is last_
    std::size_t prev_len = last_.size();
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, next_chunk(prefix, suffix, std::min(n - done, kChunk)));
      if (got == 0) break;
      std::int64_t total = 0;
      std::size_t len = prev_len;
      for (std::size_t i = 0; i < got; ++i) {
        if (!prefix_fits(prefix[i], len)) [[unlikely]] return prefix_error(prefix[i], len, done + i);
        len = static_cast<std::size_t>(prefix[i]) + suffix[i].size;
        total += static_cast<std::int64_t>(len);
      }
      SLUICE_TRY(out.reserve(static_cast<std::int64_t>(got), total));
      // Short prefixes and suffixes move as fixed kSlack-byte copies where that much may be read (the
      // output reserves that much slack, so the writes stay inside it too).
      constexpr std::size_t kShort = BinaryOut::kSlack;
      const std::uint8_t* prev = prev_off < 0 ? last_.data() : out.data() + prev_off;
      std::size_t prev_readable = prev_off < 0 ? 0 : static_cast<std::size_t>(out.data_capacity() - prev_off);
      for (std::size_t i = 0; i < got; ++i) {
        const auto p = static_cast<std::size_t>(prefix[i]);
        const ByteArrayView& sfx = suffix[i];
        std::uint8_t* dst = out.tail();
        if (p <= kShort && prev_readable >= kShort) {
          std::uint8_t tmp[kShort];  // prev's kShort bytes may run into dst: read them all before writing
          std::memcpy(tmp, prev, kShort);
          std::memcpy(dst, tmp, kShort);
        } else if (p != 0) {
          std::memcpy(dst, prev, p);
        }
        if (sfx.size <= kShort && static_cast<std::size_t>(page_end_ - sfx.data) >= kShort) {
          std::memcpy(dst + p, sfx.data, kShort);
        } else if (sfx.size != 0) {
          std::memcpy(dst + p, sfx.data, sfx.size);
        }
        prev_off = out.current_offset();
        prev_len = p + sfx.size;
        out.commit_unchecked(prev_len);
        prev = dst;
        prev_readable = static_cast<std::size_t>(out.data_capacity() - prev_off);
      }
      done += got;
    }
    if (prev_off >= 0) last_.assign(out.data() + prev_off, out.data() + prev_off + prev_len);
    return done;
  }

  // FIXED_LEN_BYTE_ARRAY: up to n values of exactly `width` bytes each into out; returns how many.
  Result<std::size_t> get_fixed(std::uint8_t* out, std::size_t n, std::size_t width) {
    std::int32_t prefix[kChunk];
    ByteArrayView suffix[kChunk];
    std::size_t done = 0;
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, next_chunk(prefix, suffix, std::min(n - done, kChunk)));
      if (got == 0) break;
      for (std::size_t i = 0; i < got; ++i) {
        const std::size_t k = done + i;
        const std::uint8_t* prev = k == 0 ? last_.data() : out + (k - 1) * width;
        const std::size_t prev_len = k == 0 ? last_.size() : width;
        if (!prefix_fits(prefix[i], prev_len)) [[unlikely]] return prefix_error(prefix[i], prev_len, k);
        const auto p = static_cast<std::size_t>(prefix[i]);
        if (p + suffix[i].size != width) {
          return detail::encoding_error(kDeltaByteArrayName, base_ + prefixes_end_,
                                        "value " + std::to_string(k + 1) + " of the batch has " +
                                            std::to_string(p + suffix[i].size) +
                                            " bytes, not the column's fixed " + std::to_string(width));
        }
        std::uint8_t* dst = out + k * width;
        if (p != 0) std::memmove(dst, prev, p);
        if (suffix[i].size != 0) std::memcpy(dst + p, suffix[i].data, suffix[i].size);
      }
      done += got;
    }
    if (done > 0) last_.assign(out + (done - 1) * width, out + done * width);
    return done;
  }

  // Skips up to n values, keeping only the last (prefixes are still checked; FIXED_LEN_BYTE_ARRAY
  // widths are not, as skip() does not know them).
  Result<std::size_t> skip(std::size_t n) {
    std::int32_t prefix[kChunk];
    ByteArrayView suffix[kChunk];
    std::size_t done = 0;
    while (done < n) {
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, next_chunk(prefix, suffix, std::min(n - done, kChunk)));
      if (got == 0) break;
      for (std::size_t i = 0; i < got; ++i) {
        if (!prefix_fits(prefix[i], last_.size())) [[unlikely]] return prefix_error(prefix[i], last_.size(), done + i);
        last_.resize(static_cast<std::size_t>(prefix[i]));
        last_.insert(last_.end(), suffix[i].data, suffix[i].data + suffix[i].size);
      }
      done += got;
    }
    return done;
  }

 private:
  static constexpr std::size_t kChunk = 256;

  Result<std::size_t> next_chunk(std::int32_t* prefix, ByteArrayView* suffix, std::size_t want) {
    SLUICE_ASSIGN_OR_RETURN(const std::size_t got_p, prefixes_.get_batch(prefix, want));
    SLUICE_ASSIGN_OR_RETURN(const std::size_t got_s, suffixes_.get_views(suffix, got_p));
    if (got_s != got_p) {  // not reached: reset() checked that both counts agree
      return detail::encoding_error(kDeltaByteArrayName, base_ + prefixes_end_, "fewer suffixes than prefix lengths");
    }
    return got_p;
  }

  static bool prefix_fits(std::int32_t prefix, std::size_t prev_len) noexcept {
    return prefix >= 0 && static_cast<std::size_t>(prefix) <= prev_len;
  }

  [[gnu::cold, gnu::noinline]] Error prefix_error(std::int32_t prefix, std::size_t prev_len, std::size_t index) const {
    return detail::encoding_error(kDeltaByteArrayName, base_,
                                  "value " + std::to_string(index + 1) + " of the batch has prefix length " +
                                      std::to_string(prefix) + " but the value before it has " +
                                      std::to_string(prev_len) + " bytes");
  }

  DeltaBinaryPackedDecoder<std::int32_t> prefixes_;
  DeltaLengthByteArrayDecoder suffixes_;
  std::vector<std::uint8_t> last_;
  std::size_t base_ = 0;
  std::size_t prefixes_end_ = 0;
  const std::uint8_t* page_end_ = nullptr;
};

// ---- encoders ----

// Appends the DELTA_LENGTH_BYTE_ARRAY encoding of n values (each shorter than 2^31 bytes).
inline void encode_delta_length_byte_array(const ByteArrayView* values, std::size_t n, std::vector<std::uint8_t>& out) {
  std::vector<std::int32_t> lengths(n);
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    lengths[i] = static_cast<std::int32_t>(values[i].size);
    total += values[i].size;
  }
  encode_delta_binary_packed(lengths.data(), n, out);
  out.reserve(out.size() + total);
  for (std::size_t i = 0; i < n; ++i) out.insert(out.end(), values[i].data, values[i].data + values[i].size);
}

// Appends the DELTA_BYTE_ARRAY encoding of n values: each value's common prefix with the one before.
inline void encode_delta_byte_array(const ByteArrayView* values, std::size_t n, std::vector<std::uint8_t>& out) {
  std::vector<std::int32_t> prefixes(n);
  std::vector<ByteArrayView> suffixes(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t p = 0;
    if (i > 0) {
      const std::uint32_t m = std::min(values[i].size, values[i - 1].size);
      while (p < m && values[i].data[p] == values[i - 1].data[p]) ++p;
    }
    prefixes[i] = static_cast<std::int32_t>(p);
    suffixes[i] = ByteArrayView{values[i].data + p, values[i].size - p};
  }
  encode_delta_binary_packed(prefixes.data(), n, out);
  encode_delta_length_byte_array(suffixes.data(), n, out);
}

}  // namespace sluice::parquet
