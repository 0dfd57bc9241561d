// The portable kernel (the reference every SIMD kernel is tested against) and the dispatch.
#include "csv/tokenize.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace sluice::csv::detail {
namespace {

std::size_t scan_portable(const std::uint8_t* data, std::size_t len, std::uint8_t delim, std::uint8_t quote,
                          std::uint32_t base, std::uint32_t* out, ScanState& st) {
  bool inside = st.in_quote != 0;
  bool prev_cr = st.prev_cr != 0;
  std::uint64_t lines = st.lines;
  std::uint32_t* o = out;
  for (std::size_t i = 0; i < len; ++i) {
    const std::uint8_t c = data[i];
    if (c == '\n') {
      ++lines;
    } else if (prev_cr) {
      ++lines;  // the previous '\r' stood alone
    }
    prev_cr = c == '\r';
    if (c == quote) {
      inside = !inside;
    } else if (!inside && (c == delim || c == '\n' || c == '\r')) {
      *o++ = base + static_cast<std::uint32_t>(i);
    }
  }
  st.in_quote = inside ? ~std::uint64_t{0} : 0;
  st.prev_cr = prev_cr ? 1 : 0;
  st.lines = lines;
  return static_cast<std::size_t>(o - out);
}

std::uint64_t count_portable(const std::uint8_t* data, std::size_t len, std::uint8_t byte) {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < len; ++i) n += data[i] == byte;
  return n;
}

std::vector<const Kernel*> detect() {
  std::vector<const Kernel*> ks{&kPortableKernel};
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool bmi = __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("pclmul");
  if (bmi && __builtin_cpu_supports("avx2")) ks.push_back(&kAvx2Kernel);
  if (bmi && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) ks.push_back(&kAvx512Kernel);
#endif
  return ks;
}

const Kernel* choose() {
  const auto ks = available_kernels();
  if (const char* forced = std::getenv("SLUICE_CSV_KERNEL"); forced != nullptr && *forced != '\0') {
    if (const Kernel* k = find_kernel(forced)) return k;
    std::fprintf(stderr, "sluice: SLUICE_CSV_KERNEL=%s is not available on this CPU; using %s\n", forced,
                 ks.back()->name);
  }
  return ks.back();
}

}  // namespace

const Kernel kPortableKernel{"portable", scan_portable, count_portable};

std::span<const Kernel* const> available_kernels() {
  static const std::vector<const Kernel*> ks = detect();
  return ks;
}

const Kernel* find_kernel(std::string_view name) {
  for (const Kernel* k : available_kernels())
    if (name == k->name) return k;
  return nullptr;
}

namespace {
std::atomic<const Kernel*> g_active{nullptr};
}

const Kernel& active_kernel() {
  const Kernel* k = g_active.load(std::memory_order_acquire);
  if (k == nullptr) {
    k = choose();
    g_active.store(k, std::memory_order_release);
  }
  return *k;
}

void force_kernel(const Kernel* k) { g_active.store(k, std::memory_order_release); }

}  // namespace sluice::csv::detail
