// One table written as many files: a folder of part files, optionally partitioned by column values
// into hive folders (out/year=2024/month=1/part-….parquet), with a cap on open files and on the
// memory they hold, files rotated at a row or byte count, and write modes that decide what happens to
// data already there.
//
// Nothing half-written is ever visible under a final name, and in the error and overwrite modes
// nothing new is visible before the whole write succeeded:
// - local folders: the files are written into a hidden staging folder beside the destination
//   (.NAME.sluice-staging-PID-ID), which then takes the destination's place in one rename (overwrite:
//   renameat2 RENAME_EXCHANGE, then the old data is removed); append writes each file under a
//   temporary name and renames it when complete.
// - stores: every file is uploaded but not published (its multipart upload or block list is left
//   uncommitted, Sink::stage()); when all are, each is committed, then (overwrite) the objects that
//   were there before are deleted. A failure aborts every upload; a killed process leaves only
//   uncommitted uploads, which stores expire. Append commits each file as it completes.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <list>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sluice/codecs/cast.hpp"
#include "sluice/codecs/filter.hpp"
#include "sluice/core/memory.hpp"
#include "sluice/dataset/format.hpp"
#include "sluice/dataset/hive.hpp"
#include "sluice/io/local.hpp"
#include "sluice/io/store.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::dataset {

enum class WriteMode { kError, kOverwrite, kAppend, kIgnore };

// What DatasetWriteOptions::max_buffered_bytes caps.
enum class MemoryCap {
  // The open files' writers and sinks: the bytes they report holding.
  kWriters,
  // The whole process: the allocator's bytes in use (readers, writers, everything) plus what was
  // resident but not allocated when the writer opened (the program, its libraries, stacks). Before each
  // batch the writers' share is set to what the rest of the process leaves under the cap (at least an
  // eighth of it); the files then keep under that share as under kWriters. Where the allocator cannot
  // report its use (not glibc), kWriters.
  kProcess,
};

inline Result<WriteMode> parse_write_mode(std::string_view s) {
  if (s == "error" || s == "error_if_exists") return WriteMode::kError;
  if (s == "overwrite") return WriteMode::kOverwrite;
  if (s == "append") return WriteMode::kAppend;
  if (s == "ignore") return WriteMode::kIgnore;
  return Error(ErrorCode::kInvalidArgument, "--mode is error, overwrite, append or ignore, not '" + std::string(s) + "'");
}

struct DatasetWriteOptions {
  FileFormat format{"parquet"};
  FormatWriteOptions format_options;
  std::vector<std::string> partition_by;
  bool keep_partition_columns = false;  // also write the partition columns into the files
  WriteMode mode = WriteMode::kError;
  std::size_t max_open_files = 1000;  // (local files: also kept under the process's open file limit)
  // Memory held by the open files' writers and sinks together (or by the process: memory_cap); past
  // it, the largest writer gives up its row group early (Parquet), or the least recently used file is
  // closed.
  std::uint64_t max_buffered_bytes = std::uint64_t{512} << 20;
  MemoryCap memory_cap = MemoryCap::kWriters;
  std::int64_t max_rows_per_file = 0;    // 0: no limit
  std::uint64_t max_bytes_per_file = 0;  // 0: no limit (checked after each write, so files end a little past it)
  // When no row is written and nothing is partitioned: one empty file with the schema (so that readers
  // find the columns). Partitioned outputs with no rows have no files.
  bool write_empty_file = true;
};

// Whether `uri` (a file, a folder or a store prefix) holds anything.
inline Result<bool> destination_has_data(const io::Uri& uri, io::ObjectStore* store) {
  if (uri.scheme == io::Scheme::kLocal) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path p(uri.path);
    if (!fs::exists(p, ec)) return false;
    if (!fs::is_directory(p, ec)) return true;
    return fs::directory_iterator(p, ec) != fs::directory_iterator();
  }
  bool any = false;
  std::string prefix = uri.key;
  if (!prefix.empty() && prefix.back() != '/') {
    auto h = store->head(prefix);
    if (h.ok()) return true;
    prefix += '/';
  }
  Status st = store->list(prefix, true, [&](const io::ObjectInfo& o) -> Status {
    if (o.is_prefix) return ok_status();
    any = true;
    return Error(ErrorCode::kCancelled, "found one");
  });
  if (!st.ok() && st.error().code() != ErrorCode::kCancelled) return std::move(st).error();
  return any;
}

class DatasetWriter {
 public:
  // `dest` is a local folder or a store prefix (store: the store serving it). In ignore mode with data
  // at `dest`, the writer is skipped(): it writes nothing.
  static Result<std::unique_ptr<DatasetWriter>> open(const std::string& dest, DatasetWriteOptions options,
                                                     io::ObjectStore* store = nullptr) {
    SLUICE_ASSIGN_OR_RETURN(io::Uri uri, io::parse_uri(dest));
    if (uri.scheme != io::Scheme::kLocal && uri.scheme != io::Scheme::kS3 && uri.scheme != io::Scheme::kGcs &&
        uri.scheme != io::Scheme::kAzure)
      return Error(ErrorCode::kInvalidArgument, "a folder output is a local path or an s3://, gs://, az:// prefix",
                   ErrorContext(dest));
    if (uri.scheme != io::Scheme::kLocal && !store)
      return Error(ErrorCode::kInvalidArgument, "a store output needs its store", ErrorContext(dest));
    std::unique_ptr<DatasetWriter> w(new DatasetWriter(std::move(uri), std::move(options), store));
    SLUICE_TRY(w->prepare(dest));
    return w;
  }

  ~DatasetWriter() {
    if (!done_) abort();
  }
  DatasetWriter(const DatasetWriter&) = delete;
  DatasetWriter& operator=(const DatasetWriter&) = delete;

  bool skipped() const { return skipped_; }

  Status write(const Batch& batch) {
    if (skipped_ || batch.num_rows == 0) return ok_status();
    if (done_) return Error(ErrorCode::kInvalidArgument, "write after finish or abort", ErrorContext(dest_));
    Status st = write_batch(batch);
    if (!st.ok()) abort();
    return st;
  }

  // Closes every file and publishes the output (see the top of this header). `schema_if_empty` gives
  // the schema of the empty file written when no row came.
  Status finish(const Schema* schema_if_empty) {
    if (skipped_) {
      done_ = true;
      return ok_status();
    }
    if (done_) return Error(ErrorCode::kInvalidArgument, "finish after finish or abort", ErrorContext(dest_));
    Status st = commit(schema_if_empty);
    if (!st.ok()) abort();
    done_ = true;
    return st;
  }

  // Discards everything this writer wrote; the destination is left as it was (append: the files it
  // published are deleted again).
  void abort() {
    if (done_) return;
    done_ = true;
    for (auto& [key, f] : open_) {
      f->writer.reset();
      f->sink->abort();
    }
    open_.clear();
    lru_.clear();
    for (auto& s : staged_) s->abort();
    staged_.clear();
    if (local_ && !staging_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(staging_, ec);
    }
    if (mode_is(WriteMode::kAppend)) {
      for (const auto& p : published_) {
        if (local_) ::unlink(p.c_str());
        else (void)store_->remove(p);
      }
    }
  }

  std::int64_t files_written() const { return files_written_; }
  std::uint64_t peak_buffered_bytes() const { return peak_buffered_; }
  // kProcess: the most the rest of the process held (all but the open files' writers and sinks, with
  // the margin set_budget() keeps), as measured before a batch; 0 otherwise.
  std::uint64_t peak_other_bytes() const { return peak_other_; }
  std::int64_t rows_written() const { return rows_; }
  // Notes from the writers for the user ("wrote 2 NaN values as null"), one per line.
  const std::string& reports() const { return reports_; }

 private:
  struct OpenFile {
    std::string folder;  // "k=v/k2=w/" below the output
    std::string target;  // the file's path, or its key in the store
    io::SinkPtr sink;
    std::unique_ptr<BatchWriter> writer;
    std::int64_t rows = 0;
    std::uint64_t accounted = 0;     // its part of total_ when last looked at (writer and sink)
    std::uint64_t writer_bytes = 0;  // the writer's share of it
    std::list<std::string>::iterator lru;
  };

  DatasetWriter(io::Uri uri, DatasetWriteOptions options, io::ObjectStore* store)
      : uri_(std::move(uri)), o_(std::move(options)), store_(store) {
    local_ = uri_.scheme == io::Scheme::kLocal;
    std::random_device rd;
    char id[24];
    std::snprintf(id, sizeof id, "%08x", static_cast<unsigned>(rd()));
    run_id_ = id;
    rlimit nofile{};
    if (local_ && ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY)
      o_.max_open_files = std::min<std::size_t>(o_.max_open_files, nofile.rlim_cur > 128 ? nofile.rlim_cur - 64 : 64);
    if (!o_.partition_by.empty()) {
      // Many writers at once: one thread and small buffers each.
      auto& fo = o_.format_options;
      fo.parquet.threads = fo.csv.threads = fo.ndjson.threads = fo.stream.threads = 1;
      fo.csv.buffer_size = std::min<std::int64_t>(fo.csv.buffer_size, 64 << 10);
      fo.ndjson.buffer_size = std::min<std::int64_t>(fo.ndjson.buffer_size, 64 << 10);
    }
  }

  bool mode_is(WriteMode m) const { return o_.mode == m; }

  Status prepare(const std::string& dest) {
    dest_ = dest;
    budget_ = o_.max_buffered_bytes;
    if (o_.memory_cap == MemoryCap::kProcess) {
      const auto heap = heap_in_use();
      const auto resident = resident_bytes();
      process_cap_ = heap && resident;
      if (process_cap_) resident_baseline_ = *resident > *heap ? *resident - *heap : 0;
      // Peaks from before this writer are not its own (a rise, or a peak past the cap).
      last_peak_ = start_peak_ = peak_resident_bytes().value_or(0);
    }
    SLUICE_ASSIGN_OR_RETURN(const bool has_data, destination_has_data(uri_, store_));
    if (has_data && mode_is(WriteMode::kError))
      return Error(ErrorCode::kAlreadyExists,
                   "the destination holds data (--mode overwrite replaces it, --mode append adds files beside it)",
                   ErrorContext(dest));
    if (has_data && mode_is(WriteMode::kIgnore)) {
      skipped_ = true;
      return ok_status();
    }
    if (local_) {
      namespace fs = std::filesystem;
      std::string path = uri_.path;
      while (path.size() > 1 && path.back() == '/') path.pop_back();
      target_ = path;
      if (mode_is(WriteMode::kAppend)) {
        std::error_code ec;
        fs::create_directories(target_, ec);
        if (ec) return Error(ErrorCode::kIoError, "cannot create the folder: " + ec.message(), ErrorContext(target_));
        base_ = target_ + "/";
        return ok_status();
      }
      const fs::path t(target_);
      const fs::path parent = t.has_parent_path() ? t.parent_path() : fs::path(".");
      std::error_code ec;
      fs::create_directories(parent, ec);
      remove_stale_staging(parent, t.filename().string());
      staging_ = (parent / ("." + t.filename().string() + ".sluice-staging-" + std::to_string(::getpid()) + "-" + run_id_))
                     .string();
      if (!fs::create_directory(staging_, ec) || ec)
        return Error(ErrorCode::kIoError, "cannot create a staging folder: " + ec.message(), ErrorContext(staging_));
      base_ = staging_ + "/";
      return ok_status();
    }
    base_ = uri_.key;
    if (!base_.empty() && base_.back() != '/') base_ += '/';
    if (mode_is(WriteMode::kOverwrite) && has_data) {
      SLUICE_TRY(store_->list(base_, true, [&](const io::ObjectInfo& o) {
        if (!o.is_prefix) old_keys_.push_back(o.key);
        return ok_status();
      }));
      if (!uri_.key.empty() && uri_.key.back() != '/' && store_->head(uri_.key).ok()) old_keys_.push_back(uri_.key);
    }
    return ok_status();
  }

  // Staging folders of processes that are gone (killed mid-write) are removed.
  static void remove_stale_staging(const std::filesystem::path& parent, const std::string& name) {
    namespace fs = std::filesystem;
    const std::string prefix = "." + name + ".sluice-staging-";
    std::error_code ec;
    for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const std::string n = it->path().filename().string();
      if (n.rfind(prefix, 0) != 0) continue;
      const long pid = std::strtol(n.c_str() + prefix.size(), nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        std::error_code ec2;
        fs::remove_all(it->path(), ec2);
      }
    }
  }

  Status write_batch(const Batch& batch) {
    rows_ += batch.num_rows;
    set_budget();
    if (o_.partition_by.empty()) {
      return write_rows("", batch);
    }
    SLUICE_TRY(resolve_partition_columns(batch.schema));
    // Each row's folder: k=v/ per partition column, values as text, escaped.
    std::vector<ArrayPtr> text;
    for (int c : part_cols_) {
      SLUICE_ASSIGN_OR_RETURN(auto t, cast_array(batch.columns[static_cast<std::size_t>(c)], utf8()));
      text.push_back(std::move(t));
    }
    std::unordered_map<std::string, std::size_t> group_of;
    std::vector<std::pair<std::string, std::vector<std::int64_t>>> groups;
    std::string key;
    for (std::int64_t r = 0; r < batch.num_rows; ++r) {
      key.clear();
      for (std::size_t k = 0; k < part_cols_.size(); ++k) {
        const ArrayData& a = *text[k];
        std::optional<std::string_view> v;
        if (a.is_valid(r)) v = a.string_at(r);
        key += escaped_names_[k];
        key += '=';
        const std::size_t before = key.size();
        key += escape_partition_value(v);
        if (key.size() - before + escaped_names_[k].size() + 1 > kMaxSegmentBytes)
          return Error(ErrorCode::kInvalidArgument,
                       "the value of partition column '" + o_.partition_by[k] + "' in row " + std::to_string(r) +
                           " is too long for a folder name (" + std::to_string(key.size() - before) + " bytes escaped)",
                       ErrorContext(dest_));
        key += '/';
      }
      auto [it, fresh] = group_of.try_emplace(key, groups.size());
      if (fresh) groups.emplace_back(key, std::vector<std::int64_t>{});
      groups[it->second].second.push_back(r);
    }
    const Batch data = without_partition_columns(batch);
    for (auto& [folder, rows] : groups) {
      if (static_cast<std::int64_t>(rows.size()) == batch.num_rows) {
        SLUICE_TRY(write_rows(folder, data));
      } else {
        SLUICE_ASSIGN_OR_RETURN(Batch part, take(data, rows));
        SLUICE_TRY(write_rows(folder, part));
      }
    }
    return ok_status();
  }

  // The partition columns' positions, and the schema of the files (without them, unless kept), for
  // batches of this schema.
  Status resolve_partition_columns(const SchemaPtr& schema) {
    if (schema == resolved_for_) return ok_status();
    part_cols_.clear();
    escaped_names_.clear();
    for (const auto& name : o_.partition_by) {
      const int at = schema->find(name);
      if (at < 0) return Error(ErrorCode::kInvalidArgument, "no column '" + name + "' to partition by", ErrorContext(dest_));
      const auto& type = schema->fields[static_cast<std::size_t>(at)].type;
      if (type->is_nested())
        return Error(ErrorCode::kInvalidArgument, "cannot partition by '" + name + "': it is " + type->to_string(),
                     ErrorContext(dest_));
      part_cols_.push_back(at);
      escaped_names_.push_back(escape_partition_value(name));
    }
    auto s = std::make_shared<Schema>();
    s->metadata = schema->metadata;
    for (std::size_t c = 0; c < schema->fields.size(); ++c)
      if (o_.keep_partition_columns || !is_partition_column(c)) s->fields.push_back(schema->fields[c]);
    data_schema_ = std::move(s);
    resolved_for_ = schema;
    return ok_status();
  }

  bool is_partition_column(std::size_t c) const {
    return std::find(part_cols_.begin(), part_cols_.end(), static_cast<int>(c)) != part_cols_.end();
  }

  Batch without_partition_columns(const Batch& batch) const {
    if (o_.keep_partition_columns) return batch;
    Batch out{data_schema_, {}, batch.num_rows};
    for (std::size_t c = 0; c < batch.columns.size(); ++c)
      if (!is_partition_column(c)) out.columns.push_back(batch.columns[c]);
    return out;
  }

  // Writes rows into `folder`'s open file, rotating at the row and byte limits.
  Status write_rows(const std::string& folder, const Batch& rows) {
    std::int64_t done = 0;
    while (done < rows.num_rows) {
      SLUICE_ASSIGN_OR_RETURN(OpenFile * f, file_for(folder));
      std::int64_t n = rows.num_rows - done;
      if (o_.max_rows_per_file > 0) n = std::min(n, o_.max_rows_per_file - f->rows);
      const Batch part = (done == 0 && n == rows.num_rows) ? rows : rows.slice(done, n);
      SLUICE_TRY(f->writer->write(part));
      if (!schema_) schema_ = rows.schema;
      f->rows += n;
      done += n;
      account(*f);
      const bool rows_full = o_.max_rows_per_file > 0 && f->rows >= o_.max_rows_per_file;
      const bool bytes_full = o_.max_bytes_per_file > 0 &&
                              f->sink->bytes_written() + f->writer->buffered_bytes() >= o_.max_bytes_per_file;
      if (rows_full || bytes_full) SLUICE_TRY(close(folder));
      SLUICE_TRY(enforce_memory());
    }
    return ok_status();
  }

  Result<OpenFile*> file_for(const std::string& folder) {
    auto it = open_.find(folder);
    if (it != open_.end()) {
      lru_.splice(lru_.end(), lru_, it->second->lru);
      return it->second.get();
    }
    while (open_.size() >= o_.max_open_files && !lru_.empty()) SLUICE_TRY(close(lru_.front()));
    auto f = std::make_unique<OpenFile>();
    f->folder = folder;
    const std::string name = folder + "part-" + run_id_ + "-" + std::to_string(next_file_++) + o_.format.extension();
    if (local_) {
      std::error_code ec;
      if (!folder.empty()) std::filesystem::create_directories(base_ + folder, ec);
      if (ec) return Error(ErrorCode::kIoError, "cannot create the folder: " + ec.message(), ErrorContext(base_ + folder));
      io::LocalSinkOptions lo;
      lo.overwrite = false;
      // Many files open at once: small buffers (the Parquet writer hands over whole pages anyway).
      lo.buffer_size = o_.partition_by.empty() ? std::size_t{1} << 20 : std::size_t{16} << 10;
      SLUICE_ASSIGN_OR_RETURN(f->sink, io::open_local_sink(base_ + name, lo));
    } else {
      SLUICE_ASSIGN_OR_RETURN(f->sink, store_->open_sink(base_ + name));
    }
    f->target = base_ + name;
    SLUICE_ASSIGN_OR_RETURN(f->writer, open_batch_writer(*f->sink, o_.format, o_.format_options));
    lru_.push_back(folder);
    f->lru = std::prev(lru_.end());
    OpenFile* raw = f.get();
    open_.emplace(folder, std::move(f));
    return raw;
  }

  // Ends the file: local ones and appended ones are published now, the others staged until commit.
  Status close(const std::string& folder) {
    auto it = open_.find(folder);
    if (it == open_.end()) return ok_status();
    std::unique_ptr<OpenFile> f = std::move(it->second);
    open_.erase(it);
    lru_.erase(f->lru);
    total_ -= f->accounted;
    SLUICE_TRY(f->writer->finish(schema_.get()));
    const std::string report = f->writer->report();
    if (!report.empty()) reports_ += report + "\n";
    f->writer.reset();
    if (local_ || mode_is(WriteMode::kAppend)) {
      SLUICE_TRY(f->sink->finish());
      published_.push_back(f->target);
    } else {
      SLUICE_TRY(f->sink->stage());
      staged_.push_back(std::move(f->sink));
      written_.insert(f->target);
    }
    ++files_written_;
    return ok_status();
  }

  // Brings total_ up to date with what `f` holds now.
  void account(OpenFile& f) {
    f.writer_bytes = f.writer->buffered_bytes();
    const std::uint64_t now = f.writer_bytes + f.sink->buffered_bytes();
    total_ += now - f.accounted;
    f.accounted = now;
    peak_buffered_ = std::max(peak_buffered_, total_);
  }

  // The open files' share of the cap. kProcess: what the rest of the process holds (the allocator's
  // bytes in use and the resident baseline, less what the open files account for) is taken off the
  // cap, and a margin for what rises and falls between two measures: reading the next batch (a row
  // group's pages and columns at once), its partition keys and parts, the allocator's free memory.
  // The margin is 32 MiB (the free memory the allocator keeps in a heap of many small buffers,
  // ~30 MiB with 1,000 open Parquet files, which malloc_trim cannot give back) plus the largest such
  // rise seen, or a sixteenth of the cap if that is more. A rise: the resident peak (VmHWM) went up
  // since the last measure above both that measure's resident set and this one's. The files keep at
  // least an eighth of the cap. Measured at most every 20 ms (a measure walks the allocator's free
  // lists); free memory the allocator keeps past a thirty-second of the cap is given back first.
  static constexpr std::uint64_t kMinMargin = std::uint64_t{32} << 20;
  void set_budget() {
    if (!process_cap_) {
      budget_ = o_.max_buffered_bytes;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (measured_ && now - last_measure_ < std::chrono::milliseconds(20)) return;
    measured_ = true;
    last_measure_ = now;
    const std::uint64_t cap = o_.max_buffered_bytes;
    auto heap = heap_in_use();
    auto resident = resident_bytes();
    if (heap && resident && *resident > *heap + resident_baseline_ + cap / 32 && release_free_memory()) {
      heap = heap_in_use();
      resident = resident_bytes();
    }
    if (!heap || !resident) {
      budget_ = cap;
      return;
    }
    if (const auto peak = peak_resident_bytes(); peak && *peak > last_peak_) {
      const std::uint64_t level = std::max(last_resident_, *resident);
      if (*peak > level) rise_ = std::max(rise_, *peak - level);
      last_peak_ = *peak;
    }
    last_resident_ = *resident;
    const std::uint64_t used = *heap + resident_baseline_;
    const std::uint64_t other = (used > total_ ? used - total_ : 0) + std::max(cap / 16, kMinMargin + rise_);
    peak_other_ = std::max(peak_other_, other);
    const std::uint64_t floor = cap / 8;
    budget_ = cap > other + floor ? cap - other : floor;
    if (budget_ == floor && !cap_too_small_) {
      cap_too_small_ = true;
      reports_ += "--max-memory " + std::to_string(cap >> 20) + " MiB is too small: the rest of the process held " +
                  std::to_string(other >> 20) +
                  " MiB of it (reading, and the open files' state outside their buffers); the files kept to " +
                  std::to_string(floor >> 20) + " MiB, so the process may pass the cap\n";
    }
  }

  // Keeps the open files' memory under their share: the writer holding the most gives its row group
  // up early (and its buffers); when that does not bring it under a fair share, or no writer holds
  // enough to matter, the least recently used file is closed.
  Status enforce_memory() {
    while (total_ > budget_ && !open_.empty()) {
      OpenFile* largest = nullptr;
      for (auto& [k, f] : open_)
        if (!largest || f->writer_bytes > largest->writer_bytes) largest = f.get();
      const std::uint64_t share = std::max<std::uint64_t>(64 << 10, budget_ / (4 * open_.size()));
      const std::uint64_t before = largest->writer_bytes;
      if (before >= share) {
        SLUICE_TRY(largest->writer->flush());
        account(*largest);
        if (largest->writer_bytes <= before / 2) continue;  // it gave most of it up
        SLUICE_TRY(close(largest->folder));
      } else {
        SLUICE_TRY(close(lru_.front()));
      }
    }
    return ok_status();
  }

  Status commit(const Schema* schema_if_empty) {
    if (process_cap_) {
      // Said when the cap was not kept (the resident peak of the whole run so far).
      const auto peak = peak_resident_bytes();
      if (peak && *peak > start_peak_ && *peak > o_.max_buffered_bytes && !cap_too_small_)
        reports_ += "the process peaked at " + std::to_string(*peak >> 20) + " MiB, above --max-memory " +
                    std::to_string(o_.max_buffered_bytes >> 20) + " MiB (what the rest of the process held: " +
                    std::to_string(peak_other_ >> 20) + " MiB at most)\n";
    }
    while (!lru_.empty()) SLUICE_TRY(close(lru_.front()));
    if (files_written_ == 0 && o_.partition_by.empty() && o_.write_empty_file) {
      if (!schema_ && schema_if_empty) schema_ = std::make_shared<Schema>(*schema_if_empty);
      if (auto f = file_for(""); !f.ok()) return std::move(f).error();
      SLUICE_TRY(close(""));
    }
    for (auto& s : staged_) SLUICE_TRY(s->finish());
    staged_.clear();
    if (local_) {
      if (staging_.empty()) return ok_status();
      SLUICE_TRY(swap_into_place());
      return ok_status();
    }
    if (mode_is(WriteMode::kOverwrite))
      for (const auto& k : old_keys_)
        if (!written_.count(k)) SLUICE_TRY(store_->remove(k));  // (run ids could clash, however rarely)
    return ok_status();
  }

  // The staging folder becomes the destination.
  Status swap_into_place() {
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(target_, ec));
    if (!exists || mode_is(WriteMode::kError)) {
      // rename(2) replaces only an empty folder, atomically; anything else there now is an error.
      if (::rename(staging_.c_str(), target_.c_str()) != 0)
        return Error(ErrorCode::kAlreadyExists,
                     std::string("cannot move the output into place: ") + std::strerror(errno), ErrorContext(target_));
      staging_.clear();
      return ok_status();
    }
#ifdef SYS_renameat2
    if (::syscall(SYS_renameat2, AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), 2 /* RENAME_EXCHANGE */) == 0) {
      fs::remove_all(staging_, ec);  // the old data, now under the staging name
      staging_.clear();
      return ok_status();
    }
#endif
    // No atomic exchange here: the old data moves aside first, then the new takes its place.
    const std::string aside = staging_ + "-old";
    if (::rename(target_.c_str(), aside.c_str()) != 0)
      return Error(ErrorCode::kIoError, std::string("cannot move the old data aside: ") + std::strerror(errno),
                   ErrorContext(target_));
    if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      const int err = errno;
      (void)::rename(aside.c_str(), target_.c_str());
      return Error(ErrorCode::kIoError, std::string("cannot move the output into place: ") + std::strerror(err),
                   ErrorContext(target_));
    }
    fs::remove_all(aside, ec);
    staging_.clear();
    return ok_status();
  }

  io::Uri uri_;
  DatasetWriteOptions o_;
  io::ObjectStore* store_;
  bool local_ = true;
  bool skipped_ = false;
  bool done_ = false;
  std::string dest_, run_id_, target_, staging_, base_;
  std::vector<std::string> old_keys_;
  std::unordered_map<std::string, std::unique_ptr<OpenFile>> open_;
  std::list<std::string> lru_;
  std::vector<io::SinkPtr> staged_;
  std::vector<std::string> published_;
  std::unordered_set<std::string> written_;  // keys staged in a store
  std::vector<int> part_cols_;
  std::vector<std::string> escaped_names_;
  SchemaPtr resolved_for_, data_schema_, schema_;  // schema_: the files' schema, once known
  std::size_t next_file_ = 0;
  std::int64_t files_written_ = 0, rows_ = 0;
  std::uint64_t total_ = 0, peak_buffered_ = 0;
  // The memory cap: the files' share of it now; kProcess: the resident bytes that are not the
  // allocator's (measured at open), the most the rest of the process held.
  std::uint64_t budget_ = 0, resident_baseline_ = 0, peak_other_ = 0;
  std::uint64_t last_peak_ = 0, start_peak_ = 0, last_resident_ = 0, rise_ = 0;
  bool process_cap_ = false, cap_too_small_ = false, measured_ = false;
  std::chrono::steady_clock::time_point last_measure_;
  std::string reports_;
};

}  // namespace sluice::dataset
