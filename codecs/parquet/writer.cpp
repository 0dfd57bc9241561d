#include "sluice/codecs/parquet/writer.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "parquet/column_writer.hpp"
#include "parquet/metadata.hpp"
#include "parquet/shred.hpp"
#include "parquet/write_schema.hpp"
#include "sluice/core/json_text.hpp"
#include "text/format.hpp"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "unknown"
#endif

namespace sluice::parquet {
namespace {

constexpr std::int64_t kStepRows = 1 << 16;  // rows encoded per step (between row-group size checks)
constexpr std::int64_t kDetachBytesPerThread = std::int64_t{4} << 20;  // pages compressed per step, per thread

// Runs n tasks on the calling thread and `threads - 1` workers; returns when all are done.
class TaskPool {
 public:
  explicit TaskPool(int threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~TaskPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  bool parallel() const { return !workers_.empty(); }

  void run(std::size_t n, const std::function<void(std::size_t)>& task) {
    if (workers_.empty() || n <= 1) {
      for (std::size_t i = 0; i < n; ++i) task(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      task_ = &task;
      n_ = n;
      next_.store(0);
      active_ = workers_.size();
      ++generation_;
    }
    cv_.notify_all();
    drain();
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return active_ == 0; });
    task_ = nullptr;
    if (error_) {
      // A task threw (out of memory): the others have finished; the exception goes to the caller.
      std::exception_ptr e = std::move(error_);
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  void drain() {
    for (std::size_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) {
      try {
        (*task_)(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }
  void work() {
    std::uint64_t seen = 0;
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      drain();
      {
        std::lock_guard<std::mutex> lock(mu_);
        --active_;
      }
      done_cv_.notify_one();
    }
  }

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(std::size_t)>* task_ = nullptr;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t active_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
  std::mutex error_mu_;
  std::exception_ptr error_;
};

Error writer_error(ErrorCode code, const std::string& message) {
  return Error(code, "Parquet writer: " + message);
}

}  // namespace

class ParquetWriter::Impl {
 public:
  Impl(io::Sink& sink, SchemaPtr schema, WriteOptions options)
      : sink_(sink), schema_(std::move(schema)), options_(std::move(options)), pool_(std::max(1, options_.threads)) {}

  Status open() {
    if (!schema_) return writer_error(ErrorCode::kInvalidArgument, "no schema");
    if (options_.page_version != 1 && options_.page_version != 2)
      return writer_error(ErrorCode::kInvalidArgument, "page version must be 1 or 2");
    if (options_.page_bytes < 1 || options_.page_rows < 1 || options_.row_group_bytes < 1 || options_.row_group_rows < 0 ||
        options_.dictionary_page_bytes < 0)
      return writer_error(ErrorCode::kInvalidArgument, "page and row group sizes must be positive");
    if (!(options_.bloom_filter_fpp > 0 && options_.bloom_filter_fpp < 1))
      return writer_error(ErrorCode::kInvalidArgument, "the bloom filter's false positive probability must be in (0, 1)");
    SLUICE_ASSIGN_OR_RETURN(ws_, build_write_schema(*schema_, options_));
    paths_.resize(ws_.fields.size());
    for (std::size_t i = 0; i < ws_.fields.size(); ++i) leaf_paths_of(ws_.fields[i], paths_[i]);
    writers_.reserve(ws_.leaves.size());
    for (const auto& leaf : ws_.leaves) writers_.push_back(std::make_unique<ColumnChunkWriter>(leaf, options_));
    levels_.resize(ws_.leaves.size());
    SLUICE_TRY(put(kMagic.data(), kMagic.size()));
    return ok_status();
  }

  Status write(const Batch& batch) {
    SLUICE_TRY(usable());
    if (batch.columns.size() != schema_->fields.size())
      return fail(writer_error(ErrorCode::kInvalidArgument, "a batch of " + std::to_string(batch.columns.size()) +
                                                                " columns for a schema of " +
                                                                std::to_string(schema_->fields.size())));
    for (std::size_t i = 0; i < batch.columns.size(); ++i) {
      const auto& c = batch.columns[i];
      if (!c || c->length != batch.num_rows || !c->type || !(*c->type == *schema_->fields[i].type))
        return fail(writer_error(ErrorCode::kInvalidArgument,
                                 "column '" + schema_->fields[i].name + "' of the batch is not a " +
                                     schema_->fields[i].type->to_string() + " of " + std::to_string(batch.num_rows) +
                                     " rows"));
    }
    std::int64_t done = 0;
    while (done < batch.num_rows) {
      std::int64_t step = std::min(kStepRows, batch.num_rows - done);
      if (options_.row_group_rows > 0) step = std::min(step, options_.row_group_rows - group_rows_);
      const Batch part = (done == 0 && step == batch.num_rows) ? batch : batch.slice(done, step);
      SLUICE_TRY(encode(part));
      done += step;
    }
    return ok_status();
  }

  Status finish() {
    SLUICE_TRY(usable());
    if (group_rows_ > 0) SLUICE_TRY(flush_group());
    SLUICE_TRY(wait_io());
    // The page indexes: every column index, then every offset index.
    for (std::size_t g = 0; g < row_groups_.size(); ++g) {
      for (std::size_t c = 0; c < ws_.leaves.size(); ++c) {
        const auto& bytes = column_indexes_[g][c];
        if (bytes.empty()) continue;
        auto& cc = row_groups_[g].columns[c];
        cc.__set_column_index_offset(pos_);
        cc.__set_column_index_length(static_cast<std::int32_t>(bytes.size()));
        SLUICE_TRY(put(bytes.data(), bytes.size()));
      }
    }
    for (std::size_t g = 0; g < row_groups_.size(); ++g) {
      for (std::size_t c = 0; c < ws_.leaves.size(); ++c) {
        const auto& bytes = offset_indexes_[g][c];
        if (bytes.empty()) continue;
        auto& cc = row_groups_[g].columns[c];
        cc.__set_offset_index_offset(pos_);
        cc.__set_offset_index_length(static_cast<std::int32_t>(bytes.size()));
        SLUICE_TRY(put(bytes.data(), bytes.size()));
      }
    }
    format::FileMetaData md;
    md.__set_version(options_.page_version == 2 ? 2 : 1);
    md.__set_schema(ws_.elements);
    md.__set_num_rows(rows_);
    md.__set_row_groups(row_groups_);
    std::vector<format::KeyValue> kv;
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    // GeoParquet's "geo" for this file's geometry columns replaces one the schema carries (it
    // described another file's columns); a "geo" given in the options is the caller's and wins.
    const std::string geo = geoparquet_metadata();
    bool geo_given = false;
    for (const auto& [k, v] : options_.metadata) geo_given = geo_given || k == "geo";
    const Pairs* sources[] = {&schema_->metadata, &options_.metadata};
    for (const Pairs* src : sources) {
      for (const auto& [k, v] : *src) {
        if (k == "geo" && src == &schema_->metadata && (!geo.empty() || geo_given)) continue;
        format::KeyValue e;
        e.__set_key(k);
        e.__set_value(v);
        kv.push_back(std::move(e));
      }
    }
    if (!geo.empty() && !geo_given) {
      format::KeyValue e;
      e.__set_key("geo");
      e.__set_value(geo);
      kv.push_back(std::move(e));
    }
    if (!kv.empty()) md.__set_key_value_metadata(kv);
    md.__set_created_by(std::string("sluice version ") + SLUICE_VERSION);
    std::vector<format::ColumnOrder> orders(ws_.leaves.size());
    for (auto& o : orders) o.__set_TYPE_ORDER(format::TypeDefinedOrder());
    md.__set_column_orders(orders);
    auto footer = detail::serialize(md);
    if (!footer.ok()) return fail(std::move(footer).error());
    if (footer->size() > UINT32_MAX) return fail(writer_error(ErrorCode::kLimitExceeded, "a footer over 4 GiB"));
    SLUICE_TRY(put(footer->data(), footer->size()));
    std::uint8_t trailer[8];
    const auto len = static_cast<std::uint32_t>(footer->size());
    for (int i = 0; i < 4; ++i) trailer[i] = static_cast<std::uint8_t>(len >> (8 * i));
    std::memcpy(trailer + 4, kMagic.data(), 4);
    SLUICE_TRY(put(trailer, 8));
    finished_ = true;
    return ok_status();
  }

  // GeoParquet 1.0 metadata ("geo") for the top-level geometry and geography columns, beside their
  // GEOMETRY / GEOGRAPHY logical types (as DuckDB writes with GEOPARQUET_VERSION 'BOTH'), so that
  // readers that know GeoParquet but not those types see geometries too. Their geometry types and
  // bounding box come from the chunks' geospatial statistics; a chunk without them (a value that is
  // not WKB), a geography, or values with M leave the types empty (unknown) and the box out, and so
  // does an infinite coordinate (JSON has no infinity). The CRS: a PROJJSON object as it is, none for
  // the default (none or OGC:CRS84), null (unknown to GeoParquet) for any other form (the logical
  // type keeps it). A geography's edges are "spherical" whatever its algorithm (GeoParquet has no
  // other). Empty: no such column.
  std::string geoparquet_metadata() const {
    static constexpr const char* kNames[] = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
                                             "MultiPolygon", "GeometryCollection"};
    std::string columns, primary;
    for (std::size_t c = 0; c < ws_.leaves.size(); ++c) {
      const WriteLeaf& leaf = ws_.leaves[c];
      const DataType& t = *leaf.type;
      if (leaf.path.size() != 1 || (t.extension != Extension::kGeometry && t.extension != Extension::kGeography)) continue;
      if (primary.empty()) primary = leaf.path[0];
      // The union of the chunks' statistics.
      bool known = t.extension == Extension::kGeometry;
      std::set<std::int32_t> types;
      double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};  // xmin, ymin, xmax, ymax
      for (const auto& rg : row_groups_) {
        const auto& md = rg.columns[c].meta_data;
        if (!md.__isset.geospatial_statistics) {
          known = false;
          break;
        }
        const auto& g = md.geospatial_statistics;
        for (const std::int32_t code : g.geospatial_types) {
          if (code < 1 || code % 1000 > 7 || code % 1000 == 0 || code / 1000 > 1) known = false;  // M, ZM, unknown
          types.insert(code);
        }
        if (g.__isset.bbox) {
          box[0] = std::min(box[0], g.bbox.xmin);
          box[1] = std::min(box[1], g.bbox.ymin);
          box[2] = std::max(box[2], g.bbox.xmax);
          box[3] = std::max(box[3], g.bbox.ymax);
        }
      }
      if (!columns.empty()) columns += ',';
      json_quote(leaf.path[0], &columns);
      columns += ":{\"encoding\":\"WKB\",\"geometry_types\":[";
      if (known) {
        bool first = true;
        for (const std::int32_t code : types) {
          if (!first) columns += ',';
          first = false;
          json_quote(std::string(kNames[code % 1000 - 1]) + (code >= 1000 ? " Z" : ""), &columns);
        }
      }
      columns += ']';
      if (known && box[0] <= box[2] && box[1] <= box[3] && std::isfinite(box[0]) && std::isfinite(box[1]) &&
          std::isfinite(box[2]) && std::isfinite(box[3])) {
        columns += ",\"bbox\":[";
        for (int i = 0; i < 4; ++i) {
          char b[32];
          if (i) columns += ',';
          columns.append(b, text::format_double(b, box[i]));
        }
        columns += ']';
      }
      if (!t.crs.empty() && t.crs != kDefaultCrs) {  // (GeoParquet's default, as none)
        columns += ",\"crs\":";
        simdjson::dom::parser parser;
        simdjson::dom::object projjson;
        if (!parser.parse(t.crs).get_object().get(projjson)) columns += simdjson::minify(projjson);
        else columns += "null";
      }
      if (t.extension == Extension::kGeography) columns += ",\"edges\":\"spherical\"";
      columns += '}';
    }
    if (primary.empty()) return "";
    std::string out = "{\"version\":\"1.0.0\",\"primary_column\":";
    json_quote(primary, &out);
    out += ",\"columns\":{" + columns + "}}";
    return out;
  }

  // Cuts the row group in progress now (a caller capping memory across many writers), and waits until
  // its bytes are in the sink, so that what it held is released.
  Status flush() {
    SLUICE_TRY(usable());
    if (group_rows_ > 0) SLUICE_TRY(flush_group());
    SLUICE_TRY(wait_io());
    for (auto& w : writers_) w->release_memory();
    return ok_status();
  }

  Status out_of_memory() { return fail(writer_error(ErrorCode::kLimitExceeded, "out of memory")); }

  std::int64_t rows_written() const { return rows_ + group_rows_; }
  int row_groups_written() const { return static_cast<int>(row_groups_.size()); }
  std::int64_t buffered_bytes() const {
    std::int64_t n = metadata_bytes_;
    for (const auto& w : writers_) n += w->held_bytes();
    return n;
  }
  std::int64_t peak_buffered_bytes() const { return peak_; }

 private:
  Status usable() const {
    if (finished_) return writer_error(ErrorCode::kInvalidArgument, "the writer is finished");
    if (!failed_.ok()) return failed_;
    return ok_status();
  }
  Status fail(Error e) {
    failed_ = e;
    // Nothing goes on writing to the sink after a failure is reported (the caller may abort it).
    if (io_.valid()) io_.wait();
    return e;
  }
  // Waits for the row group being written in the background, if any.
  Status wait_io() {
    if (!io_.valid()) return ok_status();
    Status st = io_.get();
    if (!st.ok()) return fail(std::move(st).error());
    return ok_status();
  }

  Status put(const void* data, std::size_t n) {
    if (auto st = sink_.write(data, n); !st.ok()) return fail(std::move(st).error());
    pos_ += static_cast<std::int64_t>(n);
    return ok_status();
  }

  // One step of rows into every column's pages; the row group flushed when full. The pages the step
  // before encoded are compressed meanwhile, as tasks of the same run: a column much larger than the
  // others (a text column) then no longer leaves the other threads waiting, at its encoding or at
  // the compression of its pages.
  Status encode(const Batch& part) {
    const std::size_t fields = schema_->fields.size();
    const auto jobs = detached_jobs();
    std::vector<Status> results(fields + jobs.size(), ok_status());
    // The heaviest columns first (by their data so far), so that no thread is left with a big one at
    // the end of the step while the others wait.
    std::vector<std::size_t> order(fields);
    for (std::size_t f = 0; f < order.size(); ++f) order[f] = f;
    if (pool_.parallel()) {
      std::vector<std::int64_t> weight(order.size(), 0);
      for (std::size_t f = 0; f < order.size(); ++f)
        for (const LeafPath& p : paths_[f]) weight[f] += writers_[static_cast<std::size_t>(p.leaf)]->data_bytes();
      std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return weight[x] > weight[y]; });
    }
    pool_.run(fields + jobs.size(), [&](std::size_t task) {
      if (task >= fields) {
        const auto [c, i] = jobs[task - fields];
        results[task] = writers_[c]->compress_detached(i);
        return;
      }
      const std::size_t f = order[task];
      for (const LeafPath& p : paths_[f]) {
        const auto leaf = static_cast<std::size_t>(p.leaf);
        LeafLevels& lv = levels_[leaf];
        Status st = shred(p, ws_.leaves[leaf], *part.columns[f], rows_ + group_rows_, lv);
        if (st.ok()) st = writers_[leaf]->append(lv, rows_ + group_rows_);
        if (!st.ok()) {
          results[task] = std::move(st);
          return;
        }
      }
    });
    for (auto& st : results)
      if (!st.ok()) return fail(std::move(st).error());
    if (!jobs.empty()) commit_detached();  // (a run of its own: not for nothing)
    // With threads to share them, pages are set aside for compression some MiB at a time: a step
    // holding one or two pages to compress leaves a thread waiting at its end for the other's page.
    std::int64_t pending = 0;
    for (const auto& w : writers_) pending += w->pending_bytes();
    if (!pool_.parallel() || pending >= kDetachBytesPerThread * options_.threads)
      for (auto& w : writers_) w->detach_pages();
    group_rows_ += part.num_rows;
    std::int64_t bytes = 0;
    for (const auto& w : writers_) bytes += w->data_bytes();
    peak_ = std::max(peak_, buffered_bytes());
    if (bytes >= options_.row_group_bytes || (options_.row_group_rows > 0 && group_rows_ >= options_.row_group_rows))
      SLUICE_TRY(flush_group());
    return ok_status();
  }

  // The detached pages of every column as (column, page), largest first where threads share them:
  // the last jobs to start are the short ones, so the threads end together.
  std::vector<std::pair<std::size_t, std::size_t>> detached_jobs() const {
    std::vector<std::pair<std::size_t, std::size_t>> jobs;
    for (std::size_t c = 0; c < writers_.size(); ++c)
      for (std::size_t i = 0; i < writers_[c]->detached_pages(); ++i) jobs.emplace_back(c, i);
    if (pool_.parallel())
      std::stable_sort(jobs.begin(), jobs.end(), [&](const auto& x, const auto& y) {
        return writers_[x.first]->detached_bytes(x.second) > writers_[y.first]->detached_bytes(y.second);
      });
    return jobs;
  }

  void commit_detached() {
    pool_.run(writers_.size(), [&](std::size_t c) { writers_[c]->commit_detached(); });
  }

  // Compresses and appends every page encoded so far, all pages of all columns spread over the
  // threads: the detached ones, then the rest.
  Status compress_pages() {
    for (int round = 0; round < 2; ++round) {
      const auto jobs = detached_jobs();
      std::vector<Status> results(jobs.size(), ok_status());
      pool_.run(jobs.size(), [&](std::size_t j) { results[j] = writers_[jobs[j].first]->compress_detached(jobs[j].second); });
      for (auto& st : results)
        if (!st.ok()) return fail(std::move(st).error());
      if (!jobs.empty()) commit_detached();
      for (auto& w : writers_) w->detach_pages();
    }
    return ok_status();
  }

  Status flush_group() {
    std::vector<Status> results(writers_.size(), ok_status());
    pool_.run(writers_.size(), [&](std::size_t c) { results[c] = writers_[c]->close(); });
    for (auto& st : results)
      if (!st.ok()) return fail(std::move(st).error());
    SLUICE_TRY(compress_pages());
    peak_ = std::max(peak_, buffered_bytes());
    format::RowGroup rg;
    const std::int64_t start = pos_;
    std::int64_t total_uncompressed = 0;
    std::vector<std::string> cis(writers_.size()), ois(writers_.size());
    // With threads to spare, the row group's bytes are written by a thread of their own while the
    // next row group is encoded (two row groups in memory at most); with one thread, here and now.
    const bool background = pool_.parallel();
    if (background) SLUICE_TRY(wait_io());
    auto job = std::make_shared<IoJob>();
    for (std::size_t c = 0; c < writers_.size(); ++c) {
      format::ColumnChunk cc;
      const std::int64_t at = pos_;
      if (background) {
        job->chunks.emplace_back();
        if (auto st = writers_[c]->take(at, cc, job->chunks.back().first); !st.ok()) return fail(std::move(st).error());
      } else if (auto st = writers_[c]->write(sink_, at, cc); !st.ok()) {
        return fail(std::move(st).error());
      }
      pos_ += cc.meta_data.total_compressed_size;
      total_uncompressed += cc.meta_data.total_uncompressed_size;
      const auto& bloom = writers_[c]->bloom_filter();
      if (!bloom.empty()) {
        cc.meta_data.__set_bloom_filter_offset(pos_);
        cc.meta_data.__set_bloom_filter_length(static_cast<std::int32_t>(bloom.size()));
        if (background) {
          job->chunks.back().second = bloom;
          pos_ += static_cast<std::int64_t>(bloom.size());
        } else {
          SLUICE_TRY(put(bloom.data(), bloom.size()));
        }
      }
      if (options_.page_index) {
        if (const auto& ci = writers_[c]->column_index()) {
          auto s = detail::serialize(*ci);
          if (!s.ok()) return fail(std::move(s).error());
          cis[c] = std::move(*s);
        }
        auto s = detail::serialize(writers_[c]->offset_index());
        if (!s.ok()) return fail(std::move(s).error());
        ois[c] = std::move(*s);
      }
      rg.columns.push_back(std::move(cc));
    }
    rg.__set_total_byte_size(total_uncompressed);
    rg.__set_num_rows(group_rows_);
    rg.__set_file_offset(start);
    std::int64_t compressed = 0;
    for (const auto& cc : rg.columns) compressed += cc.meta_data.total_compressed_size;
    rg.__set_total_compressed_size(compressed);
    // The ordinal is an i16: past 32767 row groups it is left out rather than repeated.
    if (row_groups_.size() <= static_cast<std::size_t>(INT16_MAX))
      rg.__set_ordinal(static_cast<std::int16_t>(row_groups_.size()));
    row_groups_.push_back(std::move(rg));
    if (background) {
      io_ = std::async(std::launch::async, [this, job]() -> Status {
        for (const auto& [bytes, bloom] : job->chunks) {
          SLUICE_TRY(bytes.write_to(sink_));
          if (!bloom.empty()) SLUICE_TRY(sink_.write(bloom.data(), bloom.size()));
        }
        return ok_status();
      });
    }
    // What the footer will need of this row group stays until finish(): its page indexes, and about
    // 200 bytes of metadata per column chunk (statistics included).
    for (const auto& b : cis) metadata_bytes_ += static_cast<std::int64_t>(b.capacity());
    for (const auto& b : ois) metadata_bytes_ += static_cast<std::int64_t>(b.capacity());
    metadata_bytes_ += 200 * static_cast<std::int64_t>(writers_.size());
    column_indexes_.push_back(std::move(cis));
    offset_indexes_.push_back(std::move(ois));
    rows_ += group_rows_;
    group_rows_ = 0;
    return ok_status();
  }

  io::Sink& sink_;
  SchemaPtr schema_;
  WriteOptions options_;
  TaskPool pool_;
  WriteSchema ws_;
  std::vector<std::vector<LeafPath>> paths_;
  std::vector<std::unique_ptr<ColumnChunkWriter>> writers_;
  std::vector<LeafLevels> levels_;
  std::vector<format::RowGroup> row_groups_;
  std::vector<std::vector<std::string>> column_indexes_, offset_indexes_;
  std::int64_t metadata_bytes_ = 0;  // held for the footer (counted in buffered_bytes)
  std::int64_t pos_ = 0, rows_ = 0, group_rows_ = 0, peak_ = 0;
  Status failed_ = ok_status();
  bool finished_ = false;
  struct IoJob {
    std::vector<std::pair<ChunkBytes, std::vector<std::uint8_t>>> chunks;  // bytes and bloom filter
  };
  std::future<Status> io_;  // the row group being written in the background (declared last: waited
                            // for first when the writer is destroyed)
};

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::open(io::Sink& sink, SchemaPtr schema, WriteOptions options) {
  auto impl = std::make_unique<Impl>(sink, std::move(schema), std::move(options));
  SLUICE_TRY(impl->open());
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}
ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;
// No exception crosses the API: running out of memory is an error value (and the writer is done).
Status ParquetWriter::write(const Batch& batch) {
  try {
    return impl_->write(batch);
  } catch (const std::bad_alloc&) {
    return impl_->out_of_memory();
  }
}
Status ParquetWriter::finish() {
  try {
    return impl_->finish();
  } catch (const std::bad_alloc&) {
    return impl_->out_of_memory();
  }
}
Status ParquetWriter::flush() {
  try {
    return impl_->flush();
  } catch (const std::bad_alloc&) {
    return impl_->out_of_memory();
  }
}
std::int64_t ParquetWriter::rows_written() const { return impl_->rows_written(); }
int ParquetWriter::row_groups_written() const { return impl_->row_groups_written(); }
std::int64_t ParquetWriter::buffered_bytes() const { return impl_->buffered_bytes(); }
std::int64_t ParquetWriter::peak_buffered_bytes() const { return impl_->peak_buffered_bytes(); }

Status write_all(io::Sink& sink, SchemaPtr schema, const std::vector<Batch>& batches, WriteOptions options) {
  SLUICE_ASSIGN_OR_RETURN(auto w, ParquetWriter::open(sink, std::move(schema), std::move(options)));
  for (const auto& b : batches) SLUICE_TRY(w->write(b));
  return w->finish();
}

}  // namespace sluice::parquet
