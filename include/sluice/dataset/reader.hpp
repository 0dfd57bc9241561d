// Many files read as one table: their schemas unified by column name (types widened), hive partition
// values added as columns, files whose partitions cannot satisfy a filter never opened.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/codecs/cast.hpp"
#include "sluice/codecs/filter.hpp"
#include "sluice/core/unordered.hpp"
#include "sluice/dataset/discover.hpp"
#include "sluice/dataset/format.hpp"
#include "sluice/io/local.hpp"

namespace sluice::dataset {

// Opens one file of the dataset as a reader (the caller chooses format, options and pushdown).
// `fixed`: the dataset's file columns where they are fixed before the file is opened (the first
// file's, with schema_from_first_file; see expect_columns), else null.
using FileOpener = std::function<Result<std::unique_ptr<BatchReader>>(const DatasetFile&, const SchemaPtr& fixed)>;

// A FileOpener for local paths and `store`'s objects, the format from --from or each file's extension.
inline FileOpener default_file_opener(io::ObjectStore* store, FormatReadOptions options,
                                      std::optional<FileFormat> forced = std::nullopt) {
  return [store, options = std::move(options), forced](const DatasetFile& f,
                                                       const SchemaPtr& fixed) -> Result<std::unique_ptr<BatchReader>> {
    FileFormat format;
    if (forced) {
      format = *forced;
    } else {
      SLUICE_ASSIGN_OR_RETURN(format, format_of_path(f.uri));
    }
    io::SourcePtr src;
    if (f.key.empty()) {
      SLUICE_ASSIGN_OR_RETURN(src, io::open_local_source(f.uri));
    } else {
      SLUICE_ASSIGN_OR_RETURN(src, store->open_source(f.key, f.size));  // the listing's size: no HEAD
    }
    if (!fixed) return open_batch_reader(std::move(src), format, options);
    FormatReadOptions o = options;
    expect_columns(o, *fixed);
    return open_batch_reader(std::move(src), format, o);
  };
}

struct DatasetReadOptions {
  // Columns that have no common type but text become strings (otherwise that is an error).
  bool union_to_string = false;
  // A column holding each row's file (its URI), under this name; empty: none.
  std::string filename_column;
  // Files whose partition values rule the filter out are not opened.
  std::shared_ptr<const Predicate> filter;
  // The dataset's schema is the first file's (as Arrow's and DuckDB's default): the others are not
  // opened until they are read, so a large dataset starts at once. A later file's column must be one
  // of the first file's, of a type that widens to it (otherwise an error naming both files); a
  // column it lacks is null; a CSV or NDJSON file reads the first file's columns with their types
  // (the FileOpener's `fixed`), so a value that does not fit one is an error. Otherwise (default)
  // every file is opened first and their schemas unified.
  bool schema_from_first_file = false;
  // A store's small files read for their schemas keep their readers, up to this many bytes of files
  // at once (see DatasetReader::kKeepFileBytes); 0: none kept.
  std::uint64_t keep_budget = std::uint64_t{32} << 20;
};

class DatasetReader final : public BatchReader {
 public:
  // Files of a store whose schemas are read at once (see prepare()).
  static constexpr std::size_t kRemoteOpensAtOnce = 8;
  // A store's files up to this size (the listing's) keep the reader that gave their schema, up to
  // DatasetReadOptions::keep_budget bytes of such files at once: a small file's open fetches most or
  // all of it (a Parquet file up to 1 MiB is read whole), so opening it again would fetch it twice.
  static constexpr std::uint64_t kKeepFileBytes = std::uint64_t{1} << 20;

  // Prunes the files by their partitions, then opens every remaining file once for its schema (Parquet:
  // the footer; CSV / NDJSON: their inference sample) and unifies them (only the first, with
  // schema_from_first_file). Reading then opens each file again but the first and a store's small ones
  // (see kKeepFileBytes); on a store, the next file to open is opened while the current one is read.
  static Result<std::unique_ptr<DatasetReader>> open(Discovery discovery, FileOpener opener,
                                                     DatasetReadOptions options = {}) {
    std::unique_ptr<DatasetReader> r(new DatasetReader(std::move(discovery), std::move(opener), std::move(options)));
    SLUICE_TRY(r->prepare());
    return r;
  }

  const SchemaPtr& schema() const override { return schema_; }
  std::uint64_t bytes_read() const override {
    std::uint64_t n = done_bytes_.load(std::memory_order_relaxed) + (current_ ? current_->bytes_read() : 0);
    for (const auto& a : scan_bytes_) n += a.load(std::memory_order_relaxed);
    return n;
  }
  std::size_t files_total() const { return d_.files.size(); }
  std::size_t files_pruned() const { return pruned_; }
  const Discovery& discovery() const { return d_; }
  // The file being read (for errors and reports).
  const DatasetFile* current_file() const { return index_ < files_.size() ? files_[index_] : nullptr; }

  Result<std::optional<Batch>> next() override {
    started_ = true;
    while (index_ < files_.size()) {
      if (!current_) {
        if (Status st = open_current(); !st.ok()) return with_first_file_note(std::move(st).error(), index_);
      }
      auto next = current_->next();
      if (!next.ok()) return with_first_file_note(std::move(next).error(), index_);
      auto& b = *next;
      if (b) {
        SLUICE_ASSIGN_OR_RETURN(Batch out, conform(*b, index_, constants_));
        return std::optional<Batch>(std::move(out));
      }
      done_bytes_ += current_->bytes_read();
      current_.reset();
      ++index_;
    }
    return std::optional<Batch>();
  }

  // Where a batch of scan_unordered() comes from.
  struct FilePlace {
    std::size_t file = 0;  // the file's index among those read (discovery().files without the pruned ones)
    int thread = 0;        // 0 .. threads - 1: the thread it is handed out on (0: the caller's)
  };
  using UnorderedConsumer = std::function<Status(Batch&& batch, const FilePlace& place)>;
  // Every batch of the dataset to `consume`, for consumers whose result does not depend on the order
  // (counts, sums, a hash table per thread), several files at once: `threads` threads (the caller's
  // and threads - 1 started here, no more than there are files) each take the next file still unread
  // and read it whole, batch by batch, calling `consume` on their own thread, so `consume` runs on
  // several threads at once. A file's batches come in order, on one thread; files in no set order.
  // The FileOpener's readers should then use one thread each (the threads are here). With one
  // thread, or one file, the batches come in dataset order on the caller's thread (as next() gives
  // them). Memory: the files being read, one reader per thread.
  // Returns the error next() would meet first (the first failing file's, or consume's), after the
  // batches before it; batches of later files may have been handed out too. Only before the first
  // next(); next() is at the end afterwards.
  Status scan_unordered(int threads, const UnorderedConsumer& consume) {
    if (started_)
      return Error(ErrorCode::kInvalidArgument, "scan_unordered() after next(): the dataset reader has begun");
    started_ = true;
    const std::size_t n = files_.size();
    threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), n));
    if (threads < 2) {
      Status st = ok_status();
      while (st.ok()) {
        auto b = next();
        if (!b.ok()) st = std::move(b).error();
        else if (!*b) break;
        else st = consume(std::move(**b), FilePlace{index_, 0});
      }
      current_.reset();
      index_ = n;  // next() is at the end
      return st;
    }
    UnorderedScan scan;
    scan.first = std::move(current_);  // file 0's, opened for the schema
    if (next_open_.valid()) {
      scan.ahead = std::move(next_open_);
      scan.ahead_for = next_open_for_;
    }
    scan.constants.resize(static_cast<std::size_t>(threads));
    scan_bytes_ = std::vector<std::atomic<std::uint64_t>>(static_cast<std::size_t>(threads));
    Status st;
    try {
      st = run_unordered(n, threads, [&](std::size_t i, int thread, const std::atomic<std::size_t>& failed) {
        return scan_file(scan, i, thread, failed, consume);
      });
    } catch (...) {
      end_unordered(scan);
      throw;
    }
    end_unordered(scan);
    return st;
  }

 private:
  DatasetReader(Discovery d, FileOpener opener, DatasetReadOptions options)
      : d_(std::move(d)), opener_(std::move(opener)), options_(std::move(options)) {}

  // A file's partition values and name as one-row arrays, and the zeros that repeat them.
  struct FileConstants {
    std::vector<ArrayPtr> arrays;
    std::size_t for_file = 0;  // the file they are of, plus one (0: none yet)
    std::vector<std::int64_t> zeros;
  };

  // What one scan_unordered()'s threads share besides the files: the readers opened before it, and
  // each thread's constants.
  struct UnorderedScan {
    std::unique_ptr<BatchReader> first;  // file 0's reader, from prepare()
    std::future<Result<std::unique_ptr<BatchReader>>> ahead;  // a store's file opened ahead: file ahead_for
    std::size_t ahead_for = SIZE_MAX;                          // (SIZE_MAX: none)
    std::vector<FileConstants> constants;                      // by thread
  };

  void end_unordered(UnorderedScan& scan) {
    index_ = files_.size();  // next() is at the end
    scan_bytes_.clear();
    if (scan.ahead.valid()) scan.ahead.wait();  // (an open ahead no thread took: its file failed before)
  }

  // File i a batch at a time to `consume`, on this thread; stops early (fine) once a file before it
  // has failed. The reader is closed here, on this thread.
  Status scan_file(UnorderedScan& scan, std::size_t i, int thread, const std::atomic<std::size_t>& failed,
                   const UnorderedConsumer& consume) {
    FileConstants& constants = scan.constants[static_cast<std::size_t>(thread)];
    std::unique_ptr<BatchReader> reader;
    if (i == 0 && scan.first) {
      reader = std::move(scan.first);
    } else if (kept(i)) {
      reader = std::move(kept_[i]);  // (each index is taken by one thread)
    } else if (scan.ahead_for == i) {  // (only this thread touches scan.ahead)
      auto opened = scan.ahead.get();
      if (!opened.ok()) return with_first_file_note(std::move(opened).error(), i);
      reader = std::move(opened).value();
    } else {
      auto opened = opener_(*files_[i], fixed_);
      if (!opened.ok()) return with_first_file_note(std::move(opened).error(), i);
      reader = std::move(opened).value();
    }
    if (Status st = check_fixed(i, *reader); !st.ok()) return with_first_file_note(std::move(st).error(), i);
    std::atomic<std::uint64_t>& progress = scan_bytes_[static_cast<std::size_t>(thread)];
    while (failed.load(std::memory_order_relaxed) > i) {
      auto next = reader->next();
      if (!next.ok()) return with_first_file_note(std::move(next).error(), i);
      progress.store(reader->bytes_read(), std::memory_order_relaxed);
      if (!*next) break;
      SLUICE_ASSIGN_OR_RETURN(Batch out, conform(**next, i, constants));
      SLUICE_TRY(consume(std::move(out), FilePlace{i, thread}));
    }
    done_bytes_ += reader->bytes_read();
    progress.store(0, std::memory_order_relaxed);
    return ok_status();
  }

  Status prepare() {
    for (const auto& f : d_.files) {
      bool keep = true;
      if (options_.filter) {
        SLUICE_ASSIGN_OR_RETURN(keep, partition_may_match(*options_.filter, d_, f));
      }
      if (keep) files_.push_back(&f);
      else ++pruned_;
    }
    auto schema = std::make_shared<Schema>();
    // A store's files are opened several at a time (each open waits on a request or two); their
    // schemas are still unified in file order, so an error names the file one by one would.
    remote_ = !files_.empty() && !files_[0]->key.empty();
    std::uint64_t kept_bytes = 0;  // of the small files whose readers are kept
    std::deque<std::future<Result<std::unique_ptr<BatchReader>>>> ahead;  // files i, i + 1, ...
    std::size_t launched = 1;
    const std::size_t schema_files = options_.schema_from_first_file ? std::min<std::size_t>(1, files_.size()) : files_.size();
    for (std::size_t i = 0; i < schema_files; ++i) {
      Result<std::unique_ptr<BatchReader>> opened = Error(ErrorCode::kInternal, "not opened");
      if (i == 0 || !remote_) {
        opened = opener_(*files_[i], nullptr);
      } else {
        for (; launched < schema_files && launched < i + kRemoteOpensAtOnce; ++launched)
          ahead.push_back(std::async(std::launch::async, [this, f = files_[launched]] { return opener_(*f, nullptr); }));
        opened = ahead.front().get();
        ahead.pop_front();
      }
      SLUICE_ASSIGN_OR_RETURN(auto reader, std::move(opened));
      SLUICE_TRY(merge_schema(*schema, *reader->schema(), i, false));
      if (i == 0) {
        current_ = std::move(reader);  // read first, without opening it again
      } else if (remote_ && files_[i]->size <= kKeepFileBytes && kept_bytes + files_[i]->size <= options_.keep_budget) {
        if (kept_.empty()) kept_.resize(files_.size());
        kept_bytes += files_[i]->size;
        kept_[i] = std::move(reader);
      }
    }
    file_fields_ = schema->fields.size();
    if (options_.schema_from_first_file) fixed_ = std::make_shared<Schema>(*schema);
    for (const Field& f : d_.partition_fields) schema->fields.push_back(f);
    if (!options_.filename_column.empty()) schema->fields.push_back(Field{options_.filename_column, utf8(), false});
    schema_ = std::move(schema);
    open_next_ahead(0);
    return ok_status();
  }

  // File i's columns merged into `schema` by name: types unified, new columns added. `fixed`: the
  // schema is the first file's and stays as it is (schema_from_first_file), so a new column, or a type
  // that does not widen to the schema's, is an error.
  Status merge_schema(Schema& schema, const Schema& file_schema, std::size_t i, bool fixed) {
    const UnifyOptions uo{options_.union_to_string};
    const std::string& uri = files_[i]->uri;
    for (const Field& f : file_schema.fields) {
      if (is_partition(f.name)) continue;  // the folder's value wins
      const int at = schema.find(f.name);
      if (at < 0) {
        if (fixed)
          return Error(ErrorCode::kInvalidArgument,
                       "column '" + f.name + "' is not in " + files_[0]->uri + std::string(kFirstFileOnly), ErrorContext(uri));
        schema.fields.push_back(f);
        schema.fields.back().nullable = true;
        first_seen_.push_back(uri);
        continue;
      }
      Field& g = schema.fields[static_cast<std::size_t>(at)];
      TypePtr t = unify_types(g.type, f.type, uo);
      if (!t || (fixed && !(*t == *g.type)))
        return Error(ErrorCode::kInvalidArgument,
                     "column '" + f.name + "' is " + f.type->to_string() + " here but " + g.type->to_string() + " in " +
                         first_seen_[static_cast<std::size_t>(at)] +
                         (fixed ? std::string(kFirstFileOnly)
                                : uo.to_string ? std::string() : std::string(" (--union-to-string reads such columns as strings)")),
                     ErrorContext(uri));
      g.type = std::move(t);
    }
    return ok_status();
  }

  static constexpr const char* kFirstFileOnly =
      " (the dataset's schema is the first file's, with --schema-from first; --schema-from all unifies every file's)";

  // An error of a later file's column that the first file fixed the type of says so: the type the
  // error names was not the user's.
  Error with_first_file_note(Error e, std::size_t i) const {
    if (!fixed_ || i == 0 || e.context().column_name.empty()) return e;
    const int at = fixed_->find(e.context().column_name);
    if (at < 0) return e;
    return Error(e.code(),
                 e.message() + "; the column is " + fixed_->fields[static_cast<std::size_t>(at)].type->to_string() +
                     " in " + files_[0]->uri + kFirstFileOnly,
                 e.context());
  }

  bool is_partition(const std::string& name) const {
    return std::find(d_.partition_keys.begin(), d_.partition_keys.end(), name) != d_.partition_keys.end();
  }

  Status open_current() {
    if (kept(index_)) {
      current_ = std::move(kept_[index_]);
    } else if (next_open_.valid() && next_open_for_ == index_) {
      auto opened = next_open_.get();
      SLUICE_ASSIGN_OR_RETURN(current_, std::move(opened));
    } else {
      SLUICE_ASSIGN_OR_RETURN(current_, opener_(*files_[index_], fixed_));
    }
    if (Status st = check_fixed(index_, *current_); !st.ok()) {
      current_.reset();
      return st;
    }
    open_next_ahead(index_);
    return ok_status();
  }

  // With schema_from_first_file, file i's columns against the first file's (a copy: the dataset's
  // schema does not change).
  // (Thread-safe: with `fixed`, merge_schema only reads.)
  Status check_fixed(std::size_t i, const BatchReader& reader) {
    if (!fixed_ || i == 0) return ok_status();
    Schema fields = *fixed_;
    return merge_schema(fields, *reader.schema(), i, true);
  }

  bool kept(std::size_t i) const { return i < kept_.size() && kept_[i] != nullptr; }

  // A store's next file to open (after `i`, past the kept ones) is opened while file `i` is read: its
  // first request or two overlap the reading instead of following it. One opened reader ahead at most.
  void open_next_ahead(std::size_t i) {
    if (!remote_ || next_open_.valid()) return;
    std::size_t j = i + 1;
    while (kept(j)) ++j;
    if (j >= files_.size()) return;
    next_open_for_ = j;
    next_open_ = std::async(std::launch::async, [this, f = files_[j]] { return opener_(*f, fixed_); });
  }

  // File i's batch in the dataset's schema: columns by name, cast where the types differ, missing
  // ones null, then the partition values and the file name. An error without a file names file i.
  Result<Batch> conform(const Batch& b, std::size_t i, FileConstants& constants) const {
    auto out = conform_columns(b, i, constants);
    if (out.ok()) return out;
    Error e = std::move(out).error();
    if (e.context().path.empty()) e = Error(e.code(), e.message(), ErrorContext(files_[i]->uri));
    return e;
  }

  Result<Batch> conform_columns(const Batch& b, std::size_t i, FileConstants& constants) const {
    const DatasetFile& file = *files_[i];
    Batch out;
    out.schema = schema_;
    out.num_rows = b.num_rows;
    for (const Field& f : b.schema->fields)
      if (!is_partition(f.name) && schema_->find(f.name) < 0)
        return Error(ErrorCode::kInvalidArgument,
                     fixed_ ? "column '" + f.name + "' is not in " + files_[0]->uri + kFirstFileOnly
                            : "column '" + f.name + "' appeared after the dataset's schema was fixed (--infer-rows all)",
                     ErrorContext(file.uri));
    for (std::size_t c = 0; c < file_fields_; ++c) {
      const Field& f = schema_->fields[c];
      const int at = b.schema->find(f.name);
      if (at < 0) {
        out.columns.push_back(null_array(f.type, b.num_rows));
        continue;
      }
      SLUICE_ASSIGN_OR_RETURN(auto a, cast_array(b.columns[static_cast<std::size_t>(at)], f.type));
      out.columns.push_back(std::move(a));
    }
    if (constants.for_file != i + 1) {
      constants.arrays.clear();
      for (std::size_t k = 0; k < d_.partition_fields.size(); ++k) {
        SLUICE_ASSIGN_OR_RETURN(auto a, partition_value_array(d_.partition_fields[k], file.partition_values[k], file.uri));
        constants.arrays.push_back(std::move(a));
      }
      if (!options_.filename_column.empty()) {
        BinaryBuilder name(utf8());
        name.append(file.uri);
        constants.arrays.push_back(name.finish());
      }
      constants.for_file = i + 1;
    }
    if (!constants.arrays.empty()) {
      if (static_cast<std::int64_t>(constants.zeros.size()) < b.num_rows)
        constants.zeros.assign(static_cast<std::size_t>(b.num_rows), 0);
      const std::span<const std::int64_t> idx(constants.zeros.data(), static_cast<std::size_t>(b.num_rows));
      for (const auto& c : constants.arrays) {
        SLUICE_ASSIGN_OR_RETURN(auto a, take(*c, idx));
        out.columns.push_back(std::move(a));
      }
    }
    return out;
  }

  Discovery d_;
  FileOpener opener_;
  DatasetReadOptions options_;
  std::vector<const DatasetFile*> files_;
  std::size_t pruned_ = 0;
  SchemaPtr schema_;
  std::size_t file_fields_ = 0;
  SchemaPtr fixed_;  // the first file's columns, with schema_from_first_file
  std::size_t index_ = 0;
  std::unique_ptr<BatchReader> current_;
  std::atomic<std::uint64_t> done_bytes_{0};  // of the files read to their end
  std::vector<std::atomic<std::uint64_t>> scan_bytes_;  // scan_unordered(): by thread, of its file so far
  bool started_ = false;  // next() or scan_unordered() has been called
  FileConstants constants_;  // next()'s
  bool remote_ = false;
  std::vector<std::string> first_seen_;  // by column: the file its type was first seen in
  std::vector<std::unique_ptr<BatchReader>> kept_;  // by file index, the small files' first readers
  // Last: destroyed first, waiting for an open still under way (it uses opener_ and files_).
  std::size_t next_open_for_ = 0;
  std::future<Result<std::unique_ptr<BatchReader>>> next_open_;
};

}  // namespace sluice::dataset
