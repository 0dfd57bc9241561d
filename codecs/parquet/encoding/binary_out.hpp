// BinaryOut: where decoders put BYTE_ARRAY values, in Arrow's layout (int64 offsets + bytes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "parquet/encoding/common.hpp"
#include "sluice/core/buffer.hpp"
#include "sluice/core/error.hpp"

namespace sluice::parquet {

// Growing int64 offsets (length + 1 entries, the first 0) and concatenated bytes of binary values.
// Decoders call reserve() for a chunk of values and then append_unchecked() without capacity checks;
// reserve() is also where the output-size limit is enforced, because some encodings (dictionaries,
// DELTA_BYTE_ARRAY prefixes) can expand a small page into a lot of output.
class BinaryOut {
 public:
  struct Buffers {
    BufferPtr offsets;  // (length + 1) int64 values
    BufferPtr data;     // offsets[length] bytes
    std::int64_t length = 0;
  };

  static constexpr std::int64_t kDefaultMaxBytes = std::int64_t{1} << 32;
  static constexpr std::size_t kSlack = 64;

  explicit BinaryOut(std::int64_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}
  BinaryOut(const BinaryOut&) = delete;
  BinaryOut& operator=(const BinaryOut&) = delete;
  // A moved-from BinaryOut is empty (its cached pointers must not follow the buffers away).
  BinaryOut(BinaryOut&& o) noexcept { *this = std::move(o); }
  BinaryOut& operator=(BinaryOut&& o) noexcept {
    if (this != &o) {
      max_bytes_ = o.max_bytes_;
      offsets_ = std::move(o.offsets_);
      data_ = std::move(o.data_);
      offs_ = std::exchange(o.offs_, nullptr);
      bytes_ = std::exchange(o.bytes_, nullptr);
      length_ = std::exchange(o.length_, 0);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }

  std::int64_t length() const noexcept { return length_; }
  // Bytes appended so far: the offset the next value starts at.
  std::int64_t current_offset() const noexcept { return size_; }
  std::int64_t max_bytes() const noexcept { return max_bytes_; }
  // Bytes allocated for data: everything below data() + data_capacity() may be read.
  std::int64_t data_capacity() const noexcept { return data_ ? data_->capacity() : 0; }
  const std::uint8_t* data() const noexcept { return bytes_; }
  const std::int64_t* offsets() const noexcept { return offs_; }
  std::string_view value(std::int64_t i) const noexcept {
    return {reinterpret_cast<const char*>(bytes_) + offs_[i], static_cast<std::size_t>(offs_[i + 1] - offs_[i])};
  }

  // Room for `values` more values holding `bytes` more bytes in total. kLimitExceeded when the bytes
  // would pass max_bytes (nothing is allocated then).
  Status reserve(std::int64_t values, std::int64_t bytes) {
    if (bytes > max_bytes_ - size_) {
      return Error(ErrorCode::kLimitExceeded, "byte array output would grow past " + std::to_string(max_bytes_) +
                                                  " bytes (" + std::to_string(size_) + " + " +
                                                  std::to_string(bytes) + ")");
    }
    const std::int64_t need_offs = (length_ + 1 + values) * 8;
    if (!offsets_ || need_offs > offsets_->capacity()) {
      if (!offsets_) {
        offsets_ = Buffer::allocate(0, false);
      } else {
        offsets_->resize((length_ + 1) * 8, false);
      }
      offsets_->reserve(std::max(need_offs, offsets_->capacity() * 2), false);
      offs_ = offsets_->mutable_data_as<std::int64_t>();
      if (length_ == 0) offs_[0] = 0;
    }
    // kSlack extra bytes let append_unchecked() copy short values as one fixed-size move.
    const std::int64_t need_bytes = size_ + bytes + kSlack;
    if (!data_ || need_bytes > data_->capacity()) {
      if (!data_) {
        data_ = Buffer::allocate(0, false);
      } else {
        data_->resize(size_, false);
      }
      data_->reserve(std::max(need_bytes, data_->capacity() * 2), false);
      bytes_ = data_->mutable_data();
    }
    return ok_status();
  }

  // One value after reserve().
  void append_unchecked(const std::uint8_t* p, std::size_t n) noexcept {
    if (n != 0) std::memcpy(bytes_ + size_, p, n);
    size_ += static_cast<std::int64_t>(n);
    offs_[++length_] = size_;
  }
  // The same where the caller knows that `readable` >= n bytes from p may be read: values of up to
  // kSlack bytes then move as one fixed-size copy instead of a call to memcpy.
  void append_unchecked(const std::uint8_t* p, std::size_t n, std::size_t readable) noexcept {
    if (n <= kSlack && readable >= kSlack) {
      std::memcpy(bytes_ + size_, p, kSlack);
    } else if (n != 0) {
      std::memcpy(bytes_ + size_, p, n);
    }
    size_ += static_cast<std::int64_t>(n);
    offs_[++length_] = size_;
  }
  // For decoders that build a value in place: write at tail(), then commit its size.
  std::uint8_t* tail() noexcept { return bytes_ + size_; }
  void commit_unchecked(std::size_t n) noexcept {
    size_ += static_cast<std::int64_t>(n);
    offs_[++length_] = size_;
  }

  // `count` values of `width` bytes each, already written at tail() (after reserve()).
  void commit_uniform_unchecked(std::size_t count, std::size_t width) noexcept {
    std::int64_t* o = offs_ + length_ + 1;
    const auto w = static_cast<std::int64_t>(width);
    std::int64_t at = size_;
    for (std::size_t i = 0; i < count; ++i) o[i] = (at += w);
    size_ = at;
    length_ += static_cast<std::int64_t>(count);
  }

  Status append(const std::uint8_t* p, std::size_t n) {
    SLUICE_TRY(reserve(1, static_cast<std::int64_t>(n)));
    append_unchecked(p, n);
    return ok_status();
  }
  // `n` empty values (the slots of nulls in a nullable column).
  Status append_empty(std::int64_t n) {
    SLUICE_TRY(reserve(n, 0));
    for (std::int64_t i = 0; i < n; ++i) offs_[++length_] = size_;
    return ok_status();
  }

  // Hands out the buffers (sized exactly) and starts over empty.
  Buffers finish() {
    if (!offsets_) (void)reserve(0, 0);  // cannot fail: no bytes asked for
    offsets_->resize((length_ + 1) * 8, false);
    data_->resize(size_, false);
    Buffers out{std::move(offsets_), std::move(data_), length_};
    offsets_.reset();
    data_.reset();
    offs_ = nullptr;
    bytes_ = nullptr;
    length_ = 0;
    size_ = 0;
    return out;
  }

 private:
  std::int64_t max_bytes_ = kDefaultMaxBytes;
  BufferPtr offsets_;
  BufferPtr data_;
  std::int64_t* offs_ = nullptr;
  std::uint8_t* bytes_ = nullptr;
  std::int64_t length_ = 0;
  std::int64_t size_ = 0;
};

}  // namespace sluice::parquet
