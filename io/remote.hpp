// What every object store shares: a Source over ranged GETs and a Sink over part uploads. A store
// only says how to fetch one range and how to upload one part; these classes do the splitting,
// coalescing, read-ahead, buffer pool, part sizing and commit/abort.
#pragma once

#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/io/store.hpp"

namespace sluice::io::remote {

// Fetches [offset, offset + dst.size()) into dst; the result is the bytes received (fewer only at the
// end of the object). The returned future may complete on another thread.
using RangeGetter = std::function<std::future<Result<std::size_t>>(std::uint64_t offset, std::span<std::byte> dst)>;

// "bytes 0-0/12345" -> 12345; -1 when absent or unknown ("*").
std::int64_t total_from_content_range(std::string_view v);

// For a source opened with the size a listing gave (no HEAD): an error when a ranged GET's
// Content-Range says the object now has another size (it was replaced after the listing), so that it
// is not read cut at the old size or past it.
Status check_listed_size(std::optional<std::string_view> content_range, std::uint64_t listed, const std::string& uri);

class RangeSource final : public Source {
 public:
  RangeSource(std::string uri, std::uint64_t size, RangeGetter get, TransferOptions options);
  ~RangeSource() override;

  const std::string& path() const override { return uri_; }
  bool supports_random_access() const override { return true; }
  Result<std::uint64_t> size() override { return size_; }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  Result<std::vector<BufferPtr>> read_ranges(std::span<const ByteRange> ranges) override;
  Result<std::size_t> read(std::span<std::byte> dst) override;
  bool reads_views() const override { return true; }
  Result<std::span<const std::byte>> read_view(std::size_t max_bytes) override;

 private:
  struct Block {
    std::uint64_t offset = 0;
    std::size_t size = 0;                // bytes asked for (all of them arrive, or it is an error)
    std::unique_ptr<std::byte[]> data;  // uninitialised: the GET fills it
    std::size_t capacity = 0;
    std::future<Result<std::size_t>> pending;
    bool ready = false;
  };
  void fill_read_ahead();
  // The block at the cursor, received (read-ahead topped up); null at the end.
  Result<Block*> current_block();
  Error short_read(std::uint64_t offset) const;

  std::string uri_;
  std::uint64_t size_;
  RangeGetter get_;
  TransferOptions options_;
  std::uint64_t pos_ = 0;        // sequential cursor
  std::uint64_t next_fetch_ = 0; // first byte not yet requested by read-ahead
  std::deque<Block> ahead_;
  // Read-ahead starts small and grows, so that a reader that wants only the start (a schema's
  // sample, `head`) fetches little: blocks of kFirstReadBlock doubling up to read_block, and one more
  // block in flight for each block consumed, up to read_ahead.
  std::size_t next_block_bytes_ = 0;
  std::size_t consumed_ = 0;
  std::vector<std::pair<std::unique_ptr<std::byte[]>, std::size_t>> spare_;  // buffers of blocks read
};

// How a store uploads: one object in one request, or parts then a commit.
class PartUploader {
 public:
  virtual ~PartUploader() = default;
  virtual Status put_whole(std::span<const std::byte> data) = 0;
  virtual Status begin() = 0;
  // Uploads part `number` (1-based); `data` stays alive and unchanged until the future is ready.
  // Called from a thread of its own per part: several calls may run at once.
  virtual std::future<Status> upload_part(int number, std::span<const std::byte> data) = 0;
  // Commits parts 1..N, all uploaded. Needs only what begin() and the parts left behind (ids, ETags),
  // never the data again.
  virtual Status complete() = 0;
  // Best effort: removes what begin() and the parts staged.
  virtual void abort() = 0;
};

// Uploads parts from a pool of buffers, a few in flight. The first buffer starts at 64 KiB (or the
// first write's size) and doubles up to the part size, so a small output holds little; later parts
// take full-size buffers from the pool. Without stage(), an output smaller than one part goes up in
// one put_whole() at finish(). stage() sends what is buffered as the last part (begin() first if
// needed; an empty output as one empty part), waits for every part and frees every buffer;
// finish() then only completes, abort() (and destruction) aborts the upload.

class MultipartSink final : public Sink {
 public:
  MultipartSink(std::string uri, std::unique_ptr<PartUploader> uploader, TransferOptions options);
  ~MultipartSink() override;

  using Sink::write;
  const std::string& path() const override { return uri_; }
  Status write(std::span<const std::byte> data) override;
  Status stage() override;
  Status finish() override;
  void abort() override;
  std::uint64_t bytes_written() const override { return written_; }
  // The buffers held: the one being filled, the parts in flight and the spare ones.
  std::uint64_t buffered_bytes() const override;

  // Part `number`'s size under `options` (tests check the growth and the 5 TiB reach).
  static std::size_t part_size(const TransferOptions& options, int number);
  // Bytes of the largest buffers held at once so far (the memory bound's witness in tests).
  std::size_t peak_buffer_bytes() const { return peak_buffer_bytes_; }

 private:
  struct InFlight {
    std::future<Status> done;
    std::vector<std::byte> buffer;
  };
  Status submit_current();
  Status wait_oldest();
  Status wait_all();
  Status fail(Error error);
  std::vector<std::byte> take_buffer(std::size_t capacity);
  void grow_current(std::size_t want);
  void release_buffers();
  void note_buffers();

  std::string uri_;
  std::unique_ptr<PartUploader> uploader_;
  TransferOptions options_;
  std::vector<std::byte> current_;
  std::size_t current_fill_ = 0;
  std::deque<InFlight> in_flight_;
  std::vector<std::vector<std::byte>> spare_;
  int next_part_ = 1;
  bool started_ = false;  // begin() called
  bool staged_ = false;   // every part uploaded: only complete() or abort() remain
  bool done_ = false;     // finished, aborted or failed
  std::uint64_t written_ = 0;
  std::size_t peak_buffer_bytes_ = 0;
};

// The reading side every store shares, over the store's own HEAD and ranged GET (CRTP): Store has
// head(key), uri_of(key), get_range(key, offset, dst, listed) and transfer_options().
template <class Store>
class RangedStore : public ObjectStore {
 public:
  Result<SourcePtr> open_source(std::string_view key) override {
    SLUICE_ASSIGN_OR_RETURN(auto info, self().head(key));
    return source_of(key, info.size, -1);
  }
  Result<SourcePtr> open_source(std::string_view key, std::uint64_t size) override {
    return source_of(key, size, static_cast<std::int64_t>(size));
  }

 private:
  Store& self() { return static_cast<Store&>(*this); }
  // listed >= 0: the size a listing gave, checked against each response; -1: the HEAD's.
  SourcePtr source_of(std::string_view key, std::uint64_t size, std::int64_t listed) {
    Store& store = self();
    return std::make_unique<RangeSource>(
        store.uri_of(key), size,
        [&store, k = std::string(key), listed](std::uint64_t offset, std::span<std::byte> dst) {
          return store.get_range(k, offset, dst, listed);
        },
        store.transfer_options());
  }
};

}  // namespace sluice::io::remote
