// Streaming gzip (zlib's inflate/deflate with gzip framing) and zstd (ZSTD_DStream, ZSTD_compressStream2)
// over Sources and Sinks. The decoders write straight into the caller's buffer and read the compressed
// bytes through one fixed input buffer; the encoders compress into one fixed output buffer that goes to
// the inner sink whenever it fills. Nothing is ever sized by a length found in the data.
#include "sluice/codecs/compressed_stream.hpp"

#define ZLIB_CONST  // next_in is const
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

namespace sluice::codecs {

namespace {

// Both directions: the compressed side's buffer. Large enough that a remote store sees few, large
// reads and writes; small enough not to matter next to the codecs' own state.
constexpr std::size_t kBufferSize = std::size_t{256} << 10;
// zstd frames that need a larger window than 2^27 = 128 MiB are refused (zstd(1)'s own default limit).
constexpr int kZstdWindowLogMax = 27;
// The longest zstd frame header (ZSTD_FRAMEHEADERSIZE_MAX, which zstd.h only shows to static linkers).
constexpr std::size_t kZstdFrameHeaderMax = 18;
// What a deflate stream with windowBits 15 and memLevel 8 allocates (zconf.h: (1 << (windowBits + 2)) +
// (1 << (memLevel + 9))), plus its state of about 6 KiB.
constexpr std::uint64_t kDeflateStateBytes = (std::uint64_t{1} << 17) + (std::uint64_t{1} << 17) + (6u << 10);
// zlib counts in uInt: hand it at most this much at once.
constexpr std::size_t kZlibChunk = std::size_t{1} << 30;

constexpr unsigned char kGzipMagic0 = 0x1f;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Where the compression extension of `path` starts (its dot) and which it is; npos / kNone if none.
struct FoundExtension {
  std::size_t dot = std::string_view::npos;
  std::size_t end = std::string_view::npos;
  StreamCompression compression = StreamCompression::kNone;
};

FoundExtension find_compression_extension(std::string_view path) {
  std::size_t end = path.size();
  // Only a URL has a query or a fragment; in a file name '?' and '#' are characters like any other.
  if (const std::size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    const std::size_t q = path.find_first_of("?#", scheme + 3);
    if (q != std::string_view::npos) end = q;
  }
  const std::string_view address = path.substr(0, end);
  const std::size_t slash = address.find_last_of('/');
  const std::size_t name_begin = slash == std::string_view::npos ? 0 : slash + 1;
  const std::size_t dot = address.find_last_of('.');
  // No dot in the last segment, or the name is only the extension (".gz" is a hidden file's name).
  if (dot == std::string_view::npos || dot <= name_begin) return {};
  const std::string_view ext = address.substr(dot + 1);
  FoundExtension found{dot, end, StreamCompression::kNone};
  if (iequals(ext, "gz") || iequals(ext, "gzip")) {
    found.compression = StreamCompression::kGzip;
  } else if (iequals(ext, "zst") || iequals(ext, "zstd")) {
    found.compression = StreamCompression::kZstd;
  } else {
    return {};
  }
  return found;
}

bool valid(StreamCompression c) {
  return c == StreamCompression::kNone || c == StreamCompression::kGzip || c == StreamCompression::kZstd;
}

Error bad_compression_value(StreamCompression c) {
  return Error(ErrorCode::kInvalidArgument,
               "unknown stream compression value " + std::to_string(static_cast<int>(c)));
}

// ---- Decompression ---------------------------------------------------------------------------------

class DecompressingSource final : public io::Source {
 public:
  DecompressingSource(io::SourcePtr inner, StreamCompression c)
      : inner_(std::move(inner)), compression_(c), in_(new std::byte[kBufferSize]) {}

  ~DecompressingSource() override {
    if (inflate_ready_) inflateEnd(&z_);
    ZSTD_freeDStream(zstd_);
  }

  DecompressingSource(const DecompressingSource&) = delete;
  DecompressingSource& operator=(const DecompressingSource&) = delete;

  Status init() {
    if (compression_ == StreamCompression::kGzip) {
      // 16 + MAX_WBITS: gzip framing only (a zlib or raw deflate stream is not a .gz file).
      const int rc = inflateInit2(&z_, 16 + MAX_WBITS);
      if (rc != Z_OK) return Error(ErrorCode::kInternal, "gzip: cannot set up the decoder (out of memory)", path());
      inflate_ready_ = true;
    } else {
      zstd_ = ZSTD_createDStream();
      if (zstd_ == nullptr) return Error(ErrorCode::kInternal, "zstd: cannot set up the decoder (out of memory)", path());
      const std::size_t rc = ZSTD_DCtx_setParameter(zstd_, ZSTD_d_windowLogMax, kZstdWindowLogMax);
      if (ZSTD_isError(rc)) {
        return Error(ErrorCode::kInternal, std::string("zstd: cannot limit the window: ") + ZSTD_getErrorName(rc),
                     path());
      }
    }
    return ok_status();
  }

  const std::string& path() const override { return inner_->path(); }
  bool supports_random_access() const override { return false; }
  Result<std::uint64_t> size() override {
    return Error(ErrorCode::kNotImplemented, "the size of decompressed data is not known before it is read",
                 path());
  }
  Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
    return Error(ErrorCode::kNotImplemented, "decompressed data cannot be read at an offset (only in sequence)",
                 path());
  }

  Result<std::size_t> read(std::span<std::byte> dst) override {
    if (error_) return *error_;
    std::size_t produced = 0;
    while (produced < dst.size() && !done_) {
      Result<std::size_t> n = compression_ == StreamCompression::kGzip ? gzip_step(dst.subspan(produced))
                                                                       : zstd_step(dst.subspan(produced));
      if (!n.ok()) {
        error_ = std::move(n).error();
        // What was decoded before the error is handed out first; the error comes with the next read.
        if (produced > 0) return produced;
        return *error_;
      }
      produced += *n;
    }
    return produced;
  }

 private:
  std::size_t available() const { return in_end_ - in_pos_; }
  std::uint64_t offset() const { return in_offset_ + in_pos_; }
  const std::byte* in_ptr() const { return in_.get() + in_pos_; }

  // Moves the unread bytes to the front and reads once more from inner (fewer bytes than asked for are
  // fine; 0 means the end of inner).
  Status refill() {
    if (in_pos_ > 0) {
      const std::size_t keep = available();
      if (keep > 0) std::memmove(in_.get(), in_.get() + in_pos_, keep);
      in_offset_ += in_pos_;
      in_pos_ = 0;
      in_end_ = keep;
    }
    if (in_end_ == kBufferSize || inner_eof_) return ok_status();
    auto n = inner_->read({in_.get() + in_end_, kBufferSize - in_end_});
    if (!n.ok()) return std::move(n).error().with_path(path());
    if (*n == 0) inner_eof_ = true;
    in_end_ += *n;
    return ok_status();
  }

  Error parse_error(std::string message, std::uint64_t at) const {
    ErrorContext ctx(path());
    ctx.byte_offset = static_cast<std::int64_t>(at);
    return Error(ErrorCode::kParseError, std::move(message), std::move(ctx));
  }

  // -- gzip --

  // One decoding step into `out`: a member boundary, zero padding, or one inflate() call.
  Result<std::size_t> gzip_step(std::span<std::byte> out) {
    if (gz_state_ != GzState::kMember && available() == 0) {
      if (!inner_eof_) {
        SLUICE_TRY(refill());
        return std::size_t{0};
      }
      if (members_ == 0) {
        return parse_error("gzip: the input is empty (a gzip file has at least one member)", offset());
      }
      done_ = true;  // after a complete member, or after zero padding
      return std::size_t{0};
    }
    if (gz_state_ == GzState::kBoundary) {
      const auto b = static_cast<unsigned char>(*in_ptr());
      if (members_ == 0 && b != kGzipMagic0) {
        return parse_error("gzip: not gzip data (no gzip magic number at the start)", offset());
      }
      if (members_ > 0 && b == 0) {
        gz_state_ = GzState::kPadding;
      } else if (members_ > 0 && b != kGzipMagic0) {
        return parse_error("gzip: the data after member " + std::to_string(members_) +
                               " is neither another gzip member nor zero padding",
                           offset());
      } else {
        if (members_ > 0 && inflateReset(&z_) != Z_OK) {
          return Error(ErrorCode::kInternal, "gzip: cannot reset the decoder", path());
        }
        ++members_;
        gz_state_ = GzState::kMember;
      }
    }
    if (gz_state_ == GzState::kPadding) {
      // gzip(1) ignores zero bytes after the last member (tape blocks, preallocated files); only zeros
      // may follow, up to the end.
      const std::byte* p = in_ptr();
      const std::byte* end = in_.get() + in_end_;
      const std::byte* nz = std::find_if(p, end, [](std::byte c) { return c != std::byte{0}; });
      in_pos_ += static_cast<std::size_t>(nz - p);
      if (nz != end) {
        return parse_error("gzip: a non-zero byte in the zero padding after member " + std::to_string(members_),
                           offset());
      }
      return std::size_t{0};
    }

    // Inside a member. With nothing buffered, read more first; at the end of inner, inflate() still
    // runs once more in case it holds output it had no room for.
    if (available() == 0 && !inner_eof_) {
      SLUICE_TRY(refill());
      return std::size_t{0};
    }
    const std::size_t in_n = std::min(available(), kZlibChunk);
    const std::size_t out_n = std::min(out.size(), kZlibChunk);
    z_.next_in = reinterpret_cast<const Bytef*>(in_ptr());
    z_.avail_in = static_cast<uInt>(in_n);
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out_n);
    const int rc = inflate(&z_, Z_NO_FLUSH);
    const std::size_t consumed = in_n - z_.avail_in;
    const std::size_t produced = out_n - z_.avail_out;
    in_pos_ += consumed;
    switch (rc) {
      case Z_STREAM_END:
        gz_state_ = GzState::kBoundary;
        return produced;
      case Z_OK:
      case Z_BUF_ERROR:  // no progress possible: it needs more input
        if (consumed == 0 && produced == 0) {
          if (inner_eof_ && available() == 0) {
            return parse_error("gzip: the compressed data ends inside member " + std::to_string(members_) +
                                   " (the file is truncated)",
                               offset());
          }
          if (available() > 0) {
            return Error(ErrorCode::kInternal, "gzip: the decoder made no progress", path());
          }
        }
        return produced;
      case Z_MEM_ERROR:
        return Error(ErrorCode::kInternal, "gzip: out of memory in the decoder", path());
      default: {  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
        const std::string why = z_.msg != nullptr ? z_.msg : "invalid data";
        return parse_error("gzip: corrupt compressed data in member " + std::to_string(members_) + ": " + why,
                           offset());
      }
    }
  }

  // -- zstd --

  Result<std::size_t> zstd_step(std::span<std::byte> out) {
    if (zstd_boundary_) {
      // A frame starts here: look at its magic number before libzstd does, so that garbage gets a clear
      // message and the legacy (pre-1.0) decoders are never reached.
      while (available() < 4 && !inner_eof_) SLUICE_TRY(refill());
      if (available() == 0) {
        if (frames_ == 0) {
          return parse_error("zstd: the input is empty (a zstd file has at least one frame)", offset());
        }
        done_ = true;
        return std::size_t{0};
      }
      if (available() < 4) {
        return parse_error("zstd: the compressed data ends inside the magic number of frame " +
                               std::to_string(frames_ + 1) + " (the file is truncated)",
                           offset() + available());
      }
      const auto* p = reinterpret_cast<const unsigned char*>(in_ptr());
      const std::uint32_t magic = std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
                                  (std::uint32_t{p[3]} << 24);
      if (magic != ZSTD_MAGICNUMBER && (magic & ZSTD_MAGIC_SKIPPABLE_MASK) != ZSTD_MAGIC_SKIPPABLE_START) {
        if (frames_ == 0) return parse_error("zstd: not zstd data (no zstd frame magic number at the start)", offset());
        return parse_error("zstd: the data after frame " + std::to_string(frames_) + " is not a zstd frame", offset());
      }
      ++frames_;
      zstd_boundary_ = false;
      zstd_hint_ = kZstdFrameHeaderMax;
      frame_start_ = offset();
      frame_decoded_ = 0;
      frame_declared_ = ZSTD_CONTENTSIZE_UNKNOWN;
      if (magic == ZSTD_MAGICNUMBER) {
        // The content size the header declares, checked at the frame's end: libzstd checks it when it
        // decodes a frame in one go, but not when it streams one that ends in an empty block.
        while (available() < kZstdFrameHeaderMax && !inner_eof_) SLUICE_TRY(refill());
        const unsigned long long declared = ZSTD_getFrameContentSize(in_ptr(), available());
        if (declared != ZSTD_CONTENTSIZE_ERROR) frame_declared_ = declared;  // a bad header: libzstd says why
      }
    }
    if (available() == 0 && !inner_eof_) {
      SLUICE_TRY(refill());
      return std::size_t{0};
    }
    // libzstd reports an error without saying how far it got: hand it no more than it asks for (its
    // hint: the rest of a block and the next block's header), so that an error's offset is the start
    // of the block it is in. Blocks are still decoded straight from our buffer.
    ZSTD_inBuffer in{in_ptr(), std::min(available(), zstd_hint_), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    const std::size_t rc = ZSTD_decompressStream(zstd_, &o, &in);
    in_pos_ += in.pos;
    if (ZSTD_isError(rc)) {
      const ZSTD_ErrorCode code = ZSTD_getErrorCode(rc);
      if (code == ZSTD_error_memory_allocation) {
        return Error(ErrorCode::kInternal, "zstd: out of memory in the decoder", path());
      }
      if (code == ZSTD_error_frameParameter_windowTooLarge) {
        ErrorContext ctx(path());
        ctx.byte_offset = static_cast<std::int64_t>(offset());
        return Error(ErrorCode::kLimitExceeded,
                     "zstd: frame " + std::to_string(frames_) + " needs a window larger than the " +
                         std::to_string((std::uint64_t{1} << kZstdWindowLogMax) >> 20) +
                         " MiB allowed (written with zstd --long=31 or --ultra?)",
                     std::move(ctx));
      }
      return parse_error("zstd: corrupt compressed data in frame " + std::to_string(frames_) + ": " +
                             ZSTD_getErrorName(rc),
                         offset());
    }
    zstd_hint_ = rc;
    frame_decoded_ += o.pos;
    if (rc == 0) {
      zstd_boundary_ = true;  // the frame is complete and all of it handed out
      if (frame_declared_ != ZSTD_CONTENTSIZE_UNKNOWN && frame_decoded_ != frame_declared_) {
        return parse_error("zstd: frame " + std::to_string(frames_) + " declares " +
                               std::to_string(frame_declared_) + " bytes of content but holds " +
                               std::to_string(frame_decoded_),
                           frame_start_);
      }
    } else if (in.pos == 0 && o.pos == 0 && inner_eof_ && available() == 0) {
      return parse_error("zstd: the compressed data ends inside frame " + std::to_string(frames_) +
                             " (the file is truncated)",
                         offset());
    }
    return o.pos;
  }

  enum class GzState : std::uint8_t { kBoundary, kMember, kPadding };

  io::SourcePtr inner_;
  StreamCompression compression_;
  std::unique_ptr<std::byte[]> in_;
  std::size_t in_pos_ = 0;
  std::size_t in_end_ = 0;
  std::uint64_t in_offset_ = 0;  // offset of in_[0] in the compressed input
  bool inner_eof_ = false;
  bool done_ = false;
  std::optional<Error> error_;

  z_stream z_{};
  bool inflate_ready_ = false;
  GzState gz_state_ = GzState::kBoundary;
  std::uint64_t members_ = 0;

  ZSTD_DStream* zstd_ = nullptr;
  bool zstd_boundary_ = true;
  std::size_t zstd_hint_ = kZstdFrameHeaderMax;  // how much input the decoder wants next
  std::uint64_t frames_ = 0;
  std::uint64_t frame_start_ = 0;    // offset of the current frame's magic number
  std::uint64_t frame_decoded_ = 0;  // content bytes the current frame has given
  unsigned long long frame_declared_ = ZSTD_CONTENTSIZE_UNKNOWN;  // its header's content size, if any
};

// ---- Compression -----------------------------------------------------------------------------------

class CompressingSink final : public io::Sink {
 public:
  CompressingSink(io::SinkPtr inner, StreamCompression c) : inner_(std::move(inner)), compression_(c) {}

  ~CompressingSink() override {
    if (state_ == State::kOpen || state_ == State::kStaged) abort();
    release();
  }

  CompressingSink(const CompressingSink&) = delete;
  CompressingSink& operator=(const CompressingSink&) = delete;

  Status init(const StreamCompressOptions& options) {
    out_.reset(new std::byte[kBufferSize]);
    if (compression_ == StreamCompression::kGzip) {
      const int level = options.level == -1 ? 6 : options.level;
      // 16 + MAX_WBITS: a gzip header and trailer; memLevel 8 is zlib's (and gzip(1)'s) default.
      if (deflateInit2(&z_, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Error(ErrorCode::kInternal, "gzip: cannot set up the encoder (out of memory)", path());
      }
      deflate_ready_ = true;
      return ok_status();
    }
    zstd_ = ZSTD_createCCtx();
    if (zstd_ == nullptr) return Error(ErrorCode::kInternal, "zstd: cannot set up the encoder (out of memory)", path());
    const int level = options.level == -1 ? ZSTD_CLEVEL_DEFAULT : options.level;
    std::size_t rc = ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(zstd_, ZSTD_c_checksumFlag, 1);  // as zstd(1) does
    if (ZSTD_isError(rc)) {
      return Error(ErrorCode::kInternal, std::string("zstd: cannot configure the encoder: ") + ZSTD_getErrorName(rc),
                   path());
    }
    if (options.threads > 1) {
      const ZSTD_bounds bounds = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers);
      int workers = options.threads;
      if (!ZSTD_isError(bounds.error)) workers = std::min(workers, bounds.upperBound);
      // A libzstd built without threads refuses workers: it then compresses on the calling thread.
      (void)ZSTD_CCtx_setParameter(zstd_, ZSTD_c_nbWorkers, workers);
    }
    return ok_status();
  }

  using io::Sink::write;
  const std::string& path() const override { return inner_->path(); }
  std::uint64_t bytes_written() const override { return compressed_; }

  Status write(std::span<const std::byte> data) override {
    if (state_ != State::kOpen) {
      return Error(ErrorCode::kInvalidArgument,
                   state_ == State::kStaged ? "write after stage" : "write to a closed sink", path());
    }
    if (data.empty()) return ok_status();
    return fail_on(compress(data, false));
  }

  // Ends the compressed stream and hands all of it to inner, then stages inner.
  Status stage() override {
    if (state_ != State::kOpen) {
      return Error(ErrorCode::kInvalidArgument, "stage on a staged or closed sink", path());
    }
    SLUICE_TRY(end_stream());
    state_ = State::kStaged;
    return fail_on(inner_->stage());
  }

  Status finish() override {
    if (state_ != State::kOpen && state_ != State::kStaged) {
      return Error(ErrorCode::kInvalidArgument, "finish on a closed sink", path());
    }
    if (state_ == State::kOpen) SLUICE_TRY(end_stream());
    state_ = State::kFinished;
    Status s = inner_->finish();
    if (!s.ok()) inner_->abort();  // best effort: a sink that failed to finish has nothing to keep
    return s;
  }

  void abort() override {
    if (state_ != State::kOpen && state_ != State::kStaged) return;
    state_ = State::kAborted;
    out_len_ = 0;
    release();
    inner_->abort();
  }

  // The memory held: the output buffer and the encoder's state while open, and inner's.
  std::uint64_t buffered_bytes() const override {
    std::uint64_t held = out_ ? kBufferSize : 0;
    if (deflate_ready_) held += kDeflateStateBytes;
    if (zstd_ != nullptr) held += ZSTD_sizeof_CCtx(zstd_);
    return held + inner_->buffered_bytes();
  }

 private:
  enum class State : std::uint8_t { kOpen, kStaged, kFinished, kAborted };

  // The trailer or frame end, everything handed to inner, the encoder freed.
  Status end_stream() {
    SLUICE_TRY(fail_on(compress({}, true)));
    SLUICE_TRY(fail_on(flush_out()));
    release();
    return ok_status();
  }

  Status fail_on(Status s) {
    if (!s.ok()) abort();
    return s;
  }

  Status flush_out() {
    if (out_len_ == 0) return ok_status();
    const std::size_t n = out_len_;
    out_len_ = 0;
    SLUICE_TRY(inner_->write(std::span<const std::byte>(out_.get(), n)));
    compressed_ += n;
    return ok_status();
  }

  // Compresses `data` (end: and ends the stream), handing the output buffer to inner whenever it fills.
  Status compress(std::span<const std::byte> data, bool end) {
    return compression_ == StreamCompression::kGzip ? gzip_compress(data, end) : zstd_compress(data, end);
  }

  Status gzip_compress(std::span<const std::byte> data, bool end) {
    std::size_t fed = 0;
    for (;;) {
      if (z_.avail_in == 0 && fed < data.size()) {
        const std::size_t n = std::min(data.size() - fed, kZlibChunk);
        z_.next_in = reinterpret_cast<const Bytef*>(data.data() + fed);
        z_.avail_in = static_cast<uInt>(n);
        fed += n;
      }
      const bool last_chunk = fed == data.size();
      z_.next_out = reinterpret_cast<Bytef*>(out_.get() + out_len_);
      z_.avail_out = static_cast<uInt>(kBufferSize - out_len_);
      const int rc = deflate(&z_, end && last_chunk ? Z_FINISH : Z_NO_FLUSH);
      out_len_ = kBufferSize - z_.avail_out;
      if (rc == Z_STREAM_ERROR) return Error(ErrorCode::kInternal, "gzip: the encoder failed", path());
      if (out_len_ == kBufferSize) SLUICE_TRY(flush_out());
      if (end && last_chunk) {
        if (rc == Z_STREAM_END) break;
      } else if (z_.avail_in == 0 && last_chunk) {
        break;
      }
    }
    z_.next_in = nullptr;
    z_.avail_in = 0;
    return ok_status();
  }

  Status zstd_compress(std::span<const std::byte> data, bool end) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer o{out_.get(), kBufferSize, out_len_};
      const std::size_t rc = ZSTD_compressStream2(zstd_, &o, &in, end ? ZSTD_e_end : ZSTD_e_continue);
      out_len_ = o.pos;
      if (ZSTD_isError(rc)) {
        return Error(ErrorCode::kInternal, std::string("zstd: the encoder failed: ") + ZSTD_getErrorName(rc), path());
      }
      if (out_len_ == kBufferSize) SLUICE_TRY(flush_out());
      if (end ? rc == 0 : in.pos == in.size) break;
    }
    return ok_status();
  }

  void release() {
    if (deflate_ready_) deflateEnd(&z_);
    deflate_ready_ = false;
    ZSTD_freeCCtx(zstd_);
    zstd_ = nullptr;
    out_.reset();
  }

  io::SinkPtr inner_;
  StreamCompression compression_;
  State state_ = State::kOpen;
  std::unique_ptr<std::byte[]> out_;
  std::size_t out_len_ = 0;
  std::uint64_t compressed_ = 0;

  z_stream z_{};
  bool deflate_ready_ = false;
  ZSTD_CCtx* zstd_ = nullptr;
};

Status check_level(StreamCompression c, int level) {
  if (c == StreamCompression::kGzip) {
    if (level == -1 || (level >= 0 && level <= 9)) return ok_status();
    return Error(ErrorCode::kInvalidArgument,
                 "gzip compression level " + std::to_string(level) + " is out of range (0..9, or -1 for the default 6)");
  }
  if (level >= ZSTD_minCLevel() && level <= ZSTD_maxCLevel()) return ok_status();
  return Error(ErrorCode::kInvalidArgument, "zstd compression level " + std::to_string(level) +
                                                " is out of range (" + std::to_string(ZSTD_minCLevel()) + ".." +
                                                std::to_string(ZSTD_maxCLevel()) + ", -1 for the default 3)");
}

}  // namespace

StreamCompression stream_compression_from_path(std::string_view path) {
  return find_compression_extension(path).compression;
}

std::string strip_compression_extension(std::string_view path) {
  const FoundExtension found = find_compression_extension(path);
  if (found.compression == StreamCompression::kNone) return std::string(path);
  std::string out(path.substr(0, found.dot));
  out += path.substr(found.end);
  return out;
}

Result<StreamCompression> parse_stream_compression(std::string_view name) {
  if (iequals(name, "gzip") || iequals(name, "gz")) return StreamCompression::kGzip;
  if (iequals(name, "zstd") || iequals(name, "zst")) return StreamCompression::kZstd;
  if (iequals(name, "none") || iequals(name, "uncompressed")) return StreamCompression::kNone;
  return Error(ErrorCode::kInvalidArgument,
               "unknown compression '" + std::string(name) + "' (gzip, zstd or none)");
}

std::string_view extension_of(StreamCompression c) {
  switch (c) {
    case StreamCompression::kGzip: return ".gz";
    case StreamCompression::kZstd: return ".zst";
    case StreamCompression::kNone: break;
  }
  return "";
}

std::string_view stream_compression_name(StreamCompression c) {
  switch (c) {
    case StreamCompression::kGzip: return "gzip";
    case StreamCompression::kZstd: return "zstd";
    case StreamCompression::kNone: break;
  }
  return "none";
}

Result<io::SourcePtr> decompressing_source(io::SourcePtr inner, StreamCompression c) {
  if (!inner) return Error(ErrorCode::kInvalidArgument, "decompressing_source: no source given");
  if (!valid(c)) return bad_compression_value(c).with_path(inner->path());
  if (c == StreamCompression::kNone) return inner;
  auto source = std::make_unique<DecompressingSource>(std::move(inner), c);
  SLUICE_TRY(source->init());
  return io::SourcePtr(std::move(source));
}

Result<io::SinkPtr> compressing_sink(io::SinkPtr inner, StreamCompression c, StreamCompressOptions options) {
  if (!inner) return Error(ErrorCode::kInvalidArgument, "compressing_sink: no sink given");
  if (!valid(c)) return bad_compression_value(c).with_path(inner->path());
  if (c == StreamCompression::kNone) return inner;
  if (options.threads < 1) {
    return Error(ErrorCode::kInvalidArgument,
                 "compression threads must be at least 1, not " + std::to_string(options.threads), inner->path());
  }
  if (Status s = check_level(c, options.level); !s.ok()) return std::move(s).error().with_path(inner->path());
  auto sink = std::make_unique<CompressingSink>(std::move(inner), c);
  SLUICE_TRY(sink->init(options));
  return io::SinkPtr(std::move(sink));
}

}  // namespace sluice::codecs
