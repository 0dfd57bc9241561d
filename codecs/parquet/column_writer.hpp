// One leaf's column chunk being written: values and levels in, pages encoded (dictionary with a
// fallback to the leaf's encoding, or that encoding), compressed and held until the row group is
// complete, with chunk and page statistics, the page index and the bloom filter.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parquet/metadata.hpp"
#include "parquet/shred.hpp"
#include "parquet/write_schema.hpp"
#include "sluice/codecs/parquet/options.hpp"
#include "sluice/core/error.hpp"
#include "sluice/io/sink.hpp"

namespace sluice::parquet {

// A chunk's bytes taken out of its writer, to be written to the sink later (by another thread).
class ChunkBytes {
 public:
  ChunkBytes();
  ~ChunkBytes();
  ChunkBytes(ChunkBytes&&) noexcept;
  ChunkBytes& operator=(ChunkBytes&&) noexcept;
  Status write_to(io::Sink& sink) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class ColumnChunkWriter {
 public:
  ColumnChunkWriter(const WriteLeaf& leaf, const WriteOptions& options);
  ~ColumnChunkWriter();
  ColumnChunkWriter(const ColumnChunkWriter&) = delete;
  ColumnChunkWriter& operator=(const ColumnChunkWriter&) = delete;

  // Appends one batch's levels and values (`first_row`: the batch's first row in the file, for
  // errors). Pages are cut as they fill.
  Status append(const LeafLevels& levels, std::int64_t first_row);
  // Ends the chunk: the last page, the dictionary page, the bloom filter.
  Status close();

  // Pages are encoded by append() and close() but compressed apart, so that compression can run
  // while later pages are encoded: detach_pages() sets the pages encoded so far aside (when the last
  // ones set aside are committed), compress_detached(i) compresses each of the detached_pages() (on
  // any threads, each page once, also while append() runs), and commit_detached() appends them to
  // the chunk in order. write() does whatever is left of that itself.
  void detach_pages();
  std::int64_t pending_bytes() const;  // of the pages not yet detached
  std::size_t detached_pages() const;
  std::size_t detached_bytes(std::size_t i) const;  // what compress_detached(i) compresses
  Status compress_detached(std::size_t i);
  void commit_detached();
  // Writes the closed chunk at `file_offset` (where the sink is) and describes it in `chunk`; then
  // bloom_filter() and the page index are ready, and the writer is empty for the next row group.
  Status write(io::Sink& sink, std::int64_t file_offset, format::ColumnChunk& chunk);
  // The same, but the bytes go to `bytes`, for the caller to write at file_offset later.
  Status take(std::int64_t file_offset, format::ColumnChunk& chunk, ChunkBytes& bytes);

  // The chunk's data so far, uncompressed (pages written and the one being built).
  std::int64_t data_bytes() const;
  // Bytes held: encoded pages, the page being built, the dictionary.
  std::int64_t held_bytes() const;
  // Between row groups (after close()): frees the buffers kept for reuse, so held_bytes() drops to
  // about the dictionary's.
  void release_memory();

  // After write(): the bloom filter (header and bitset), empty when there is none.
  const std::vector<std::uint8_t>& bloom_filter() const;
  // After write(): the page index of the chunk written (offsets in the file), if it has one.
  const std::optional<format::ColumnIndex>& column_index() const;
  const format::OffsetIndex& offset_index() const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::parquet
