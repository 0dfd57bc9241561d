// Helpers for the CSV tests: read a string, render batches back to text.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/codecs/csv.hpp"
#include "sluice/io/local.hpp"

namespace sluice::csv::testing {

inline Result<std::vector<Batch>> read_string(const std::string& text, ReadOptions o = {}) {
  return read_all(std::make_unique<io::MemorySource>(text, "test.csv"), std::move(o));
}

// Batches as CSV text (header from the first batch), the canonical form tests compare.
inline std::string render(const std::vector<Batch>& batches, WriteOptions w = {}) {
  io::MemorySink sink;
  auto writer = CsvWriter::open(sink, w);
  for (const auto& b : batches) EXPECT_TRUE(writer.value()->write(b).ok());
  EXPECT_TRUE(writer.value()->finish().ok());
  EXPECT_TRUE(sink.finish().ok());
  return sink.data();
}

inline std::int64_t total_rows(const std::vector<Batch>& batches) {
  std::int64_t n = 0;
  for (const auto& b : batches) n += b.num_rows;
  return n;
}

}  // namespace sluice::csv::testing
