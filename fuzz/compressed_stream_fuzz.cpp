// libFuzzer target for the streaming gzip and zstd wrappers (sluice/codecs/compressed_stream.hpp).
// Input layout:
//   byte 0     bit 0: the codec (0 gzip, 1 zstd); bits 1..2: a level for the round trip; bits 3..7: the
//              seed of the read and write sizes;
//   the rest   a compressed stream.
// Checks:
//   - the rest, read through decompressing_source over a MemorySource with reads of random sizes (0 to
//     70 000 bytes), never crashes; no read returns more than asked for; an error is kParseError or
//     kLimitExceeded, names the source and gives a byte offset inside the input, and sticks (the next
//     read gives it again); after the end, reads give 0 again;
//   - the read sizes do not change the result: read again in 1 MiB pieces, the input succeeds or fails
//     again, and what the two reads handed out agrees (up to the shorter one: before an error, libzstd
//     may hand out a block or not depending on room);
//   - the rest, written through compressing_sink in pieces of random size, reads back unchanged.
// Output is capped at 8 MiB per read (an input may be a small bomb); hitting the cap is not a failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "sluice/codecs/compressed_stream.hpp"
#include "sluice/io/local.hpp"

namespace {

using sluice::ErrorCode;
using sluice::codecs::StreamCompression;

constexpr std::size_t kOutputCap = std::size_t{8} << 20;
const std::string kName = "fuzz.in";

[[noreturn]] void fail(const char* what, StreamCompression c, std::size_t in_size, const std::string& detail = {}) {
  std::fprintf(stderr, "compressed_stream_fuzz: %s (%s, %zu input bytes)\n%s\n", what,
               std::string(sluice::codecs::stream_compression_name(c)).c_str(), in_size, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

struct Outcome {
  std::string bytes;
  bool ok = true;       // read to the end without error
  bool capped = false;  // stopped at kOutputCap
  std::string error;
};

// Reads `packed` through the wrapper. sizes == nullptr: 1 MiB reads; else sizes from the generator.
Outcome read_through(StreamCompression c, const std::string& packed, std::minstd_rand* sizes) {
  Outcome out;
  auto source = sluice::codecs::decompressing_source(std::make_unique<sluice::io::MemorySource>(packed, kName), c);
  if (!source.ok()) fail("decompressing_source failed", c, packed.size(), source.error().to_string());
  static std::vector<std::byte> small_buf(70'000), big_buf(std::size_t{1} << 20);  // allocated once
  std::vector<std::byte>& buf = sizes != nullptr ? small_buf : big_buf;
  for (;;) {
    std::size_t want = buf.size();
    if (sizes != nullptr) {
      const unsigned r = static_cast<unsigned>((*sizes)());
      // Mostly small, sometimes large, now and then nothing at all.
      want = (r & 7) == 0 ? 0 : (r & 7) < 5 ? 1 + (r >> 3) % 64 : 1 + (r >> 3) % buf.size();
    }
    auto n = (*source)->read({buf.data(), want});
    if (!n.ok()) {
      const sluice::Error& e = n.error();
      if (e.code() != ErrorCode::kParseError && e.code() != ErrorCode::kLimitExceeded) {
        fail("an error other than kParseError / kLimitExceeded", c, packed.size(), e.to_string());
      }
      if (e.context().path != kName) fail("the error does not name the source", c, packed.size(), e.to_string());
      if (e.context().byte_offset < 0 || e.context().byte_offset > static_cast<std::int64_t>(packed.size())) {
        fail("the error's byte offset is outside the input", c, packed.size(), e.to_string());
      }
      auto again = (*source)->read({buf.data(), 1});
      if (again.ok() || again.error().to_string() != e.to_string()) {
        fail("the error does not stick", c, packed.size(), e.to_string());
      }
      out.ok = false;
      out.error = e.to_string();
      return out;
    }
    if (*n > want) fail("read returned more than asked for", c, packed.size());
    if (*n == 0 && want > 0) {
      auto again = (*source)->read({buf.data(), buf.size()});
      if (!again.ok() || *again != 0) fail("a read after the end gave something", c, packed.size());
      return out;
    }
    out.bytes.append(reinterpret_cast<const char*>(buf.data()), *n);
    if (out.bytes.size() >= kOutputCap) {
      out.capped = true;
      return out;
    }
  }
}

void round_trip(StreamCompression c, int level_choice, const std::string& data, std::minstd_rand& rng) {
  static constexpr int kGzipLevels[4] = {-1, 0, 1, 9};
  static constexpr int kZstdLevels[4] = {-1, -5, 1, 2};  // higher levels allocate MiBs of tables per run
  sluice::codecs::StreamCompressOptions options;
  options.level = c == StreamCompression::kGzip ? kGzipLevels[level_choice] : kZstdLevels[level_choice];
  auto mem = std::make_unique<sluice::io::MemorySink>("fuzz.out");
  sluice::io::MemorySink* inner = mem.get();
  auto sink = sluice::codecs::compressing_sink(std::move(mem), c, options);
  if (!sink.ok()) fail("compressing_sink failed", c, data.size(), sink.error().to_string());
  for (std::size_t pos = 0; pos < data.size();) {
    const std::size_t n = std::min<std::size_t>(data.size() - pos, 1 + rng() % 4096);
    const sluice::Status st = (*sink)->write(data.data() + pos, n);
    if (!st.ok()) fail("write failed", c, data.size(), st.error().to_string());
    pos += n;
  }
  const sluice::Status st = (*sink)->finish();
  if (!st.ok()) fail("finish failed", c, data.size(), st.error().to_string());
  if ((*sink)->bytes_written() != inner->data().size()) fail("bytes_written is not the output's size", c, data.size());
  const Outcome back = read_through(c, inner->data(), &rng);
  if (!back.ok) fail("the round trip does not read back", c, data.size(), back.error);
  if (back.bytes != data) fail("the round trip changed the bytes", c, data.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const StreamCompression c = (data[0] & 1) != 0 ? StreamCompression::kZstd : StreamCompression::kGzip;
  const int level_choice = (data[0] >> 1) & 3;
  std::minstd_rand rng(1u + (data[0] >> 3));
  const std::string packed(reinterpret_cast<const char*>(data) + 1, size - 1);

  const Outcome small = read_through(c, packed, &rng);
  const Outcome big = read_through(c, packed, nullptr);
  if (!small.capped && !big.capped && small.ok != big.ok) {
    fail("the read sizes changed success into failure", c, packed.size(), small.error + " | " + big.error);
  }
  if (small.ok && big.ok && !small.capped && !big.capped && small.bytes != big.bytes) {
    fail("the read sizes changed the bytes", c, packed.size());
  }
  const std::size_t common = std::min(small.bytes.size(), big.bytes.size());
  if (small.bytes.compare(0, common, big.bytes, 0, common) != 0) {
    fail("the read sizes changed the bytes handed out", c, packed.size());
  }

  round_trip(c, level_choice, packed, rng);
  return 0;
}
