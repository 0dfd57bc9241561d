// Where bytes go. A Sink is append-only and commits or leaves nothing: finish() makes the whole
// output visible at once; abort(), a failure, or destruction without finish() removes what was staged.
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
};

using SinkPtr = std::unique_ptr<Sink>;

}  // namespace sluice::io
