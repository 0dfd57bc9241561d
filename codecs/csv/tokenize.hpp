// The structural scan of CSV: finds the delimiters and line ends that lie outside quoted fields.
// One kernel per instruction set (AVX-512, AVX2, portable) behind one run-time dispatch; all give
// identical output. Quotes are RFC 4180: a doubled quote inside a quoted field escapes itself, so
// "inside a quote" is the parity of quote characters seen so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace sluice::csv::detail {

// Bytes of readable padding every input buffer carries past its end (kernels load whole blocks).
inline constexpr std::size_t kPadding = 64;

struct ScanState {
  std::uint64_t in_quote = 0;   // all ones while inside a quoted field
  std::uint64_t prev_cr = 0;    // 1 if the last byte scanned was '\r' (for counting lone-CR lines)
  std::uint64_t lines = 0;      // line breaks seen: '\n', and '\r' not followed by '\n'
};

struct Kernel {
  const char* name;
  // Appends to `out` the position (base + index) of every delimiter, '\n' and '\r' outside quotes in
  // data[0, len). `out` needs room for len + 64 entries. `data` must be readable to len + kPadding.
  // Returns the number written. State carries across calls, so a buffer may be scanned in pieces.
  std::size_t (*scan)(const std::uint8_t* data, std::size_t len, std::uint8_t delim, std::uint8_t quote,
                      std::uint32_t base, std::uint32_t* out, ScanState& state);
  // Number of `quote` bytes in data[0, len) (readable to len + kPadding).
  std::uint64_t (*count_byte)(const std::uint8_t* data, std::size_t len, std::uint8_t byte);
};

// All kernels this CPU can run, portable first.
std::span<const Kernel* const> available_kernels();
// The kernel chosen on first use: the widest the CPU supports, unless SLUICE_CSV_KERNEL names one
// ("portable", "avx2", "avx512").
const Kernel& active_kernel();
const Kernel* find_kernel(std::string_view name);
// Replaces the active kernel (tests run the whole reader on each kernel).
void force_kernel(const Kernel* k);

extern const Kernel kPortableKernel;
#if defined(__x86_64__)
extern const Kernel kAvx2Kernel;
extern const Kernel kAvx512Kernel;
#endif

}  // namespace sluice::csv::detail
