// Parquet page codecs over snappy, zlib, brotli, lz4 and zstd. Every decoder writes straight into the
// caller's exactly-sized page buffer; "more output than expected" is detected by offering the decoder
// one scratch byte after the buffer is full, so no decoder ever gets room past `out`.
#include "parquet/compression.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <snappy.h>
#define ZLIB_CONST  // next_in is const
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

namespace sluice::parquet {

namespace {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

Error parse_error(Codec codec, const std::string& what) {
  return Error(ErrorCode::kParseError, std::string(codec_name(codec)) + ": " + what);
}

Error size_mismatch(Codec codec, std::size_t expected, std::size_t actual) {
  return parse_error(codec, "data decompresses to " + std::to_string(actual) + " bytes, but the page header says " +
                                std::to_string(expected));
}

Error too_large(Codec codec, std::size_t expected) {
  return parse_error(codec, "data decompresses to more than the " + std::to_string(expected) +
                                " bytes the page header says");
}

Error truncated(Codec codec, std::size_t produced, std::size_t expected) {
  return parse_error(codec, "compressed data ends early (after " + std::to_string(produced) + " of the " +
                                std::to_string(expected) + " bytes the page header says)");
}

Error out_of_memory(Codec codec) {
  return Error(ErrorCode::kInternal, std::string(codec_name(codec)) + ": out of memory for the codec's state");
}

std::uint32_t load_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

void store_be32(std::uint8_t* p, std::uint32_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

bool all_zero(Bytes b) noexcept {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c == 0; });
}

// ---- Per-thread codec state ------------------------------------------------------------------------
// A ZSTD_DCtx costs a ~100 KiB allocation and zeroing, a deflate stream ~270 KiB, an inflate stream
// ~7 KiB plus its 32 KiB window: creating them per page would cost more than decoding small pages.
// They are kept per thread and reset between uses (resetting keeps the allocations).

struct InflateState {
  z_stream z{};
  bool ready = false;
  ~InflateState() {
    if (ready) inflateEnd(&z);
  }
  // A fresh stream that reads gzip or zlib headers (15 + 32: auto-detect, 32 KiB window).
  bool reset() {
    if (ready) return inflateReset(&z) == Z_OK;
    z = z_stream{};
    ready = inflateInit2(&z, 15 + 32) == Z_OK;
    return ready;
  }
};

struct DeflateState {
  z_stream z{};
  int level = 0;
  bool ready = false;
  ~DeflateState() {
    if (ready) deflateEnd(&z);
  }
  // A gzip (15 + 16) writer at `lvl`; kept across calls of the same level.
  bool reset(int lvl) {
    if (ready && level == lvl) return deflateReset(&z) == Z_OK;
    if (ready) deflateEnd(&z);
    z = z_stream{};
    ready = deflateInit2(&z, lvl, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    level = lvl;
    return ready;
  }
};

struct ZstdState {
  ZSTD_DCtx* d = nullptr;
  ZSTD_CCtx* c = nullptr;
  ~ZstdState() {
    ZSTD_freeDCtx(d);
    ZSTD_freeCCtx(c);
  }
};

thread_local InflateState t_inflate;
thread_local DeflateState t_deflate;
thread_local ZstdState t_zstd;

// ---- GZIP ------------------------------------------------------------------------------------------

Status gzip_decompress(Bytes in, MutableBytes out) {
  constexpr Codec kCodec = Codec::GZIP;
  InflateState& st = t_inflate;
  if (!st.reset()) return out_of_memory(kCodec);
  z_stream& z = st.z;
  z.next_in = in.data();
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  std::uint8_t scratch = 0;
  bool probing = false;  // out is full; next_out points at `scratch`
  std::size_t member_start = 0;
  for (;;) {
    if (!probing && z.avail_out == 0) {
      probing = true;
      z.next_out = &scratch;
      z.avail_out = 1;
    }
    const uInt in_before = z.avail_in;
    const uInt out_before = z.avail_out;
    // Z_FINISH lets inflate skip allocating its window when the member completes in this call.
    const int rc = inflate(&z, Z_FINISH);
    if (probing && z.avail_out == 0) return too_large(kCodec, out.size());
    const std::size_t consumed = in.size() - z.avail_in;
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0) break;
      // Another member follows (gzip files may be concatenations); zero padding after the last one
      // is tolerated as gzip(1) does, other bytes must form a member that adds nothing past `out`.
      if (all_zero(in.subspan(consumed))) break;
      if (inflateReset(&z) != Z_OK) return out_of_memory(kCodec);
      member_start = consumed;
      continue;
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) {
      if (z.avail_in == 0) {
        const std::size_t produced = probing ? out.size() : out.size() - z.avail_out;
        return truncated(kCodec, produced, out.size());
      }
      if (z.avail_in == in_before && z.avail_out == out_before) {
        return parse_error(kCodec, "decoder made no progress at byte " + std::to_string(consumed) +
                                       " of the compressed page");
      }
      continue;
    }
    std::string what = rc == Z_NEED_DICT ? std::string("zlib stream needs a preset dictionary")
                       : z.msg != nullptr ? std::string(z.msg)
                                          : "error " + std::to_string(rc);
    if (member_start > 0) {
      return parse_error(kCodec, what + " (in the member that starts at byte " + std::to_string(member_start) +
                                     " of the compressed page, after a complete member)");
    }
    return parse_error(kCodec, what + " (near byte " + std::to_string(consumed) + " of the compressed page)");
  }
  const std::size_t produced = probing ? out.size() : out.size() - z.avail_out;
  if (produced != out.size()) return size_mismatch(kCodec, out.size(), produced);
  return ok_status();
}

// ---- SNAPPY ----------------------------------------------------------------------------------------

Status snappy_decompress(Bytes in, MutableBytes out) {
  constexpr Codec kCodec = Codec::SNAPPY;
  const char* src = reinterpret_cast<const char*>(in.data());
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(src, in.size(), &length)) {
    return parse_error(kCodec, "the length header is missing or corrupt");
  }
  if (length != out.size()) return size_mismatch(kCodec, out.size(), length);
  // RawUncompress bounds every write by the header's length and fails unless it ends exactly there.
  if (!snappy::RawUncompress(src, in.size(), reinterpret_cast<char*>(out.data()))) {
    return parse_error(kCodec, "corrupt compressed data");
  }
  return ok_status();
}

// ---- LZ4 -------------------------------------------------------------------------------------------

// One raw LZ4 block decoding to exactly out.size() bytes.
bool lz4_block_exact(Bytes in, MutableBytes out) noexcept {
  const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(in.data()), reinterpret_cast<char*>(out.data()),
                                    static_cast<int>(in.size()), static_cast<int>(out.size()));
  return n >= 0 && static_cast<std::size_t>(n) == out.size();
}

// Hadoop's BlockCompressorStream framing: blocks of [u32 BE uncompressed size] followed by chunks of
// [u32 BE compressed size][LZ4 block] until the block's size is reached (parquet-mr and Arrow write
// one chunk per block). True only if the framing covers `in` exactly and fills `out` exactly.
bool lz4_hadoop(Bytes in, MutableBytes out) noexcept {
  const std::uint8_t* ip = in.data();
  const std::uint8_t* const iend = ip + in.size();
  std::size_t op = 0;
  while (ip != iend) {
    if (iend - ip < 4) return false;
    const std::uint32_t block_size = load_be32(ip);
    ip += 4;
    if (block_size > out.size() - op) return false;
    if (block_size == 0 && ip == iend) break;  // an empty block with no chunk
    const std::size_t block_end = op + block_size;
    do {  // every block has at least one chunk; each chunk consumes input, so this terminates
      if (iend - ip < 4) return false;
      const std::uint32_t chunk_size = load_be32(ip);
      ip += 4;
      if (chunk_size > static_cast<std::size_t>(iend - ip)) return false;
      const int n = LZ4_decompress_safe(reinterpret_cast<const char*>(ip), reinterpret_cast<char*>(out.data() + op),
                                        static_cast<int>(chunk_size), static_cast<int>(block_end - op));
      if (n < 0) return false;
      ip += chunk_size;
      op += static_cast<std::size_t>(n);
    } while (op < block_end);
  }
  return op == out.size();
}

constexpr std::uint8_t kLz4FrameMagic[4] = {0x04, 0x22, 0x4D, 0x18};

// One or more LZ4 frames (lz4 command-line format) decoding to exactly out.size() bytes. The frame
// decoder keeps internal buffers of at most the frame's block size (4 MiB at most).
bool lz4_frames(Bytes in, MutableBytes out) noexcept {
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) return false;
  LZ4F_decompressOptions_t options{};  // not stableDst: the overflow probe moves the destination
  std::size_t ip = 0;
  std::size_t op = 0;
  std::uint8_t scratch = 0;
  bool ok = false;
  for (;;) {
    const bool probing = op == out.size();
    std::size_t dst_size = probing ? 1 : out.size() - op;
    std::size_t src_size = in.size() - ip;
    const std::size_t hint = LZ4F_decompress(dctx, probing ? &scratch : out.data() + op, &dst_size, in.data() + ip,
                                             &src_size, &options);
    if (LZ4F_isError(hint)) break;
    if (probing && dst_size > 0) break;  // more output than expected
    ip += src_size;
    op += probing ? 0 : dst_size;
    if (hint == 0 && ip == in.size()) {  // the last frame ended exactly at the end of the input
      ok = op == out.size();
      break;
    }
    if (ip == in.size() || (src_size == 0 && dst_size == 0)) break;  // truncated, or stuck
  }
  LZ4F_freeDecompressionContext(dctx);
  return ok;
}

Status lz4_hadoop_decompress(Bytes in, MutableBytes out) {
  if (lz4_hadoop(in, out)) return ok_status();
  // Older parquet-cpp wrote LZ4 frames or bare blocks under this codec; accept both when the Hadoop
  // framing does not fit.
  if (in.size() >= 4 && std::memcmp(in.data(), kLz4FrameMagic, 4) == 0 && lz4_frames(in, out)) return ok_status();
  if (lz4_block_exact(in, out)) return ok_status();
  return parse_error(Codec::LZ4, "data is neither Hadoop-framed LZ4, an LZ4 frame, nor a raw LZ4 block that "
                                 "decodes to the " + std::to_string(out.size()) + " bytes the page header says");
}

Status lz4_raw_decompress(Bytes in, MutableBytes out) {
  constexpr Codec kCodec = Codec::LZ4_RAW;
  const char* src = reinterpret_cast<const char*>(in.data());
  char* dst = reinterpret_cast<char*>(out.data());
  const int n = LZ4_decompress_safe(src, dst, static_cast<int>(in.size()), static_cast<int>(out.size()));
  if (n >= 0) {
    if (static_cast<std::size_t>(n) != out.size()) return size_mismatch(kCodec, out.size(), static_cast<std::size_t>(n));
    return ok_status();
  }
  // Tell "too much output" from corruption: a partial decode that reaches out.size() means the block
  // goes on past it (this only costs time on the error path).
  const int partial = LZ4_decompress_safe_partial(src, dst, static_cast<int>(in.size()), static_cast<int>(out.size()),
                                                  static_cast<int>(out.size()));
  if (partial >= 0 && static_cast<std::size_t>(partial) == out.size()) {
    return parse_error(kCodec, "block is corrupt or decompresses to more than the " + std::to_string(out.size()) +
                                   " bytes the page header says");
  }
  return parse_error(kCodec, "corrupt or truncated LZ4 block");
}

// ---- ZSTD ------------------------------------------------------------------------------------------

// Parquet's ZSTD is RFC 8878 (frame magic 0xFD2FB528). Debian's libzstd also decodes the pre-1.0
// "legacy" formats with old, little-fuzzed code; frames are walked first (block headers only, cheap)
// so that only standard and skippable frames ever reach the decoder.
Status zstd_check_frames(Bytes in) {
  constexpr Codec kCodec = Codec::ZSTD;
  std::size_t pos = 0;
  while (pos < in.size()) {
    if (in.size() - pos < 4) {
      return parse_error(kCodec, "truncated frame header at byte " + std::to_string(pos) + " of the compressed page");
    }
    const std::uint32_t magic = std::uint32_t{in[pos]} | (std::uint32_t{in[pos + 1]} << 8) |
                                (std::uint32_t{in[pos + 2]} << 16) | (std::uint32_t{in[pos + 3]} << 24);
    if (magic != ZSTD_MAGICNUMBER && (magic & ZSTD_MAGIC_SKIPPABLE_MASK) != ZSTD_MAGIC_SKIPPABLE_START) {
      return parse_error(kCodec, "no Zstandard frame at byte " + std::to_string(pos) + " of the compressed page");
    }
    const std::size_t n = ZSTD_findFrameCompressedSize(in.data() + pos, in.size() - pos);
    if (ZSTD_isError(n) || n == 0) {
      return parse_error(kCodec, std::string(ZSTD_isError(n) ? ZSTD_getErrorName(n) : "empty frame") + " (frame at byte " + std::to_string(pos) +
                                     " of the compressed page)");
    }
    pos += n;
  }
  return ok_status();
}

Status zstd_decompress(Bytes in, MutableBytes out) {
  constexpr Codec kCodec = Codec::ZSTD;
  SLUICE_TRY(zstd_check_frames(in));
  ZstdState& st = t_zstd;
  if (st.d == nullptr && (st.d = ZSTD_createDCtx()) == nullptr) return out_of_memory(kCodec);
  // One-shot decoding writes straight into `out` and needs no window buffer, unlike the streaming API
  // whose window size (up to 2 GiB) would be chosen by the input's frame header. It decodes every
  // frame in `in`, with or without a content size, and fails rather than write past out.size().
  const std::size_t n = ZSTD_decompressDCtx(st.d, out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    if (ZSTD_getErrorCode(n) == ZSTD_error_dstSize_tooSmall) return too_large(kCodec, out.size());
    return parse_error(kCodec, ZSTD_getErrorName(n));
  }
  if (n != out.size()) return size_mismatch(kCodec, out.size(), n);
  return ok_status();
}

// ---- BROTLI ----------------------------------------------------------------------------------------

Status brotli_decompress(Bytes in, MutableBytes out) {
  constexpr Codec kCodec = Codec::BROTLI;
  // brotli 1.0 has no way to reset a decoder, so each page gets its own (a small allocation next to
  // the ring buffer the decoder allocates anyway, at most 16 MiB since large windows stay disabled).
  BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (s == nullptr) return out_of_memory(kCodec);
  std::size_t avail_in = in.size();
  const std::uint8_t* next_in = in.data();
  std::size_t avail_out = out.size();
  std::uint8_t* next_out = out.data();
  std::uint8_t scratch = 0;
  bool probing = false;
  Status status;
  for (;;) {
    if (!probing && avail_out == 0) {
      probing = true;
      next_out = &scratch;
      avail_out = 1;
    }
    const BrotliDecoderResult r = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    if (probing && avail_out == 0) {
      status = too_large(kCodec, out.size());
      break;
    }
    const std::size_t produced = probing ? out.size() : out.size() - avail_out;
    if (r == BROTLI_DECODER_RESULT_SUCCESS) {
      if (avail_in != 0) {
        status = parse_error(kCodec, std::to_string(avail_in) + " bytes follow the end of the brotli stream (at byte " +
                                         std::to_string(in.size() - avail_in) + " of the compressed page)");
      } else if (produced != out.size()) {
        status = size_mismatch(kCodec, out.size(), produced);
      }
      break;
    }
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
      status = truncated(kCodec, produced, out.size());
      break;
    }
    if (r == BROTLI_DECODER_RESULT_ERROR) {
      status = parse_error(kCodec, std::string(BrotliDecoderErrorString(BrotliDecoderGetErrorCode(s))) +
                                       " (near byte " + std::to_string(in.size() - avail_in) + " of the compressed page)");
      break;
    }
    // NEEDS_MORE_OUTPUT: expected only when out is full, and the next round probes; anything else
    // would loop, so it is an error.
    if (probing || avail_out != 0) {
      status = parse_error(kCodec, "decoder made no progress");
      break;
    }
  }
  BrotliDecoderDestroyInstance(s);
  return status;
}

// ---- Compression -----------------------------------------------------------------------------------

Error bad_level(Codec codec, int level, int lo, int hi) {
  return Error(ErrorCode::kInvalidArgument, std::string(codec_name(codec)) + ": compression level " +
                                                std::to_string(level) + " is outside " + std::to_string(lo) +
                                                ".." + std::to_string(hi));
}

Result<std::size_t> gzip_compress(Bytes in, MutableBytes out, int level) {
  if (level == kDefaultCompressionLevel) level = 6;
  if (level < 0 || level > 9) return bad_level(Codec::GZIP, level, 0, 9);
  DeflateState& st = t_deflate;
  if (!st.reset(level)) return out_of_memory(Codec::GZIP);
  z_stream& z = st.z;
  z.next_in = in.data();
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size(), UINT_MAX));
  const int rc = deflate(&z, Z_FINISH);
  if (rc != Z_STREAM_END) {
    return Error(ErrorCode::kInternal, "GZIP: deflate did not finish (" + std::to_string(rc) + ")");
  }
  return static_cast<std::size_t>(z.total_out);
}

Result<std::size_t> zstd_compress(Bytes in, MutableBytes out, int level) {
  if (level == kDefaultCompressionLevel) level = ZSTD_CLEVEL_DEFAULT;
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return bad_level(Codec::ZSTD, level, ZSTD_minCLevel(), ZSTD_maxCLevel());
  }
  ZstdState& st = t_zstd;
  if (st.c == nullptr && (st.c = ZSTD_createCCtx()) == nullptr) return out_of_memory(Codec::ZSTD);
  const std::size_t n = ZSTD_compressCCtx(st.c, out.data(), out.size(), in.data(), in.size(), level);
  if (ZSTD_isError(n)) return Error(ErrorCode::kInternal, std::string("ZSTD: ") + ZSTD_getErrorName(n));
  return n;
}

// A raw LZ4 block of `in` into `out`; 0 on failure (the bound was checked by the caller).
int lz4_compress_block(Bytes in, MutableBytes out, int level) noexcept {
  const char* src = reinterpret_cast<const char*>(in.data());
  char* dst = reinterpret_cast<char*>(out.data());
  const int src_size = static_cast<int>(in.size());
  const int dst_size = static_cast<int>(std::min<std::size_t>(out.size(), INT_MAX));
  if (level == kDefaultCompressionLevel || level == 1 || level == 0) return LZ4_compress_default(src, dst, src_size, dst_size);
  if (level < 0) return LZ4_compress_fast(src, dst, src_size, dst_size, -level);
  return LZ4_compress_HC(src, dst, src_size, dst_size, level);
}

Result<std::size_t> lz4_compress(Codec codec, Bytes in, MutableBytes out, int level) {
  if (level != kDefaultCompressionLevel && level > LZ4HC_CLEVEL_MAX) {
    return bad_level(codec, level, -65537, LZ4HC_CLEVEL_MAX);
  }
  if (level != kDefaultCompressionLevel && level < -65537) return bad_level(codec, level, -65537, LZ4HC_CLEVEL_MAX);
  const std::size_t header = codec == Codec::LZ4 ? 8 : 0;
  const int n = lz4_compress_block(in, out.subspan(header), level);
  if (n <= 0) return Error(ErrorCode::kInternal, std::string(codec_name(codec)) + ": LZ4 compression failed");
  if (header != 0) {
    store_be32(out.data(), static_cast<std::uint32_t>(in.size()));
    store_be32(out.data() + 4, static_cast<std::uint32_t>(n));
  }
  return header + static_cast<std::size_t>(n);
}

Result<std::size_t> brotli_compress(Bytes in, MutableBytes out, int level) {
  if (level == kDefaultCompressionLevel) level = 8;
  if (level < BROTLI_MIN_QUALITY || level > BROTLI_MAX_QUALITY) {
    return bad_level(Codec::BROTLI, level, BROTLI_MIN_QUALITY, BROTLI_MAX_QUALITY);
  }
  // A window no larger than the page (a window of 2^w bytes reaches back 2^w - 16): the same
  // references as the default 4 MiB one, but the encoder's tables, sized by the window, shrink with it
  // (a page of a few KiB at level 8 allocated and cleared 10+ MiB).
  int window = BROTLI_MIN_WINDOW_BITS;
  while (window < BROTLI_DEFAULT_WINDOW && (std::size_t{1} << window) - 16 < in.size()) ++window;
  std::size_t n = out.size();
  // Given at least BrotliEncoderMaxCompressedSize() bytes, the encoder falls back to a stored stream
  // when compression does not fit, so it only fails when out of memory.
  if (!BrotliEncoderCompress(level, window, BROTLI_MODE_GENERIC, in.size(), in.data(), &n, out.data())) {
    return Error(ErrorCode::kInternal, "BROTLI: compression failed");
  }
  return n;
}

}  // namespace

std::string_view codec_name(std::int32_t codec) noexcept {
  switch (codec) {
    case 0: return "UNCOMPRESSED";
    case 1: return "SNAPPY";
    case 2: return "GZIP";
    case 3: return "LZO";
    case 4: return "BROTLI";
    case 5: return "LZ4";
    case 6: return "ZSTD";
    case 7: return "LZ4_RAW";
    default: break;
  }
  constexpr std::size_t kSlots = 8;
  thread_local std::array<std::array<char, 24>, kSlots> ring{};
  thread_local std::size_t next = 0;
  auto& buf = ring[next++ % kSlots];
  const int n = std::snprintf(buf.data(), buf.size(), "UNKNOWN(%d)", static_cast<int>(codec));
  return std::string_view(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

bool codec_supported(Codec codec) noexcept {
  switch (codec) {
    case Codec::UNCOMPRESSED:
    case Codec::SNAPPY:
    case Codec::GZIP:
    case Codec::BROTLI:
    case Codec::LZ4:
    case Codec::ZSTD:
    case Codec::LZ4_RAW: return true;
    case Codec::LZO: break;
  }
  return false;
}

Status decompress(Codec codec, std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (!codec_supported(codec)) {
    return Error(ErrorCode::kNotImplemented, "compression codec " + std::string(codec_name(codec)) + " is not supported");
  }
  // LZ4's API takes int sizes a little below 2^31; the others take any page (page sizes are i32).
  const std::size_t limit = (codec == Codec::LZ4 || codec == Codec::LZ4_RAW) ? kMaxCodecBytes : kMaxPageBytes;
  if (in.size() > limit || out.size() > limit) {
    return Error(ErrorCode::kLimitExceeded, std::string(codec_name(codec)) + ": a page of " +
                                                std::to_string(std::max(in.size(), out.size())) +
                                                " bytes is larger than the codec's limit of " +
                                                std::to_string(limit));
  }
  // Some writers store an empty page body for a page with no values, whatever the codec.
  if (in.empty() && out.empty()) return ok_status();
  // Codec libraries and pointer arithmetic here get a real address even for empty spans.
  static std::uint8_t empty_byte = 0;
  if (in.empty()) in = std::span<const std::uint8_t>(&empty_byte, 0);
  if (out.empty()) out = std::span<std::uint8_t>(&empty_byte, 0);
  switch (codec) {
    case Codec::UNCOMPRESSED:
      if (in.size() != out.size()) return size_mismatch(codec, out.size(), in.size());
      std::memcpy(out.data(), in.data(), in.size());
      return ok_status();
    case Codec::SNAPPY: return snappy_decompress(in, out);
    case Codec::GZIP: return gzip_decompress(in, out);
    case Codec::BROTLI: return brotli_decompress(in, out);
    case Codec::LZ4: return lz4_hadoop_decompress(in, out);
    case Codec::ZSTD: return zstd_decompress(in, out);
    case Codec::LZ4_RAW: return lz4_raw_decompress(in, out);
    case Codec::LZO: break;
  }
  return Error(ErrorCode::kInternal, "unreachable codec");
}

std::size_t max_compressed_size(Codec codec, std::size_t n) noexcept {
  if (n > kMaxCodecBytes) return 0;
  switch (codec) {
    case Codec::UNCOMPRESSED: return n;
    case Codec::SNAPPY: return snappy::MaxCompressedLength(n);
    // compressBound() covers zlib's 6 bytes of wrapper; gzip's header and trailer take 18.
    case Codec::GZIP: return static_cast<std::size_t>(compressBound(static_cast<uLong>(n))) + 18;
    case Codec::BROTLI: return BrotliEncoderMaxCompressedSize(n);
    case Codec::LZ4: return static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(n))) + 8;
    case Codec::ZSTD: return ZSTD_compressBound(n);
    case Codec::LZ4_RAW: return static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(n)));
    case Codec::LZO: break;
  }
  return 0;
}

Result<std::size_t> compress(Codec codec, std::span<const std::uint8_t> in, std::span<std::uint8_t> out, int level) {
  if (!codec_supported(codec)) {
    return Error(ErrorCode::kNotImplemented, "compression codec " + std::string(codec_name(codec)) + " is not supported");
  }
  if (in.size() > kMaxCodecBytes) {
    return Error(ErrorCode::kLimitExceeded, std::string(codec_name(codec)) + ": cannot compress " +
                                                std::to_string(in.size()) + " bytes, the limit is " +
                                                std::to_string(kMaxCodecBytes));
  }
  static const std::uint8_t empty_byte = 0;
  if (in.empty()) in = std::span<const std::uint8_t>(&empty_byte, 0);
  const std::size_t bound = max_compressed_size(codec, in.size());
  if (out.size() < bound) {
    return Error(ErrorCode::kInvalidArgument, std::string(codec_name(codec)) + ": output buffer of " +
                                                  std::to_string(out.size()) + " bytes is smaller than the bound " +
                                                  std::to_string(bound));
  }
  switch (codec) {
    case Codec::UNCOMPRESSED:
      if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
      return in.size();
    case Codec::SNAPPY: {
      std::size_t n = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(in.data()), in.size(), reinterpret_cast<char*>(out.data()), &n);
      return n;
    }
    case Codec::GZIP: return gzip_compress(in, out, level);
    case Codec::BROTLI: return brotli_compress(in, out, level);
    case Codec::LZ4:
    case Codec::LZ4_RAW: return lz4_compress(codec, in, out, level);
    case Codec::ZSTD: return zstd_compress(in, out, level);
    case Codec::LZO: break;
  }
  return Error(ErrorCode::kInternal, "unreachable codec");
}

Status compress(Codec codec, std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out, int level) {
  const std::size_t bound = max_compressed_size(codec, in.size());
  try {  // a bound of 0 (unsupported codec, size limit) lets the span overload report the reason
    out.resize(bound);
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::kLimitExceeded, std::string(codec_name(codec)) + ": cannot allocate " +
                                                std::to_string(bound) + " bytes for the compressed page");
  }
  SLUICE_ASSIGN_OR_RETURN(const std::size_t n, compress(codec, in, std::span<std::uint8_t>(out), level));
  out.resize(n);
  return ok_status();
}

}  // namespace sluice::parquet
