// libFuzzer target for the INTERVAL text reader behind a CSV / NDJSON column declared interval
// (text::parse_interval): arbitrary bytes as one value. A refusal is fine; crashes, hangs (the input is
// read once, left to right) and these broken properties are bugs:
//   - a refusal leaves the output as it was;
//   - what it accepts prints (format_interval) as text that reads back to the same 12 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "text/format.hpp"
#include "text/interval_parse.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "interval_fuzz: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  char bytes[12];
  std::memset(bytes, 0x5A, sizeof bytes);
  if (!sluice::text::parse_interval(in, bytes)) {
    for (char b : bytes)
      if (b != 0x5A) fail("a refusal changed the output", std::string(in));
    return 0;
  }
  char out[64];
  const std::string text(out, sluice::text::format_interval(out, std::string_view(bytes, 12)));
  char again[12];
  if (!sluice::text::parse_interval(text, again)) fail("its own text is refused", std::string(in) + "\n" + text);
  if (std::memcmp(again, bytes, 12) != 0) fail("its own text reads back otherwise", std::string(in) + "\n" + text);
  return 0;
}
