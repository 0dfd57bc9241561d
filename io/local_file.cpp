// Local file Source (pread) and Sink (temporary file + rename), stdin and stdout.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "sluice/io/open.hpp"

namespace sluice::io {
namespace {

// Temporary files of unfinished sinks, readable from a signal handler (no locks, no allocation).
// The states apart from the paths: the handler and register_temp() scan 4 KiB of states, and only
// the path of a slot in use is ever touched (the rest of the 4 MiB table stays unmapped zero pages).
constexpr int kTempSlots = 1024;
std::atomic<int> g_temp_state[kTempSlots];  // 0 free, 1 being written, 2 holds a path
char g_temp_path[kTempSlots][4096];

int register_temp(const std::string& path) {
  if (path.size() >= sizeof g_temp_path[0]) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    int expected = 0;
    if (g_temp_state[i].compare_exchange_strong(expected, 1)) {
      std::memcpy(g_temp_path[i], path.c_str(), path.size() + 1);
      g_temp_state[i].store(2);
      return i;
    }
  }
  return -1;  // more open sinks than slots: the extra ones work, but a signal does not remove their files
}
void unregister_temp(int slot) {
  if (slot >= 0) g_temp_state[slot].store(0);
}

extern "C" void remove_temps_and_die(int sig) {
  for (int i = 0; i < kTempSlots; ++i)
    if (g_temp_state[i].load() == 2) ::unlink(g_temp_path[i]);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

Error os_error(const std::string& what, const std::string& path, int err) {
  return Error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError, what + ": " + std::strerror(err),
               ErrorContext{path});
}

class LocalFileSource final : public Source {
 public:
  LocalFileSource(int fd, std::string path, std::uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  ~LocalFileSource() override { ::close(fd_); }
  const std::string& path() const override { return path_; }
  bool supports_random_access() const override { return true; }
  Result<std::uint64_t> size() override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    std::size_t done = 0;
    while (done < dst.size()) {
      const ssize_t n = ::pread(fd_, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        Error e = os_error("read failed", path_, errno);
        e.context().byte_offset = static_cast<std::int64_t>(offset + done);
        return e;
      }
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }
  Result<std::size_t> read(std::span<std::byte> dst) override {
    auto n = read_at(pos_, dst);
    if (n.ok()) pos_ += *n;
    return n;
  }

 private:
  int fd_;
  std::string path_;
  std::uint64_t size_;
  std::uint64_t pos_ = 0;
};

class FdStreamSource final : public Source {
 public:
  FdStreamSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  const std::string& path() const override { return name_; }
  bool supports_random_access() const override { return false; }
  Result<std::uint64_t> size() override {
    return Error(ErrorCode::kNotImplemented, "a stream has no known size", ErrorContext{name_});
  }
  Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
    return Error(ErrorCode::kNotImplemented, "a stream cannot be read at an offset", ErrorContext{name_});
  }
  Result<std::size_t> read(std::span<std::byte> dst) override {
    std::size_t done = 0;
    while (done < dst.size()) {
      const ssize_t n = ::read(fd_, dst.data() + done, dst.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return os_error("read failed", name_, errno);
      }
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

 private:
  int fd_;
  std::string name_;
};

Status write_all(int fd, const std::byte* p, std::size_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return os_error("write failed", path, errno);
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return ok_status();
}

// The buffer starts small (a sink that writes little holds little) and doubles up to buffer_size.
class BufferedFdSink : public Sink {
 public:
  // `preallocate`: a regular file, allocated ahead of large writes (see write_out).
  BufferedFdSink(int fd, std::string path, std::size_t buffer_size, bool preallocate)
      : prealloc_(preallocate), fd_(fd), path_(std::move(path)), capacity_(buffer_size < 4096 ? 4096 : buffer_size) {}
  const std::string& path() const override { return path_; }
  std::uint64_t bytes_written() const override { return written_; }
  std::uint64_t buffered_bytes() const override { return buf_.capacity(); }
  Status write(std::span<const std::byte> data) override {
    if (state_ != kOpen)
      return Error(ErrorCode::kInvalidArgument, state_ == kStaged ? "write after stage" : "write to a closed sink",
                   ErrorContext{path_});
    written_ += data.size();
    // Large pieces go straight to the file (after what is buffered): copying them into the buffer
    // first would only add a copy.
    if (data.size() >= std::min<std::size_t>(capacity_, 64 << 10)) {
      SLUICE_TRY(flush());
      return fail_on(write_out(data.data(), data.size()));
    }
    if (buf_.size() + data.size() <= capacity_) {
      append(data);
      return ok_status();
    }
    SLUICE_TRY(flush());
    if (data.size() >= capacity_) return fail_on(write_out(data.data(), data.size()));
    append(data);
    return ok_status();
  }

 protected:
  void append(std::span<const std::byte> data) {
    const std::size_t need = buf_.size() + data.size();
    if (need > buf_.capacity()) {
      constexpr std::size_t kFirst = 64 << 10;
      buf_.reserve(std::min(capacity_, std::max({need, 2 * buf_.capacity(), kFirst})));
    }
    buf_.insert(buf_.end(), data.begin(), data.end());
  }
  Status flush() {
    if (buf_.empty()) return ok_status();
    Status s = write_out(buf_.data(), buf_.size());
    buf_.clear();
    return fail_on(std::move(s));
  }
  Status fail_on(Status s) {
    if (!s.ok()) abort();
    return s;
  }
  // Regular files are allocated ahead of the writes once they pass kPreallocFrom: writing into
  // ext4's delayed allocation costs more than the write itself (731 MB in 1 MiB writes: 0.13-0.9 s
  // against 0.08 s preallocated, on this project's machines). FALLOC_FL_KEEP_SIZE leaves the size
  // alone; trim_preallocation() gives back what the file did not use. Where the file system cannot
  // (EOPNOTSUPP) or is full, it stops trying and write(2) reports what there is to report.
  static constexpr std::uint64_t kPreallocFrom = 4 << 20;
  Status write_out(const std::byte* p, std::size_t n) {
    if (prealloc_ && file_end_ + n > allocated_ && file_end_ + n > kPreallocFrom) {
      const std::uint64_t step = std::clamp<std::uint64_t>(allocated_ / 4, 8 << 20, 64 << 20);
      const std::uint64_t from = std::max(allocated_, file_end_);
      const std::uint64_t len = std::max<std::uint64_t>(step, file_end_ + n - from);
      if (::fallocate(fd_, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from), static_cast<off_t>(len)) == 0)
        allocated_ = from + len;
      else
        prealloc_ = false;
    }
    SLUICE_TRY(write_all(fd_, p, n, path_));
    file_end_ += n;
    return ok_status();
  }
  // Frees the blocks allocated past the end (a truncate to the same size does, on ext4 and xfs).
  Status trim_preallocation() {
    if (allocated_ <= file_end_) return ok_status();
    allocated_ = 0;
    if (::ftruncate(fd_, static_cast<off_t>(file_end_)) != 0) return os_error("ftruncate failed", path_, errno);
    return ok_status();
  }
  enum State { kOpen, kStaged, kFinished, kAborted };
  bool prealloc_ = false;
  std::uint64_t file_end_ = 0;   // bytes written to the file
  std::uint64_t allocated_ = 0;  // bytes preallocated from the start of the file
  int fd_;
  std::string path_;
  std::size_t capacity_;
  std::vector<std::byte> buf_;
  std::uint64_t written_ = 0;
  State state_ = kOpen;
};

class LocalFileSink final : public BufferedFdSink {
 public:
  LocalFileSink(int fd, std::string target, std::string temp, LocalSinkOptions options)
      : BufferedFdSink(fd, std::move(target), options.buffer_size, true), temp_(std::move(temp)), options_(options) {
    slot_ = register_temp(temp_);
  }
  ~LocalFileSink() override {
    if (state_ == kOpen || state_ == kStaged) abort();
    unregister_temp(slot_);
  }
  // The temporary file stays (and stays registered for the signal cleanup); the buffer and the file
  // descriptor go.
  Status stage() override {
    if (state_ != kOpen)
      return Error(ErrorCode::kInvalidArgument, "stage on a staged or closed sink", ErrorContext{path_});
    SLUICE_TRY(close_temp());
    state_ = kStaged;
    return ok_status();
  }
  Status finish() override {
    if (state_ != kOpen && state_ != kStaged)
      return Error(ErrorCode::kInvalidArgument, "finish on a closed sink", ErrorContext{path_});
    if (state_ == kOpen) SLUICE_TRY(close_temp());
    if (!options_.overwrite) {
      // link() fails if the target exists, unlike rename(): no window where another file is replaced.
      if (::link(temp_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        abort();
        if (err == EEXIST) return Error(ErrorCode::kAlreadyExists, "the output file already exists", ErrorContext{path_});
        return os_error("cannot create the output file", path_, err);
      }
      ::unlink(temp_.c_str());
    } else if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      const int err = errno;
      abort();
      return os_error("cannot move the output into place", path_, err);
    }
    unregister_temp(slot_);
    slot_ = -1;
    state_ = kFinished;
    return ok_status();
  }
  void abort() override {
    if (state_ != kOpen && state_ != kStaged) return;
    state_ = kAborted;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    std::vector<std::byte>().swap(buf_);
    ::unlink(temp_.c_str());
    unregister_temp(slot_);
    slot_ = -1;
  }

 private:
  // Writes the buffer out, fsyncs if asked and closes the temporary file; frees the buffer. Aborts
  // on a failure.
  Status close_temp() {
    SLUICE_TRY(flush());
    SLUICE_TRY(fail_on(trim_preallocation()));
    if (options_.fsync && ::fsync(fd_) != 0) return fail_on(os_error("fsync failed", path_, errno));
    std::vector<std::byte>().swap(buf_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return fail_on(os_error("close failed", path_, errno));
    return ok_status();
  }

  std::string temp_;
  LocalSinkOptions options_;
  int slot_ = -1;
};

// Standard output cannot stage: what is written shows. stage() only ends the writing.
class StdoutSink final : public BufferedFdSink {
 public:
  StdoutSink() : BufferedFdSink(STDOUT_FILENO, "<stdout>", 1 << 16, false) {}
  ~StdoutSink() override {
    if (state_ == kOpen || state_ == kStaged) (void)flush();
  }
  Status stage() override {
    if (state_ != kOpen)
      return Error(ErrorCode::kInvalidArgument, "stage on a staged or closed sink", ErrorContext{path_});
    state_ = kStaged;
    return ok_status();
  }
  Status finish() override {
    SLUICE_TRY(flush());
    state_ = kFinished;
    return ok_status();
  }
  void abort() override {
    buf_.clear();
    state_ = kAborted;
  }
};

std::string temp_name_for(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%d-%08llx", static_cast<int>(::getpid()),
                static_cast<unsigned long long>(rng() & 0xffffffffULL));
  return dir + "." + base + ".sluice-tmp-" + suffix;
}

}  // namespace

Result<SourcePtr> open_local_source(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return os_error("cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Error(ErrorCode::kInvalidArgument, "is a directory", ErrorContext{path});
  }
  if (!S_ISREG(st.st_mode)) return SourcePtr(std::make_unique<FdStreamSource>(fd, path));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return SourcePtr(std::make_unique<LocalFileSource>(fd, path, static_cast<std::uint64_t>(st.st_size)));
}

SourcePtr open_stdin_source() { return std::make_unique<FdStreamSource>(STDIN_FILENO, "<stdin>"); }

Result<SinkPtr> open_local_sink(const std::string& path, const LocalSinkOptions& options) {
  if (path.empty()) return Error(ErrorCode::kInvalidArgument, "empty output path");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return Error(ErrorCode::kInvalidArgument, "the output path is a directory", ErrorContext{path});
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string temp = temp_name_for(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return SinkPtr(std::make_unique<LocalFileSink>(fd, path, std::move(temp), options));
    if (errno != EEXIST) return os_error("cannot create a temporary file beside the output", path, errno);
  }
  return Error(ErrorCode::kIoError, "cannot find a free temporary file name", ErrorContext{path});
}

SinkPtr open_stdout_sink() { return std::make_unique<StdoutSink>(); }

void install_signal_cleanup() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction sa {};
    sa.sa_handler = remove_temps_and_die;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace sluice::io
