// What the process holds in memory, as the allocator and the kernel count it: the measures behind
// caps on a whole process's memory (the dataset writer's process-wide cap).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <unistd.h>
#endif

namespace sluice {

// Bytes handed out by malloc and not yet freed, on every arena (glibc: mallinfo2's in-use chunks
// and mmapped blocks). It falls when memory is freed, unlike the resident set, which keeps what the
// allocator keeps for reuse. Walks the arenas' free lists: microseconds, so call it per batch, not
// per value. nullopt where the allocator cannot tell.
inline std::optional<std::uint64_t> heap_in_use() noexcept {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  const struct mallinfo2 m = ::mallinfo2();
  return static_cast<std::uint64_t>(m.uordblks) + static_cast<std::uint64_t>(m.hblkhd);
#else
  return std::nullopt;
#endif
}

// Gives the allocator's free memory back to the kernel (glibc: malloc_trim, which also releases the
// free pages inside its heaps, not only at their tops). Takes milliseconds on a large heap; for when
// the resident set has grown well past what is in use. Returns whether anything was released.
inline bool release_free_memory() noexcept {
#if defined(__GLIBC__)
  return ::malloc_trim(0) != 0;
#else
  return false;
#endif
}

// The process's resident set in bytes (/proc/self/statm); nullopt where there is none.
inline std::optional<std::uint64_t> resident_bytes() noexcept {
#if defined(__linux__)
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return std::nullopt;
  unsigned long long size = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return std::nullopt;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
#else
  return std::nullopt;
#endif
}

// The most the resident set has been since the process started (/proc/self/status VmHWM); nullopt
// where there is none.
inline std::optional<std::uint64_t> peak_resident_bytes() noexcept {
#if defined(__linux__)
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return std::nullopt;
  char line[256];
  std::optional<std::uint64_t> out;
  while (std::fgets(line, sizeof line, f)) {
    unsigned long long kb = 0;
    if (std::sscanf(line, "VmHWM: %llu kB", &kb) == 1) {
      out = static_cast<std::uint64_t>(kb) << 10;
      break;
    }
  }
  std::fclose(f);
  return out;
#else
  return std::nullopt;
#endif
}

}  // namespace sluice
