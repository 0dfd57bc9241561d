// Where bytes go. A Sink is append-only and commits or leaves nothing: finish() makes the whole
// output visible at once; abort(), a failure, or destruction without finish() removes what was staged.
// A writer of many outputs can stage() each one (the bytes reach the destination, unseen) and publish
// them all later with cheap finish() calls, or discard them with abort().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "sluice/core/error.hpp"

namespace sluice::io {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual const std::string& path() const = 0;
  virtual Status write(std::span<const std::byte> data) = 0;
  Status write(const void* data, std::size_t n) { return write({static_cast<const std::byte*>(data), n}); }
  // Makes the output visible. After finish() the sink takes no more writes.
  virtual Status finish() = 0;
  // Discards everything written; never fails loudly (best effort).
  virtual void abort() = 0;
  virtual std::uint64_t bytes_written() const = 0;

  // Writes everything given so far durably to the destination without making it visible: the
  // store holds the parts, or the OS the temporary file (through a power loss only with fsync).
  // Afterwards only finish() (publish) or abort() (discard) may be called; write() is
  // kInvalidArgument. finish() after stage() is cheap (one small request or one rename) and needs
  // the data no more. A failed stage() has aborted. The default does nothing: a sink that cannot
  // stage publishes at finish().
  virtual Status stage() { return ok_status(); }
  // Bytes of memory the sink holds now for data not yet handed to the OS or the store (buffers,
  // parts in flight): what a caller with many open sinks adds up to cap their memory. ~0 after
  // stage(), finish() or abort().
  virtual std::uint64_t buffered_bytes() const { return 0; }
};

using SinkPtr = std::unique_ptr<Sink>;

}  // namespace sluice::io
