// Dictionary encoding: the decoded dictionary page (PLAIN values) and the gather of data-page indices
// (RLE/bit-packed hybrid, see reset_dictionary_indices) into values, every index range-checked.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "parquet/encoding/binary_out.hpp"
#include "parquet/encoding/common.hpp"
#include "parquet/encoding/plain.hpp"
#include "parquet/encoding/rle.hpp"
#include "sluice/core/buffer.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

namespace detail {

// A value of N bytes with alignment 1, so gathers can write to any output position.
template <std::size_t N>
struct RawBytes {
  std::uint8_t b[N];
};

inline Status check_dictionary_count(std::uint64_t num_values, std::size_t size, std::size_t min_bytes,
                                     std::size_t base_offset) {
  if (num_values > std::numeric_limits<std::uint32_t>::max() || num_values > size / min_bytes) {
    return encoding_error(kPlainName, base_offset,
                          "dictionary page claims " + std::to_string(num_values) + " values but has only " +
                              std::to_string(size) + " bytes");
  }
  return ok_status();
}

}  // namespace detail

// A dictionary of a fixed-width physical type (INT32, INT64, FLOAT, DOUBLE, INT96,
// FIXED_LEN_BYTE_ARRAY): its values copied once into an aligned buffer.
class FixedDictionary {
 public:
  // Decodes num_values PLAIN values of `width` bytes; the count is checked against `size` first.
  Status decode_plain(const std::uint8_t* data, std::size_t size, std::uint64_t num_values, std::size_t width,
                      std::size_t base_offset = 0) {
    if (width == 0) return detail::encoding_argument_error(kPlainName, "dictionary value width 0");
    SLUICE_TRY(detail::check_dictionary_count(num_values, size, width, base_offset));
    const std::size_t bytes = static_cast<std::size_t>(num_values) * width;
    values_ = Buffer::allocate(static_cast<std::int64_t>(bytes), false);
    if (bytes != 0) std::memcpy(values_->mutable_data(), data, bytes);
    size_ = static_cast<std::uint32_t>(num_values);
    width_ = width;
    return ok_status();
  }

  std::uint32_t size() const noexcept { return size_; }
  std::size_t width() const noexcept { return width_; }
  const std::uint8_t* data() const noexcept { return values_ ? values_->data() : nullptr; }
  template <class T>
  const T* values() const noexcept { return values_ ? values_->data_as<T>() : nullptr; }

  // Reads up to n indices from `indices` and writes their values (width() bytes each) to out;
  // returns how many. An index out of range is a kParseError.
  Result<std::size_t> gather(RleBitPackedDecoder& indices, std::uint8_t* out, std::size_t n) const {
    switch (width_) {
      case 1: return gather_as<1>(indices, out, n);
      case 2: return gather_as<2>(indices, out, n);
      case 4: return gather_as<4>(indices, out, n);
      case 8: return gather_as<8>(indices, out, n);
      case 12: return gather_as<12>(indices, out, n);
      case 16: return gather_as<16>(indices, out, n);
      default: break;
    }
    std::uint32_t idx[512];
    std::size_t done = 0;
    while (done < n) {
      const std::size_t want = std::min<std::size_t>(n - done, 512);
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, indices.get_indices(idx, want, size_));
      const std::uint8_t* dict = data();
      for (std::size_t i = 0; i < got; ++i) std::memcpy(out + (done + i) * width_, dict + idx[i] * width_, width_);
      done += got;
      if (got < want) break;
    }
    return done;
  }

 private:
  template <std::size_t N>
  Result<std::size_t> gather_as(RleBitPackedDecoder& indices, std::uint8_t* out, std::size_t n) const {
    using V = detail::RawBytes<N>;
    return indices.gather(reinterpret_cast<const V*>(data()), size_, reinterpret_cast<V*>(out), n);
  }

  BufferPtr values_;
  std::uint32_t size_ = 0;
  std::size_t width_ = 0;
};

// A BYTE_ARRAY dictionary: views into the dictionary page, whose memory `keeper` keeps alive.
class BinaryDictionary {
 public:
  Status decode_plain(const std::uint8_t* data, std::size_t size, std::uint64_t num_values,
                      std::shared_ptr<const void> keeper, std::size_t base_offset = 0) {
    // Each value takes at least its 4-byte length: this bounds the views allocated below.
    SLUICE_TRY(detail::check_dictionary_count(num_values, size, 4, base_offset));
    views_.resize(static_cast<std::size_t>(num_values));
    PlainDecoder plain;
    plain.reset(data, size, base_offset);
    Status st = plain.get_byte_array_views(views_.data(), views_.size());
    if (!st.ok()) {
      views_.clear();
      return st;
    }
    keeper_ = std::move(keeper);
    page_end_ = data + size;
    pack_uniform();
    return ok_status();
  }

  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(views_.size()); }
  const ByteArrayView* views() const noexcept { return views_.data(); }
  const ByteArrayView& operator[](std::uint32_t i) const noexcept { return views_[i]; }

  // Reads up to n indices and appends their values to out; returns how many. Index out of range:
  // kParseError; output past out's limit: kLimitExceeded.
  Result<std::size_t> gather(RleBitPackedDecoder& indices, BinaryOut& out, std::size_t n) const {
    switch (uniform_width_) {
      case 1: return gather_uniform<1>(indices, out, n);
      case 2: return gather_uniform<2>(indices, out, n);
      case 3: return gather_uniform<3>(indices, out, n);
      case 4: return gather_uniform<4>(indices, out, n);
      case 8: return gather_uniform<8>(indices, out, n);
      case 16: return gather_uniform<16>(indices, out, n);
      default: break;
    }
    constexpr std::size_t kChunk = 512;
    std::uint32_t idx[kChunk];
    const std::uint32_t dict_size = size();
    std::size_t done = 0;
    while (done < n) {
      const std::size_t want = std::min(n - done, kChunk);
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got, indices.get_indices(idx, want, dict_size));
      std::int64_t bytes = 0;
      for (std::size_t i = 0; i < got; ++i) bytes += views_[idx[i]].size;
      SLUICE_TRY(out.reserve(static_cast<std::int64_t>(got), bytes));
      for (std::size_t i = 0; i < got; ++i) {
        const ByteArrayView& v = views_[idx[i]];
        out.append_unchecked(v.data, v.size, static_cast<std::size_t>(page_end_ - v.data));
      }
      done += got;
      if (got < want) break;
    }
    return done;
  }

 private:
  // Codes, flags, ISO currencies: a dictionary whose values all have one short length is gathered
  // like a fixed-width one (values packed side by side, offsets by arithmetic) instead of value by
  // value through the views.
  void pack_uniform() {
    uniform_width_ = 0;
    packed_.clear();
    if (views_.empty()) return;
    const std::size_t w = views_[0].size;
    if (w == 0 || w > 16 || (w > 4 && w != 8 && w != 16)) return;
    for (const ByteArrayView& v : views_) {
      if (v.size != w) return;
    }
    packed_.resize(views_.size() * w);
    for (std::size_t i = 0; i < views_.size(); ++i) std::memcpy(packed_.data() + i * w, views_[i].data, w);
    uniform_width_ = w;
  }

  template <std::size_t W>
  Result<std::size_t> gather_uniform(RleBitPackedDecoder& indices, BinaryOut& out, std::size_t n) const {
    using V = detail::RawBytes<W>;
    constexpr std::size_t kChunk = 4096;
    std::size_t done = 0;
    while (done < n) {
      const std::size_t want = std::min(n - done, kChunk);
      SLUICE_TRY(out.reserve(static_cast<std::int64_t>(want), static_cast<std::int64_t>(want * W)));
      SLUICE_ASSIGN_OR_RETURN(const std::size_t got,
                              indices.gather(reinterpret_cast<const V*>(packed_.data()), size(),
                                             reinterpret_cast<V*>(out.tail()), want));
      out.commit_uniform_unchecked(got, W);
      done += got;
      if (got < want) break;
    }
    return done;
  }

  std::vector<ByteArrayView> views_;
  std::shared_ptr<const void> keeper_;
  const std::uint8_t* page_end_ = nullptr;  // values may be read up to here (short copies)
  std::vector<std::uint8_t> packed_;        // uniform_width_ bytes per value, when all have that width
  std::size_t uniform_width_ = 0;
};

}  // namespace sluice::parquet
