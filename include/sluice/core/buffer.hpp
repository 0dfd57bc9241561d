// A contiguous block of bytes for column data: 64-byte aligned, padded to a multiple of 64 bytes,
// either owned (allocated here) or borrowed (memory kept alive by someone else's handle).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace sluice {

inline constexpr std::int64_t kBufferAlignment = 64;

inline constexpr std::int64_t round_up_64(std::int64_t n) noexcept { return (n + 63) & ~std::int64_t{63}; }

namespace detail {

// Buffers from this size up ask for transparent huge pages (where THP is in "madvise" mode, as on
// Debian): a column chunk or decoded row group is then faulted in 2 MiB at a time instead of 4 KiB,
// which is most of what a multi-threaded scan spends in the kernel. Only whole 2 MiB pages inside
// the buffer are marked; the hint is ignored where THP is off.
inline constexpr std::int64_t kHugePageHintBytes = std::int64_t{4} << 20;

inline void advise_huge_pages(void* p, std::int64_t n) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + static_cast<std::uintptr_t>(n)) & ~(kHuge - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

}  // namespace detail

class Buffer {
 public:
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (owned_) std::free(data_);
  }

  // Owned, zero-filled memory of `size` bytes (capacity rounded up to 64). Throws std::bad_alloc
  // only where the process is out of memory; sizes are checked against limits by callers.
  static std::shared_ptr<Buffer> allocate(std::int64_t size, bool zero = true) {
    auto b = std::shared_ptr<Buffer>(new Buffer());
    b->reserve(size, zero);
    b->size_ = size;
    return b;
  }

  // Borrowed memory: `keeper` holds whatever keeps `data` alive (may be null for static memory).
  static std::shared_ptr<Buffer> wrap(const void* data, std::int64_t size, std::shared_ptr<const void> keeper) {
    auto b = std::shared_ptr<Buffer>(new Buffer());
    b->data_ = static_cast<std::uint8_t*>(const_cast<void*>(data));
    b->size_ = size;
    b->capacity_ = size;
    b->owned_ = false;
    b->keeper_ = std::move(keeper);
    return b;
  }

  const std::uint8_t* data() const noexcept { return data_; }
  std::uint8_t* mutable_data() noexcept { return data_; }
  template <class T>
  const T* data_as() const noexcept { return reinterpret_cast<const T*>(data_); }
  template <class T>
  T* mutable_data_as() noexcept { return reinterpret_cast<T*>(data_); }
  std::int64_t size() const noexcept { return size_; }
  std::int64_t capacity() const noexcept { return capacity_; }
  bool owned() const noexcept { return owned_; }

  // Owned buffers only: grows capacity (to a multiple of 64), keeping contents; new bytes zeroed.
  void reserve(std::int64_t capacity, bool zero = true) {
    if (capacity <= capacity_ && data_ != nullptr) return;
    std::int64_t cap = round_up_64(capacity < 64 ? 64 : capacity);
    auto* p = static_cast<std::uint8_t*>(std::aligned_alloc(kBufferAlignment, static_cast<std::size_t>(cap)));
    if (p == nullptr) throw std::bad_alloc();
    if (cap >= detail::kHugePageHintBytes) detail::advise_huge_pages(p, cap);
    if (data_ != nullptr && size_ > 0) std::memcpy(p, data_, static_cast<std::size_t>(size_));
    if (zero) std::memset(p + size_, 0, static_cast<std::size_t>(cap - size_));
    else std::memset(p + (cap > 64 ? cap - 64 : 0), 0, static_cast<std::size_t>(cap > 64 ? 64 : cap));
    if (owned_) std::free(data_);
    data_ = p;
    capacity_ = cap;
    owned_ = true;
  }
  void resize(std::int64_t size, bool zero = true) {
    if (size > capacity_) reserve(size > capacity_ * 2 ? size : capacity_ * 2, zero);
    size_ = size;
  }

 private:
  Buffer() = default;
  std::uint8_t* data_ = nullptr;
  std::int64_t size_ = 0;
  std::int64_t capacity_ = 0;
  bool owned_ = true;
  std::shared_ptr<const void> keeper_;
};

using BufferPtr = std::shared_ptr<Buffer>;

namespace bit {
inline bool get(const std::uint8_t* bits, std::int64_t i) noexcept { return (bits[i >> 3] >> (i & 7)) & 1; }
inline void set(std::uint8_t* bits, std::int64_t i) noexcept { bits[i >> 3] |= static_cast<std::uint8_t>(1u << (i & 7)); }
inline void clear(std::uint8_t* bits, std::int64_t i) noexcept { bits[i >> 3] &= static_cast<std::uint8_t>(~(1u << (i & 7))); }
inline void set_to(std::uint8_t* bits, std::int64_t i, bool v) noexcept { v ? set(bits, i) : clear(bits, i); }
inline std::int64_t bytes_for(std::int64_t bits) noexcept { return (bits + 7) / 8; }
}  // namespace bit

}  // namespace sluice
