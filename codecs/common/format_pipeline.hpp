// The text writers' threaded path (CSV, NDJSON): each batch is cut into row ranges, the ranges are
// formatted into buffers of their own on `threads` threads, and the caller's thread hands the buffers
// to the sink in row order, so write(2) runs while the other threads format. The bytes do not depend
// on the thread count or on where the ranges are cut.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/pipeline.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/sink.hpp"

namespace sluice::pipeline {

// Rows [begin, end) of one batch, formatted on any thread. `Plan` is what the writer resolved of
// the batch once (buffer pointers, per-column kinds), shared by the batch's ranges.
template <class Plan>
struct FormatJob {
  std::shared_ptr<const Plan> plan;
  std::int64_t begin = 0, end = 0;
  std::string text;               // the formatter's buffer: its size() is capacity, `size` is used
  std::size_t size = 0;           // bytes of text to write
  std::int64_t rows_done = 0;     // rows formatted whole (end - begin unless a value failed)
  std::int64_t non_finite = 0;    // NDJSON: NaN / ±Inf written as null
  std::optional<Error> error;     // a value failed; `text` holds what the one-thread writer would have
};

// Queues the ranges, keeps about two per thread in flight, writes finished ones in order. Used by
// one thread (the writer's caller). The first failure (a range's value or the sink) stops the
// queue: later ranges are dropped, the failing range's text up to the bad row is written (as the
// one-thread writer leaves it), and the error is returned by the call that meets it: add() of that
// batch or of a later one, or drain().
template <class Plan>
class OrderedFormatter {
 public:
  using Job = FormatJob<Plan>;
  using Format = std::function<void(Job&)>;

  OrderedFormatter(int threads, io::Sink& sink, std::int64_t target_bytes, Format format)
      : sink_(sink),
        target_bytes_(std::max<std::int64_t>(target_bytes, 1)),
        work_(std::max(threads, 2), [f = std::move(format)](Job& job, int) { f(job); }) {}

  // Queues rows [0, rows) of the plan's batch. Returns the first failure met; after it every add()
  // returns it again (nothing more is written).
  Status add(std::shared_ptr<const Plan> plan, std::int64_t rows) {
    if (failed_ && surfaced_) return *failed_;
    for (std::int64_t begin = 0; begin < rows && !failed_;) {
      auto job = std::make_shared<Job>();
      job->plan = plan;
      job->begin = begin;
      job->end = begin + std::min(rows - begin, rows_per_range());
      begin = job->end;
      if (!spare_.empty()) {
        job->text = std::move(spare_.back());
        spare_.pop_back();
      }
      work_.push(std::move(job));
      while (work_.in_flight() >= work_.limit() && !failed_) take_one();
    }
    return surface();
  }

  // Writes every queued range. Returns the first failure if no add() returned it yet.
  Status drain() {
    while (work_.in_flight() > 0 && !failed_) take_one();
    return surface();
  }

  bool failed() const { return failed_.has_value(); }
  // The range that failed on a value (null when none did, or the sink failed).
  const Job* failed_job() const { return failed_job_.get(); }
  std::int64_t non_finite() const { return non_finite_; }

 private:
  // Rows per range, for about `target_bytes` of text from what the ranges so far averaged.
  std::int64_t rows_per_range() const {
    const double per_row = rows_seen_ > 0 ? static_cast<double>(bytes_seen_) / static_cast<double>(rows_seen_) : 64.0;
    const double rows = static_cast<double>(target_bytes_) / std::max(per_row, 1.0);
    return std::clamp<std::int64_t>(static_cast<std::int64_t>(rows), 16, 1 << 16);
  }

  void take_one() {
    std::shared_ptr<Job> job = work_.take();
    if (!job) return;
    non_finite_ += job->non_finite;
    rows_seen_ += job->rows_done;
    bytes_seen_ += static_cast<std::int64_t>(job->size);
    if (job->size > 0) {
      Status s = sink_.write(job->text.data(), job->size);
      if (!s.ok()) failed_ = std::move(s).error();
    }
    if (job->error && !failed_) {
      failed_ = *job->error;
      failed_job_ = job;
    }
    if (failed_) {
      // The ranges after a failure are formatted (they are in the workers' hands) but not written.
      while (work_.in_flight() > 0) work_.take();
      return;
    }
    job->plan.reset();
    spare_.push_back(std::move(job->text));
  }

  Status surface() {
    if (!failed_ || surfaced_) return ok_status();
    surfaced_ = true;
    return *failed_;
  }

  io::Sink& sink_;
  std::int64_t target_bytes_;
  OrderedWork<Job> work_;
  std::vector<std::string> spare_;  // buffers of written ranges, reused (no page faults per range)
  std::int64_t rows_seen_ = 0, bytes_seen_ = 0;
  std::int64_t non_finite_ = 0;
  std::optional<Error> failed_;
  std::shared_ptr<Job> failed_job_;
  bool surfaced_ = false;
};

}  // namespace sluice::pipeline
