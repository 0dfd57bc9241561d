#include "sluice/codecs/parquet/reader.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "common/pipeline.hpp"
#include "parquet/assemble.hpp"
#include "parquet/column_reader.hpp"
#include "parquet/describe.hpp"
#include "parquet/metadata.hpp"
#include "parquet/schema.hpp"
#include "parquet/stats.hpp"
#include "sluice/core/unordered.hpp"

namespace sluice::parquet {

namespace {
// Files up to this size are read whole when opened (see Impl::open).
constexpr std::uint64_t kWholeFileBytes = std::uint64_t{1} << 20;
}  // namespace

class ParquetReader::Impl {
 public:
  Impl(io::SourcePtr source, ReadOptions options) : source_(std::move(source)), options_(std::move(options)) {}
  ~Impl() { stop_workers(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status open() {
    const std::string& path = source_->path();
    if (!source_->supports_random_access())
      return Error(ErrorCode::kInvalidArgument, "a Parquet file needs random access; this input is a stream",
                   ErrorContext(path));
    if (options_.batch_rows < 1) return Error(ErrorCode::kInvalidArgument, "batch_rows must be at least 1");
    SLUICE_ASSIGN_OR_RETURN(file_size_, source_->size());
    if (file_size_ < 12)
      return Error(ErrorCode::kParseError,
                   "not a Parquet file: " + std::to_string(file_size_) + " bytes, fewer than the 12 of an empty one",
                   ErrorContext(path));
    // The leading magic and the tail in one call, so that a store fetches them at once. The tail is
    // kept: whatever of the file lies in it (page indexes, bloom filters, the last chunks) is not read
    // again. A file of up to kWholeFileBytes is read whole: one GET instead of one per row group.
    const std::uint64_t tail_size =
        file_size_ <= kWholeFileBytes ? file_size_ : std::min<std::uint64_t>(file_size_, kSuggestedTailBytes);
    tail_offset_ = file_size_ - tail_size;
    std::uint8_t head[4];
    {
      std::vector<io::ByteRange> wanted;
      if (tail_offset_ > 0) wanted.push_back({0, 4});
      wanted.push_back({tail_offset_, tail_size});
      auto bufs = source_->read_ranges(wanted);
      if (!bufs.ok()) return Error(std::move(bufs).error()).with_path(path);
      for (const auto& r : wanted) bytes_read_ += r.length;
      tail_ = std::move(bufs->back());
      std::memcpy(head, (tail_offset_ > 0 ? bufs->front() : tail_)->data(), 4);
    }
    if (auto st = check_leading_magic({head, 4}); !st.ok()) return Error(st.error()).with_path(path);
    const std::span<const std::uint8_t> tail(tail_->data(), tail_size);
    auto located = locate_footer(file_size_, tail);
    if (!located.ok()) return Error(std::move(located).error()).with_path(path);
    const FooterInfo footer = *located;
    if (static_cast<std::int64_t>(footer.length) > options_.max_footer_bytes)
      return Error(ErrorCode::kLimitExceeded,
                   "the footer is " + std::to_string(footer.length) + " bytes, more than the limit of " +
                       std::to_string(options_.max_footer_bytes),
                   ErrorContext(path));
    std::vector<std::uint8_t> footer_bytes;
    std::span<const std::uint8_t> fb;
    if (footer.within_tail(tail_size)) {
      fb = footer.in_tail(tail);
    } else {
      footer_bytes.resize(footer.length);
      SLUICE_TRY(read_exact(footer.offset, footer_bytes.data(), footer.length));
      fb = footer_bytes;
    }
    ThriftLimits limits;
    limits.max_string_bytes = options_.max_thrift_string_bytes;
    limits.max_container_elems = options_.max_thrift_container_elems;
    auto md = parse_file_metadata(fb, file_size_, limits);
    if (!md.ok()) return Error(std::move(md).error()).with_path(path);
    md_ = std::move(md).value();
    auto schema = build_schema(md_, options_);
    if (!schema.ok()) return Error(std::move(schema).error()).with_path(path);
    schema_ = std::move(schema).value();
    auto fields = project(schema_, options_.columns);
    if (!fields.ok()) return Error(std::move(fields).error()).with_path(path);
    fields_ = std::move(fields).value();
    output_schema_ = schema_of(fields_, schema_);
    selected_ = leaves_of(fields_);
    for (const auto& f : fields_) field_leaves_.push_back(leaves_of({f}));
    if (options_.filter) {
      auto bound = RowGroupFilter::bind(*options_.filter, md_, schema_);
      if (!bound.ok()) return Error(std::move(bound).error()).with_path(path);
      filter_ = std::move(bound).value();
    }
    return ok_status();
  }

  Result<std::optional<Batch>> next() {
    if (!started_) {
      started_ = true;
      SLUICE_TRY(plan());
    }
    if (!workers_.empty()) return next_on_threads();
    while (!current_ || current_->rows_left == 0) {
      if (next_group_ == groups_.size()) return std::optional<Batch>();
      current_ = std::make_unique<RowGroupState>();
      SLUICE_TRY(open_row_group(groups_[next_group_++], *current_));
    }
    return read_batch(*current_);
  }

  const SchemaPtr& schema() const { return output_schema_; }
  std::int64_t num_rows() const { return md_.num_rows; }
  int num_row_groups() const { return static_cast<int>(md_.row_groups.size()); }
  int row_groups_skipped() const { return skipped_; }
  std::uint64_t bytes_read() const { return bytes_read_.load(); }
  std::string describe_schema() const { return parquet::describe_schema(md_); }
  std::string describe_footer() const { return parquet::describe_footer(md_, schema_); }

 private:
  // The column readers of one row group and the leaf chunks they decode into.
  struct RowGroupState {
    int group = -1;
    std::int64_t rows = 0, rows_left = 0;  // rows_left: of the ranges still to read
    // The rows to read: all, or those the page indexes leave (disjoint, in order).
    RowGroupFilter::RowRanges ranges;
    std::size_t range = 0;
    std::int64_t cursor = 0;  // the next row every column reader stands at
    std::vector<std::unique_ptr<ColumnChunkReader>> readers;  // by leaf (selected ones set)
    std::vector<LeafChunk> chunks;                            // by leaf
    std::vector<LeafChunk*> chunk_ptrs;
    std::vector<std::size_t> field_order;  // the field path's order of the fields' jobs (set at need)
  };
  struct FieldJob {
    RowGroupState* state = nullptr;
    std::size_t field = 0;
    std::int64_t rows = 0;
    Status status;
    ArrayPtr array;
    // Set: a job that only decompresses its share of these pages (the field path).
    std::vector<SnappyPage>* pages = nullptr;
    std::size_t share = 0, shares = 1;
  };
  struct RowGroupJob {
    int group = -1;
    Status status;
    std::vector<Batch> batches;
  };

  // The next batch of `st` (rows left), its fields decoded here or, on the field path, on the threads.
  Result<std::optional<Batch>> read_batch(RowGroupState& st) {
    std::int64_t rows = 0;
    SLUICE_TRY(position(st, &rows));
    std::vector<ArrayPtr> columns(fields_.size());
    if (field_work_) {
      // One row group too large to hold decoded whole: its batches' fields decoded in parallel, the
      // largest first (by the row group's uncompressed bytes): a text column much larger than the
      // others, started last, would leave the other threads waiting for it at every batch.
      if (st.field_order.empty()) {
        const auto& rg = md_.row_groups[static_cast<std::size_t>(st.group)];
        std::vector<std::int64_t> weight(fields_.size(), 0);
        for (std::size_t f = 0; f < fields_.size(); ++f)
          for (int l : field_leaves_[f]) weight[f] += rg.columns[static_cast<std::size_t>(l)].meta_data.total_uncompressed_size;
        st.field_order.resize(fields_.size());
        for (std::size_t f = 0; f < fields_.size(); ++f) st.field_order[f] = f;
        std::stable_sort(st.field_order.begin(), st.field_order.end(),
                         [&](std::size_t x, std::size_t y) { return weight[x] > weight[y]; });
      }
      decompress_ahead(st, rows);
      for (const std::size_t f : st.field_order) {
        auto job = std::make_shared<FieldJob>();
        job->state = &st;
        job->field = f;
        job->rows = rows;
        field_work_->push(job);
      }
      // The error of the first field that fails, as one thread reading them in order would give.
      Status first_error;
      std::size_t error_field = fields_.size();
      for (std::size_t f = 0; f < fields_.size(); ++f) {
        auto job = field_work_->take();
        if (!job->status.ok() && job->field < error_field) {
          first_error = job->status;
          error_field = job->field;
        }
        columns[job->field] = std::move(job->array);
      }
      SLUICE_TRY(first_error);
    } else {
      decompress_ahead(st, rows);
      for (std::size_t f = 0; f < fields_.size(); ++f) {
        FieldJob job;
        job.state = &st;
        job.field = f;
        job.rows = rows;
        run(job);
        SLUICE_TRY(job.status);
        columns[f] = std::move(job.array);
      }
    }
    st.rows_left -= rows;
    st.cursor += rows;
    return std::optional<Batch>(Batch{output_schema_, std::move(columns), rows});
  }

  // Which row groups to read (the filter's pruning), and how to use the threads: whole row groups
  // on the workers when several decoded ones fit in memory, else the fields of each batch.
  Status plan() {
    const std::int64_t largest = choose_groups();
    const int threads = std::max(1, options_.threads);
    if (threads == 1) return ok_status();
    if (groups_.size() > 1 && largest <= kWholeGroupBytes) {
      slots_.resize(groups_.size());
      for (std::size_t i = 0; i < groups_.size(); ++i) slots_[i].job.group = groups_[i];
      max_ahead_ = options_.row_groups_ahead > 0 ? options_.row_groups_ahead : 2 * (threads - 1);
      for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
    } else {
      start_field_path();
    }
    return ok_status();
  }

  // Sets groups_ (the row groups the filter leaves) and group_first_row_; returns the most decoded
  // bytes of the selected columns in one of them.
  std::int64_t choose_groups() {
    std::int64_t largest = 0, row = 0;
    group_first_row_.resize(md_.row_groups.size());
    for (std::size_t g = 0; g < md_.row_groups.size(); ++g) {
      const auto& rg = md_.row_groups[g];
      group_first_row_[g] = row;
      row += rg.num_rows;
      if (rg.num_rows == 0) continue;
      if (filter_ && (!filter_->may_match(rg) || !filter_->bloom_may_match(rg, read_bytes_))) {
        ++skipped_;
        continue;
      }
      groups_.push_back(static_cast<int>(g));
      std::int64_t bytes = 0;
      for (int l : selected_) bytes += rg.columns[static_cast<std::size_t>(l)].meta_data.total_uncompressed_size;
      largest = std::max(largest, bytes);
    }
    return largest;
  }

  void start_field_path() {
    if (options_.threads > 1 && fields_.size() > 1)
      field_work_ = std::make_unique<pipeline::OrderedWork<FieldJob>>(options_.threads,
                                                                       [this](FieldJob& job, int) { run(job); });
  }

 public:
  // ---- Row groups on the threads, in no order (see ParquetReader::scan_unordered) ----------------
  Status scan_unordered(const UnorderedConsumer& consume) {
    if (started_)
      return Error(ErrorCode::kInvalidArgument, "scan_unordered() after next(): the reader has begun",
                   ErrorContext(source_->path()));
    started_ = true;
    choose_groups();
    next_group_ = groups_.size();  // next() is at the end afterwards
    const int threads = static_cast<int>(std::min<std::size_t>(std::max(1, options_.threads), groups_.size()));
    if (threads < 2) {  // in file order on this thread; one row group's fields on the threads
      if (groups_.size() == 1) start_field_path();
      for (std::size_t i = 0; i < groups_.size(); ++i) SLUICE_TRY(scan_row_group(i, 0, consume, nullptr));
      return ok_status();
    }
    return run_unordered(groups_.size(), threads,
                         [&](std::size_t i, int thread, const std::atomic<std::size_t>& failed) {
                           return scan_row_group(i, thread, consume, &failed);
                         });
  }

 private:
  // Row group groups_[i] a batch at a time to `consume`, on this thread; stops early (fine) once a
  // row group before it has failed.
  Status scan_row_group(std::size_t i, int thread, const UnorderedConsumer& consume,
                        const std::atomic<std::size_t>* failed) {
    RowGroupState st;
    SLUICE_TRY(open_row_group(groups_[i], st));
    while (st.rows_left > 0) {
      if (failed && failed->load(std::memory_order_relaxed) < i) return ok_status();
      const std::int64_t left = st.rows_left;
      SLUICE_ASSIGN_OR_RETURN(auto b, read_batch(st));
      ParquetReader::BatchPlace place;
      place.row_group = st.group;
      // (read_batch() moves the cursor past the batch, and past rows the page indexes rule out.)
      place.first_row = group_first_row_[static_cast<std::size_t>(st.group)] + st.cursor - (left - st.rows_left);
      place.thread = thread;
      SLUICE_TRY(consume(std::move(*b), place));
    }
    return ok_status();
  }

  // ---- Row groups on the threads ----------------------------------------------------------------
  // Row groups are handed out in file order. The workers (threads - 1) decode theirs whole, ahead of
  // the caller, at most max_ahead_ of them decoded or decoding; the caller's thread (the consumer)
  // decodes the row group it hands out next itself, a batch per next() as one thread reads, where no
  // worker has taken it. Its share then holds one batch at a time instead of a decoded row group
  // waiting its turn (the 4M-row scan on two threads: peak RSS 65-71 MiB instead of 88-90, a third
  // fewer page faults, as fast). A free worker leaves the consumer the row group it will want next
  // (the next one to hand out, or, while it decodes one of its own, the first free one) and takes the
  // one after, so that the two alternate and the consumer does not wait for a worker halfway through
  // the row group it needs. A consumer slower than the workers (a heavy sink) finds theirs done and
  // decodes one row group in max_ahead_ + 1.

  Result<std::optional<Batch>> next_on_threads() {
    while (true) {
      if (ready_pos_ < ready_.size()) return std::optional<Batch>(std::move(ready_[ready_pos_++]));
      if (current_) {
        if (current_->rows_left > 0) {
          auto b = read_batch(*current_);
          if (!b.ok() || current_->rows_left == 0) finish_own();
          return b;
        }
        finish_own();
      }
      if (hand_out_ == groups_.size()) return std::optional<Batch>();
      SLUICE_TRY(claim_or_take());
    }
  }

  // The next row group to hand out: decoded here from now on if no worker has it, else the worker's
  // batches once it is done.
  Status claim_or_take() {
    std::unique_lock<std::mutex> lock(mu_);
    Slot& slot = slots_[hand_out_++];
    cv_done_.wait(lock, [&] { return slot.state != Slot::kWorker; });
    if (slot.state == Slot::kFree) {
      slot.state = Slot::kTaken;
      consumer_busy_ = true;
      lock.unlock();
      auto st = std::make_unique<RowGroupState>();
      if (Status s = open_row_group(slot.job.group, *st); !s.ok()) {
        finish_own();
        return s;
      }
      current_ = std::move(st);
      return ok_status();
    }
    RowGroupJob job = std::move(slot.job);
    slot.state = Slot::kTaken;
    --ahead_;
    lock.unlock();
    cv_work_.notify_all();
    SLUICE_TRY(job.status);
    ready_ = std::move(job.batches);
    ready_pos_ = 0;
    return ok_status();
  }

  // The consumer is done with its row group (read, or failed).
  void finish_own() {
    current_.reset();
    std::lock_guard<std::mutex> lock(mu_);
    consumer_busy_ = false;
  }

  // The row group a free worker takes: the first free one, or the second while the consumer decodes
  // one of its own (the first is the one it will want); slots_.size() when none is free.
  std::size_t pick() {
    while (first_free_ < slots_.size() && slots_[first_free_].state != Slot::kFree) ++first_free_;
    if (first_free_ == slots_.size() || (!consumer_busy_ && first_free_ > hand_out_)) return first_free_;
    for (std::size_t i = first_free_ + 1; i < slots_.size(); ++i)
      if (slots_[i].state == Slot::kFree) return i;
    return first_free_;
  }

  void worker_loop() {
    while (true) {
      Slot* slot = nullptr;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_work_.wait(lock, [&] { return stopping_ || (ahead_ < max_ahead_ && pick() < slots_.size()); });
        if (stopping_) return;
        slot = &slots_[pick()];
        slot->state = Slot::kWorker;
        ++ahead_;
      }
      decode_row_group(slot->job);
      {
        std::lock_guard<std::mutex> lock(mu_);
        slot->state = Slot::kDone;
      }
      cv_done_.notify_all();
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_work_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  // A worker's row group, decoded whole (read_batch() decodes its fields here: no field path then).
  void decode_row_group(RowGroupJob& job) {
    RowGroupState st;
    job.status = open_row_group(job.group, st);
    while (job.status.ok() && st.rows_left > 0) {
      auto b = read_batch(st);
      if (!b.ok()) {
        job.status = std::move(b).error();
        break;
      }
      job.batches.push_back(std::move(**b));
    }
  }

  // The SNAPPY pages the next batch of `rows` rows reads, of every selected column, decompressed
  // together (two streams interleaved on this thread: snappy_decompress_many) rather than one after
  // another, up to kAheadBytes of them (the rest as the batch reaches them).
  // On the field path (a row group too large to decode whole, fields on the threads) each thread takes
  // a share of the pages, of about equal bytes, and pairs them in turn: a text column's pages then no
  // longer decompress on the one thread that reads that column.
  void decompress_ahead(RowGroupState& st, std::int64_t rows) {
    static constexpr std::int64_t kAheadBytes = std::int64_t{64} << 20;
    std::vector<SnappyPage> pages;
    std::int64_t budget = kAheadBytes;
    for (int l : selected_) st.readers[static_cast<std::size_t>(l)]->plan_ahead(rows, &budget, pages);
    if (pages.empty()) return;
    const std::size_t shares = field_work_ ? static_cast<std::size_t>(std::max(1, options_.threads)) : 1;
    if (shares > 1 && pages.size() > 2) {
      for (std::size_t k = 0; k < shares; ++k) {
        auto job = std::make_shared<FieldJob>();
        job->pages = &pages;
        job->share = k;
        job->shares = shares;
        field_work_->push(job);
      }
      for (std::size_t k = 0; k < shares; ++k) field_work_->take();
    } else {
      snappy_decompress_many(pages);
    }
    for (int l : selected_) st.readers[static_cast<std::size_t>(l)]->ahead_done(pages);
  }

  // Moves every column reader of `st` to the next row to read (skipping rows between page-index
  // ranges) and sets `*rows` to the size of the next batch: within one range, at most batch_rows.
  Status position(RowGroupState& st, std::int64_t* rows) {
    while (st.range < st.ranges.size() && st.cursor >= st.ranges[st.range].second) ++st.range;
    if (st.range == st.ranges.size()) return Error(ErrorCode::kInternal, "no rows left to read");
    const auto [begin, end] = st.ranges[st.range];
    if (st.cursor < begin) {
      for (int l : selected_) {
        Status s = st.readers[static_cast<std::size_t>(l)]->skip(begin - st.cursor);
        if (!s.ok()) return s;
      }
      st.cursor = begin;
    }
    *rows = std::min(end - st.cursor, options_.batch_rows);
    return ok_status();
  }

  // Bytes of the file for the bloom filters: fewer at the end of the file, never past it.
  RowGroupFilter::ReadBytes read_bytes_ = [this](std::int64_t offset, std::int64_t length) -> Result<BufferPtr> {
    if (offset < 0 || length < 0 || static_cast<std::uint64_t>(offset) >= file_size_)
      return Error(ErrorCode::kParseError, "a bloom filter outside the file");
    length = std::min<std::int64_t>(length, static_cast<std::int64_t>(file_size_) - offset);
    if (BufferPtr in_tail = from_tail(static_cast<std::uint64_t>(offset), static_cast<std::uint64_t>(length))) return in_tail;
    auto b = Buffer::allocate(length, false);
    SLUICE_TRY(read_exact(static_cast<std::uint64_t>(offset), b->mutable_data(), static_cast<std::uint64_t>(length)));
    return b;
  };

  // The bytes [offset, offset + n) as a view of the tail read at open, or null where they are not
  // all in it.
  BufferPtr from_tail(std::uint64_t offset, std::uint64_t n) const {
    if (!tail_ || offset < tail_offset_ || n > file_size_ - offset) return nullptr;
    return Buffer::wrap(tail_->data() + (offset - tail_offset_), static_cast<std::int64_t>(n), tail_);
  }

  Status read_exact(std::uint64_t offset, std::uint8_t* dst, std::uint64_t n) {
    SLUICE_ASSIGN_OR_RETURN(std::size_t got, source_->read_at(offset, {reinterpret_cast<std::byte*>(dst), n}));
    bytes_read_ += got;
    if (got != n) {
      ErrorContext ctx(source_->path());
      ctx.byte_offset = static_cast<std::int64_t>(offset + got);
      return Error(ErrorCode::kIoError, "short read: the file ended early", ctx);
    }
    return ok_status();
  }

  // Reads the leaves of one field for `job.rows` rows and builds its array (runs on any thread).
  void run(FieldJob& job) {
    if (job.pages) {  // the field path's share of a batch's pages (no state, no field)
      snappy_decompress_many(*job.pages, job.share, job.shares);
      return;
    }
    RowGroupState& st = *job.state;
    const FieldNode& field = fields_[job.field];
    for (int l : field_leaves_[job.field]) {
      auto& reader = *st.readers[static_cast<std::size_t>(l)];
      auto& chunk = st.chunks[static_cast<std::size_t>(l)];
      Status s = reader.read(job.rows, &chunk);
      if (!s.ok()) {
        job.status = std::move(s);
        return;
      }
      if (chunk.rows != job.rows) {
        ErrorContext ctx(source_->path());
        ctx.column_name = schema_.leaves[static_cast<std::size_t>(l)].dotted;
        job.status = Error(ErrorCode::kParseError,
                           "row group " + std::to_string(st.group) + ": the column chunk ends after " +
                               std::to_string(st.cursor + chunk.rows) + " of its " +
                               std::to_string(st.rows) + " rows",
                           ctx);
        return;
      }
    }
    auto a = assemble(field, st.chunk_ptrs, schema_.leaves, job.rows);
    if (!a.ok()) {
      job.status = Error(std::move(a).error()).with_path(source_->path());
      return;
    }
    job.array = std::move(a).value();
  }

  // Reads the selected chunks of row group `g` (byte ranges merged where close) and sets up their
  // readers. Runs on any thread: the Source's read_ranges must be thread-safe.
  Status open_row_group(int g, RowGroupState& st) {
    const auto& rg = md_.row_groups[static_cast<std::size_t>(g)];
    st.group = g;
    st.rows = rg.num_rows;
    st.ranges = {{0, rg.num_rows}};
    if (filter_) st.ranges = filter_->page_ranges(rg, read_bytes_);
    st.rows_left = 0;
    for (const auto& [b, e] : st.ranges) st.rows_left += e - b;
    if (st.rows_left == 0) return ok_status();  // the page indexes rule out every row
    st.readers.resize(schema_.leaves.size());
    st.chunks.resize(schema_.leaves.size());
    st.chunk_ptrs.resize(schema_.leaves.size());
    for (std::size_t i = 0; i < st.chunks.size(); ++i) st.chunk_ptrs[i] = &st.chunks[i];
    std::vector<std::pair<ByteRange, int>> wanted;
    for (int l : selected_) wanted.emplace_back(chunk_range(rg.columns[static_cast<std::size_t>(l)]), l);
    std::sort(wanted.begin(), wanted.end(), [](const auto& a, const auto& b) { return a.first.offset < b.first.offset; });
    std::vector<io::ByteRange> merged;
    std::vector<std::size_t> merged_of(wanted.size());
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const ByteRange r = wanted[i].first;
      if (!merged.empty()) {
        io::ByteRange& m = merged.back();
        const auto m_end = static_cast<std::int64_t>(m.offset + m.length);
        if (r.offset <= m_end + options_.range_merge_gap) {
          m.length = static_cast<std::uint64_t>(std::max(m_end, r.end()) - static_cast<std::int64_t>(m.offset));
          merged_of[i] = merged.size() - 1;
          continue;
        }
      }
      merged.push_back({static_cast<std::uint64_t>(r.offset), static_cast<std::uint64_t>(r.length)});
      merged_of[i] = merged.size() - 1;
    }
    // Ranges inside the tail read at open are views of it; the others are read.
    std::vector<BufferPtr> got(merged.size());
    std::vector<io::ByteRange> to_read;
    std::vector<std::size_t> read_index;
    for (std::size_t i = 0; i < merged.size(); ++i) {
      got[i] = from_tail(merged[i].offset, merged[i].length);
      if (!got[i]) {
        to_read.push_back(merged[i]);
        read_index.push_back(i);
      }
    }
    if (!to_read.empty()) {
      auto bufs = source_->read_ranges(to_read);
      if (!bufs.ok()) return Error(std::move(bufs).error()).with_path(source_->path());
      for (std::size_t k = 0; k < to_read.size(); ++k) {
        bytes_read_ += to_read[k].length;
        got[read_index[k]] = std::move((*bufs)[k]);
      }
    }
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const auto& [r, l] = wanted[i];
      const BufferPtr& whole = got[merged_of[i]];
      const auto at = r.offset - static_cast<std::int64_t>(merged[merged_of[i]].offset);
      auto bytes = Buffer::wrap(whole->data() + at, r.length, whole);
      st.readers[static_cast<std::size_t>(l)] = std::make_unique<ColumnChunkReader>(
          schema_.leaves[static_cast<std::size_t>(l)], rg.columns[static_cast<std::size_t>(l)].meta_data,
          std::move(bytes), r.offset, options_, source_->path());
    }
    // Rows left out by the page indexes: where a chunk has an offset index, its pages there go unread.
    if (st.ranges.size() != 1 || st.ranges[0].first != 0 || st.ranges[0].second != rg.num_rows) {
      for (int l : selected_) {
        const auto& c = rg.columns[static_cast<std::size_t>(l)];
        if (!c.__isset.offset_index_offset || !c.__isset.offset_index_length || c.offset_index_length <= 0) continue;
        auto bytes = read_bytes_(c.offset_index_offset, c.offset_index_length);
        if (!bytes.ok()) continue;
        auto oi = parse_offset_index({(*bytes)->data(), static_cast<std::size_t>((*bytes)->size())});
        if (oi.ok()) st.readers[static_cast<std::size_t>(l)]->set_page_locations(std::move(oi->page_locations));
      }
    }
    return ok_status();
  }

  // Row groups up to this many decoded bytes (of the selected columns) are decoded whole on a worker.
  static constexpr std::int64_t kWholeGroupBytes = 64 << 20;

  io::SourcePtr source_;
  ReadOptions options_;
  std::uint64_t file_size_ = 0;
  BufferPtr tail_;  // the file's last bytes, read at open (the footer and what precedes it)
  std::uint64_t tail_offset_ = 0;
  std::atomic<std::uint64_t> bytes_read_{0};
  format::FileMetaData md_;
  ParquetSchema schema_;
  std::vector<FieldNode> fields_;
  std::vector<std::vector<int>> field_leaves_;
  SchemaPtr output_schema_;
  std::vector<int> selected_;
  std::optional<RowGroupFilter> filter_;

  bool started_ = false;
  std::vector<int> groups_;
  std::vector<std::int64_t> group_first_row_;  // by row group of the file: the file's row it starts at
  std::size_t next_group_ = 0;
  int skipped_ = 0;
  std::unique_ptr<RowGroupState> current_;
  std::vector<Batch> ready_;
  std::size_t ready_pos_ = 0;
  // Row groups on the threads (see next_on_threads): a slot per row group of groups_.
  struct Slot {
    enum State { kFree, kWorker, kDone, kTaken } state = kFree;  // kTaken: the consumer's or handed out
    RowGroupJob job;  // (group set at plan(); batches and status by the worker)
  };
  std::vector<Slot> slots_;
  std::size_t hand_out_ = 0;    // the next slot the consumer hands out
  std::size_t first_free_ = 0;  // every slot before it is taken by someone
  int ahead_ = 0;               // the workers' row groups being decoded or waiting to be handed out
  int max_ahead_ = 0;
  bool consumer_busy_ = false;  // the consumer is decoding a row group of its own
  bool stopping_ = false;
  std::mutex mu_;
  std::condition_variable cv_work_, cv_done_;
  std::vector<std::thread> workers_;  // stopped by ~Impl() before anything they use goes
  // Declared last: destroyed first, so no worker outlives what it uses.
  std::unique_ptr<pipeline::OrderedWork<FieldJob>> field_work_;
};

ParquetReader::ParquetReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetReader::~ParquetReader() = default;

Result<std::unique_ptr<ParquetReader>> ParquetReader::open(io::SourcePtr source, ReadOptions options) {
  auto impl = std::make_unique<Impl>(std::move(source), std::move(options));
  SLUICE_TRY(impl->open());
  return std::unique_ptr<ParquetReader>(new ParquetReader(std::move(impl)));
}

const SchemaPtr& ParquetReader::schema() const { return impl_->schema(); }
Result<std::optional<Batch>> ParquetReader::next() { return impl_->next(); }
Status ParquetReader::scan_unordered(const UnorderedConsumer& consume) { return impl_->scan_unordered(consume); }
std::int64_t ParquetReader::num_rows() const { return impl_->num_rows(); }
int ParquetReader::num_row_groups() const { return impl_->num_row_groups(); }
int ParquetReader::row_groups_skipped() const { return impl_->row_groups_skipped(); }
std::uint64_t ParquetReader::bytes_read() const { return impl_->bytes_read(); }
std::string ParquetReader::describe_schema() const { return impl_->describe_schema(); }
std::string ParquetReader::describe_footer() const { return impl_->describe_footer(); }

Result<std::vector<Batch>> read_all(io::SourcePtr source, ReadOptions options) {
  SLUICE_ASSIGN_OR_RETURN(auto reader, ParquetReader::open(std::move(source), std::move(options)));
  std::vector<Batch> out;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto b, reader->next());
    if (!b) break;
    out.push_back(std::move(*b));
  }
  return out;
}

}  // namespace sluice::parquet
