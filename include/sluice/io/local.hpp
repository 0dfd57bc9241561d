// Local files, standard streams and memory as Sources and Sinks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sluice/io/sink.hpp"
#include "sluice/io/source.hpp"

namespace sluice::io {

// A local file read with pread (thread-safe read_at, files of any size).
Result<SourcePtr> open_local_source(const std::string& path);
// Standard input as a sequential stream.
SourcePtr open_stdin_source();

struct LocalSinkOptions {
  bool overwrite = true;  // false: finish() fails with kAlreadyExists if the target exists
  bool fsync = false;     // flush to stable storage before the rename
  std::size_t buffer_size = 1 << 20;  // at most; the buffer starts at 64 KiB and doubles as needed
};
// Writes to a hidden temporary file in the target's folder, renamed over the target on finish()
// (linked, with overwrite = false). stage() writes the buffer out, fsyncs if asked and closes the
// file: a staged sink holds no buffer and no file descriptor, only the temporary file's name.
Result<SinkPtr> open_local_sink(const std::string& path, const LocalSinkOptions& options = {});
// Standard output (finish() flushes; abort() cannot take back what was written). Standard output
// cannot stage: stage() only ends the writing, finish() writes what is still buffered.
SinkPtr open_stdout_sink();

// For programs: on SIGINT, SIGTERM or SIGHUP, remove the temporary files of local sinks that were not
// finished, then die of the signal as before. (SIGKILL cannot be caught; its leftovers are hidden
// ".NAME.sluice-tmp-*" files, never the target.)
void install_signal_cleanup();

// Bytes held in memory (tests, fuzzers, small inputs).
class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string data, std::string name = "<memory>")
      : data_(std::move(data)), name_(std::move(name)) {}
  const std::string& path() const override { return name_; }
  bool supports_random_access() const override { return true; }
  Result<std::uint64_t> size() override { return static_cast<std::uint64_t>(data_.size()); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    if (offset >= data_.size()) return std::size_t{0};
    const std::size_t n = std::min<std::size_t>(dst.size(), data_.size() - offset);
    std::memcpy(dst.data(), data_.data() + offset, n);
    return n;
  }
  Result<std::size_t> read(std::span<std::byte> dst) override {
    auto n = read_at(pos_, dst);
    if (n.ok()) pos_ += *n;
    return n;
  }

 private:
  std::string data_;
  std::string name_;
  std::uint64_t pos_ = 0;
};

// Collects the output in memory; data() shows it once finish() committed it. Until stage() the
// bytes count as buffered (buffered_bytes()); after it, as handed to the destination.
class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::string name = "<memory>") : name_(std::move(name)) {}
  using Sink::write;
  const std::string& path() const override { return name_; }
  Status write(std::span<const std::byte> data) override {
    if (finished_) return Error(ErrorCode::kInvalidArgument, "write after finish", ErrorContext{name_});
    if (is_staged_) return Error(ErrorCode::kInvalidArgument, "write after stage", ErrorContext{name_});
    staged_.append(reinterpret_cast<const char*>(data.data()), data.size());
    return ok_status();
  }
  Status stage() override {
    if (finished_ || is_staged_)
      return Error(ErrorCode::kInvalidArgument, "stage after finish or stage", ErrorContext{name_});
    is_staged_ = true;
    return ok_status();
  }
  Status finish() override {
    finished_ = true;
    committed_ = std::move(staged_);
    staged_.clear();
    return ok_status();
  }
  void abort() override { staged_.clear(); }
  std::uint64_t bytes_written() const override { return staged_.size() + committed_.size(); }
  std::uint64_t buffered_bytes() const override { return is_staged_ || finished_ ? 0 : staged_.size(); }
  bool staged() const { return is_staged_; }
  // What finish() committed (empty before).
  const std::string& data() const { return committed_; }

 private:
  std::string name_;
  std::string staged_, committed_;
  bool finished_ = false;
  bool is_staged_ = false;
};

}  // namespace sluice::io
