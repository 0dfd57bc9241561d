// Where bytes come from. A Source is either random access (local file, object store, memory) or a
// sequential stream (stdin, a pipe); codecs ask for what they need and never open things themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sluice/core/buffer.hpp"
#include "sluice/core/error.hpp"

namespace sluice::io {

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

class Source {
 public:
  virtual ~Source() = default;

  // Path or URI, for error messages.
  virtual const std::string& path() const = 0;
  virtual bool supports_random_access() const = 0;

  // Random access (kNotImplemented on a stream). read_at and read_ranges may be called from several
  // threads at once (the Parquet reader reads row groups on its workers).
  virtual Result<std::uint64_t> size() = 0;
  // Reads up to dst.size() bytes at `offset`; fewer only at the end of the source.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) = 0;
  // Several ranges at once; a remote source overlaps and coalesces them. Default: one by one.
  virtual Result<std::vector<BufferPtr>> read_ranges(std::span<const ByteRange> ranges) {
    std::vector<BufferPtr> out;
    out.reserve(ranges.size());
    for (const auto& r : ranges) {
      auto buf = Buffer::allocate(static_cast<std::int64_t>(r.length), false);
      SLUICE_ASSIGN_OR_RETURN(std::size_t n,
                              read_at(r.offset, {reinterpret_cast<std::byte*>(buf->mutable_data()), r.length}));
      if (n != r.length)
      {
        ErrorContext ctx(path());
        ctx.byte_offset = static_cast<std::int64_t>(r.offset + n);
        return Error(ErrorCode::kIoError, "short read: range ends past the end of the source", ctx);
      }
      out.push_back(std::move(buf));
    }
    return out;
  }

  // Sequential: reads up to dst.size() bytes from the current position, 0 at the end. Works on every
  // source; on a random-access one it advances a cursor independent of read_at.
  virtual Result<std::size_t> read(std::span<std::byte> dst) = 0;

  // Sequential without a copy, where the source holds the bytes already (a remote source's read-ahead
  // blocks): a view of at most max_bytes from the current position, valid until the next call on
  // this source; empty at the end. Only where reads_views() says so (kNotImplemented elsewhere);
  // read() and read_view() share the cursor.
  virtual bool reads_views() const { return false; }
  virtual Result<std::span<const std::byte>> read_view(std::size_t max_bytes) {
    (void)max_bytes;
    return Error(ErrorCode::kNotImplemented, "this source lends no views; use read()", ErrorContext(path()));
  }
};

using SourcePtr = std::unique_ptr<Source>;

}  // namespace sluice::io
