// The parts every streaming text reader shares: a read buffer that chunks are cut from, a pool of
// threads that processes chunks in any order and hands results back in input order, and the slicing
// of large results into batches of bounded rows.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sluice/core/array.hpp"
#include "sluice/core/buffer.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/source.hpp"

namespace sluice::pipeline {

// Bytes read from a source but not yet cut into a chunk ("the tail"), with `padding` readable bytes
// past them, and a pool of recycled buffers (batches own copies of their values, so a chunk's bytes
// can be reused once it is consumed).
class TailReader {
 public:
  TailReader(io::Source& src, std::size_t padding) : src_(src), padding_(padding) {}

  BufferPtr tail;
  std::size_t len = 0;
  std::uint64_t consumed = 0;  // input offset of tail[0]
  bool eof = false;

  const std::uint8_t* data() const { return tail->data(); }

  // Reads up to `want` more bytes (fewer only at the end of the input).
  Status read_more(std::size_t want) {
    if (eof) return ok_status();
    const std::size_t need = len + want + padding_ + 1;
    if (!tail || static_cast<std::size_t>(tail->capacity()) < need) {
      auto bigger = take_buffer(need);
      if (len) std::memcpy(bigger->mutable_data(), tail->data(), len);
      tail = std::move(bigger);
    }
    std::size_t got = 0;
    while (got < want) {
      auto n = src_.read({reinterpret_cast<std::byte*>(tail->mutable_data() + len + got), want - got});
      if (!n.ok()) return std::move(n).error().with_path(src_.path());
      if (*n == 0) {
        eof = true;
        break;
      }
      got += *n;
    }
    len += got;
    return ok_status();
  }

  void drop_front(std::size_t n) {
    std::memmove(tail->mutable_data(), tail->data() + n, len - n);
    len -= n;
    consumed += n;
  }

  // Hands out tail[0, cut) as a chunk's bytes without copying them; what follows moves to a fresh
  // buffer that can take `block` more bytes. Bytes past the cut stay readable (padding).
  BufferPtr cut(std::size_t cut, std::size_t block) {
    const std::size_t rest = len - cut;
    BufferPtr next = take_buffer(std::max(block, rest) + rest + padding_ + 1);
    if (rest) std::memcpy(next->mutable_data(), tail->data() + cut, rest);
    BufferPtr out = std::move(tail);
    tail = std::move(next);
    len = rest;
    consumed += cut;
    return out;
  }

  BufferPtr take_buffer(std::size_t capacity) {
    {
      std::lock_guard<std::mutex> lock(pool_mu_);
      while (!pool_.empty()) {
        BufferPtr b = std::move(pool_.back());
        pool_.pop_back();
        if (static_cast<std::size_t>(b->capacity()) >= capacity) return b;
      }
    }
    return Buffer::allocate(static_cast<std::int64_t>(capacity), false);
  }
  void give_back(BufferPtr b) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (b && b.use_count() == 1 && pool_.size() < 8) pool_.push_back(std::move(b));
  }

 private:
  io::Source& src_;
  std::size_t padding_;
  std::mutex pool_mu_;
  std::vector<BufferPtr> pool_;
};

// Jobs processed by `threads - 1` workers and by the consuming thread while it waits, taken back in
// the order they were pushed. `process(job, slot)` runs on any thread; slot 0 is the consumer's,
// 1.. the workers' (for per-thread state such as parsers).
template <class Job>
class OrderedWork {
 public:
  using Process = std::function<void(Job&, int slot)>;

  OrderedWork(int threads, Process process) : process_(std::move(process)) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  }
  ~OrderedWork() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_work_.notify_all();
    for (auto& t : workers_) t.join();
  }
  OrderedWork(const OrderedWork&) = delete;
  OrderedWork& operator=(const OrderedWork&) = delete;

  // Jobs pushed and not yet taken; keep about two per thread in flight so no thread waits for the
  // consumer to take an earlier one.
  std::int64_t in_flight() const { return pushed_ - taken_; }
  std::int64_t limit() const {
    if (workers_.empty()) return 1;
    return 2 * static_cast<std::int64_t>(workers_.size() + 1) + 1;
  }

  // Pushes the jobs `next()` makes until limit() are in flight or it has no more. next() returns
  // Result<std::shared_ptr<Job>>, null at the end of the input. Where it fails (the producer's error:
  // a record too long to buffer, a read error), the job `failed(Error)` makes of the error is pushed
  // done, behind the jobs before it, and nothing is pushed after it (closed()): taken in order, it
  // surfaces after the rows before it and after their own errors, as one thread would give them.
  template <class Next, class Failed>
  void fill(Next&& next, Failed&& failed) {
    while (!closed_ && in_flight() < limit()) {
      auto job = next();
      if (!job.ok()) {
        closed_ = true;
        push(failed(std::move(job).error()), /*done=*/true);
        return;
      }
      if (!*job) return;
      push(std::move(*job));
    }
  }
  // The producer failed (fill()): no job is pushed after its error's.
  bool closed() const { return closed_; }

  // `done`: the job needs no processing (e.g. it only carries an error to surface in order).
  void push(std::shared_ptr<Job> job, bool done = false) {
    Entry e{std::move(job), done};
    const std::int64_t idx = pushed_++;
    if (workers_.empty() && !done) {
      process_(*e.job, 0);
      e.done = true;
    }
    std::lock_guard<std::mutex> lock(mu_);
    results_[idx] = e;
    if (!e.done) {
      queue_.push_back(idx);
      cv_work_.notify_one();
    }
  }

  // The next job in push order, processed; null when none is pushed.
  std::shared_ptr<Job> take() {
    std::unique_lock<std::mutex> lock(mu_);
    auto it = results_.find(taken_);
    if (it == results_.end()) return nullptr;
    // While the job we need is not done, this thread works too: `threads` threads parse, no more.
    while (!it->second.done) {
      if (queue_.empty()) {
        cv_done_.wait(lock);
        continue;
      }
      const std::int64_t idx = queue_.front();
      queue_.pop_front();
      Job& job = *results_[idx].job;
      lock.unlock();
      process_(job, 0);
      lock.lock();
      results_[idx].done = true;
    }
    std::shared_ptr<Job> out = std::move(it->second.job);
    results_.erase(it);
    ++taken_;
    return out;
  }

 private:
  struct Entry {
    std::shared_ptr<Job> job;
    bool done = false;
  };

  void worker_loop(int slot) {
    while (true) {
      std::int64_t idx;
      Job* job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        idx = queue_.front();
        queue_.pop_front();
        job = results_[idx].job.get();
      }
      process_(*job, slot);
      {
        std::lock_guard<std::mutex> lock(mu_);
        results_[idx].done = true;
      }
      cv_done_.notify_all();
    }
  }

  Process process_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::deque<std::int64_t> queue_;
  std::map<std::int64_t, Entry> results_;
  std::int64_t pushed_ = 0, taken_ = 0;
  bool closed_ = false;  // (the consumer's: fill() and closed() run on it only)
  bool stopping_ = false;
};

// OrderedWork::fill() for the text readers: a job per chunk `produce()` cuts (Result<std::optional<
// Chunk>>, nothing at the end), set as `Job::chunk`; the producer's error goes, in order, in a job of
// its own as `Job::produce_error` (std::optional<Error>).
template <class Job, class Produce>
void fill_with_chunks(OrderedWork<Job>& work, Produce&& produce) {
  work.fill(
      [&]() -> Result<std::shared_ptr<Job>> {
        SLUICE_ASSIGN_OR_RETURN(auto chunk, produce());
        if (!chunk) return std::shared_ptr<Job>();
        auto job = std::make_shared<Job>();
        job->chunk = std::move(*chunk);
        return job;
      },
      [](Error e) {
        auto job = std::make_shared<Job>();
        job->produce_error = std::move(e);
        return job;
      });
}

// A converted chunk handed out in batches of at most `max_rows` rows.
class BatchSlicer {
 public:
  void put(Batch b) {
    pending_ = std::move(b);
    pos_ = 0;
  }
  std::optional<Batch> take(std::int64_t max_rows) {
    if (!pending_) return std::nullopt;
    const std::int64_t left = pending_->num_rows - pos_;
    if (left <= 0) {
      pending_.reset();
      return std::nullopt;
    }
    const std::int64_t n = std::min(left, max_rows);
    Batch out = (pos_ == 0 && n == pending_->num_rows) ? *pending_ : pending_->slice(pos_, n);
    pos_ += n;
    if (pos_ >= pending_->num_rows) pending_.reset();
    return out;
  }

 private:
  std::optional<Batch> pending_;
  std::int64_t pos_ = 0;
};

// Every batch of a reader (convenience for tests and small inputs).
template <class Reader>
Result<std::vector<Batch>> drain(Reader& reader) {
  std::vector<Batch> out;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto b, reader.next());
    if (!b) break;
    out.push_back(std::move(*b));
  }
  return out;
}

// A batch of `rows` rows of `columns` under `schema`, or nothing for an empty chunk.
inline std::optional<Batch> batch_of(const SchemaPtr& schema, std::vector<ArrayPtr> columns, std::int64_t rows) {
  if (rows == 0) return std::nullopt;
  Batch b;
  b.schema = schema;
  b.columns = std::move(columns);
  b.num_rows = rows;
  return b;
}

// A random-access source read from its start through read_at, leaving the source's own cursor alone:
// whole-input inference reads the input once before the real pass.
class FromStart final : public io::Source {
 public:
  explicit FromStart(io::Source& s) : s_(s) {}
  const std::string& path() const override { return s_.path(); }
  bool supports_random_access() const override { return true; }
  Result<std::uint64_t> size() override { return s_.size(); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override { return s_.read_at(offset, dst); }
  Result<std::size_t> read(std::span<std::byte> dst) override {
    auto n = s_.read_at(pos_, dst);
    if (n.ok()) pos_ += *n;
    return n;
  }

 private:
  io::Source& s_;
  std::uint64_t pos_ = 0;
};

// Whole-input inference: opens `Reader` on `source` read from its start (the caller's cursor left
// alone) with `first` and reads it to the end, for the schema it ends with. Refused on streams.
template <class Reader, class Options>
Result<std::unique_ptr<Reader>> first_pass(io::Source& source, Options first) {
  if (!source.supports_random_access())
    return Error(ErrorCode::kInvalidArgument,
                 "inferring types from the whole input needs a file, not a stream (it reads the input twice)",
                 ErrorContext(source.path()));
  SLUICE_ASSIGN_OR_RETURN(auto pass, Reader::open(std::make_unique<FromStart>(source), std::move(first)));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto b, pass->next());
    if (!b) break;
  }
  return pass;
}

}  // namespace sluice::pipeline
