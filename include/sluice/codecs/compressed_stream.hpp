// Streaming gzip and zstd over any Source or Sink, so `.csv.gz`, `.ndjson.zst`, `.jsonl.gz` are read and
// written as a stream on every store. Memory is bounded by fixed buffers, never by what the data says.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/core/error.hpp"
#include "sluice/io/sink.hpp"
#include "sluice/io/source.hpp"

namespace sluice::codecs {

// A whole-stream compression around a file's bytes (not Parquet's per-page codecs).
enum class StreamCompression : std::uint8_t { kNone, kGzip, kZstd };

// From a path's last extension, case-insensitive: .gz .gzip -> gzip, .zst .zstd -> zstd, else none. In
// a URL (a path with "://") a query string or fragment (from the first '?' or '#') is ignored; in a
// plain file name they are ordinary characters. A name that is only the extension (".gz") has none.
StreamCompression stream_compression_from_path(std::string_view path);

// The path without the compression extension that stream_compression_from_path() found, so the format
// can be taken from the rest: "a/b.csv.gz" -> "a/b.csv", "s3://b/k.ndjson.zst?v=2" -> "s3://b/k.ndjson?v=2"
// (a URL keeps its query and fragment). A path without one comes back unchanged.
std::string strip_compression_extension(std::string_view path);

// "gzip"/"gz", "zstd"/"zst", "none"/"uncompressed" (case-insensitive); anything else kInvalidArgument.
Result<StreamCompression> parse_stream_compression(std::string_view name);

// The file extension of a compression, with its dot: ".gz", ".zst", "" for none.
std::string_view extension_of(StreamCompression c);
// Its name for messages: "gzip", "zstd", "none".
std::string_view stream_compression_name(StreamCompression c);

// A sequential Source of the decompressed bytes of `inner` (read through inner->read()). kNone gives
// `inner` back as it is. The result has no random access: size() and read_at() give kNotImplemented.
// read() fills the caller's buffer as far as the data goes and returns 0 only at the end (or for an
// empty buffer).
//   gzip: every member of a multi-member file (`cat a.gz b.gz`) is read; zero bytes after the last
//         member are ignored, as gzip(1) does; anything else after it is an error.
//   zstd: every frame, skippable frames skipped, checksums verified where present. Frames of the
//         pre-1.0 legacy format are refused, and so is a frame that needs a window over 128 MiB (the
//         limit of zstd(1) without --long=31 / --memory).
// An empty input, a stream that ends inside a member or frame, or corrupt data is a kParseError (a too
// large zstd window kLimitExceeded) naming inner's path, with the byte offset in the COMPRESSED input
// where decoding stopped (a truncated stream: its end; corrupt gzip: where inflate gave up; corrupt
// zstd: the start of the block or frame header that failed). What was decoded before an error is
// handed out first; errors stick: later reads give the same error. Memory: a 256 KiB input buffer
// plus the decoder's state (32 KiB window for gzip, the frame's window for zstd, at most 128 MiB);
// the output goes straight into the caller's buffer.
Result<io::SourcePtr> decompressing_source(io::SourcePtr inner, StreamCompression c);

struct StreamCompressOptions {
  // -1: the codec's default (gzip 6, zstd 3). gzip takes 0..9 (0 stores); zstd 1..22, 0 (its default),
  // and its fast levels -2 and below down to ZSTD_minCLevel() (zstd's own -1 is not reachable: -1
  // means the default here).
  int level = -1;
  // zstd: compression workers (ZSTD_c_nbWorkers) when > 1; 1 compresses on the calling thread. Must be
  // at least 1; gzip ignores it. Where libzstd is built without threads, compression stays on one.
  int threads = 1;
};

// A Sink that compresses into `inner`. kNone gives `inner` back as it is.
//   write()  compresses into a 256 KiB buffer handed to inner->write() whenever it fills;
//   stage()  ends the stream (gzip trailer, zstd frame end with checksum), hands the rest to inner,
//            then inner->stage(); a finish() after it only calls inner->finish();
//   finish() ends the stream unless stage() did, then inner->finish();
//   abort()  calls inner->abort(); destruction without finish() aborts. A failed write, stage or
//            finish aborts too: the output is all or nothing, as for every Sink.
// path() is inner's; bytes_written() counts the compressed bytes handed to inner so far;
// buffered_bytes() is the memory held while open (the output buffer and the encoder's state: about
// 0.5 MiB for gzip, ZSTD_sizeof_CCtx() for zstd) plus inner's. The output is one gzip member or one
// zstd frame, readable by gzip(1) / zstd(1).
Result<io::SinkPtr> compressing_sink(io::SinkPtr inner, StreamCompression c, StreamCompressOptions options = {});

}  // namespace sluice::codecs
