// Reads a small CSV from memory, writes it back as CSV, and checks both the batch and the text.
#include <cstdio>
#include <memory>
#include <string>

#include "sluice/codecs/csv.hpp"
#include "sluice/io/local.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    ++failures;
  }
}

}  // namespace

int main() {
  const std::string input =
      "id,name,score\n"
      "1,alice,1.5\n"
      "2,\"bob, jr\",\n"
      "3,\"say \"\"hi\"\"\",2.25\n";

  auto batches = sluice::csv::read_all(std::make_unique<sluice::io::MemorySource>(input, "input.csv"));
  if (!batches.ok()) {
    std::fprintf(stderr, "read_all: %s\n", batches.error().to_string().c_str());
    return 1;
  }
  std::int64_t rows = 0;
  for (const auto& b : *batches) {
    check(b.validate().ok(), "the batch validates");
    rows += b.num_rows;
  }
  check(rows == 3, "3 rows, got " + std::to_string(rows));
  if (batches->empty()) return 1;
  const sluice::Batch& b = batches->front();
  check(b.num_columns() == 3, "3 columns");
  if (failures) return 1;
  check(b.schema->fields[0].name == "id" && b.column(0).type->id == sluice::TypeId::kInt64, "id is int64");
  check(b.schema->fields[1].name == "name" && b.column(1).type->id == sluice::TypeId::kString, "name is a string");
  check(b.schema->fields[2].name == "score" && b.column(2).type->id == sluice::TypeId::kFloat64,
        "score is float64, got " + b.column(2).type->to_string());
  check(b.column(0).value<std::int64_t>(2) == 3, "id[2] == 3");
  check(b.column(1).string_at(1) == "bob, jr", "name[1] == 'bob, jr'");
  check(b.column(1).string_at(2) == "say \"hi\"", "name[2] unquoted");
  check(b.column(2).is_null(1) && b.column(2).null_count == 1, "score[1] is the only null");

  sluice::io::MemorySink sink("output.csv");
  auto writer = sluice::csv::CsvWriter::open(sink);
  if (!writer.ok()) {
    std::fprintf(stderr, "CsvWriter::open: %s\n", writer.error().to_string().c_str());
    return 1;
  }
  for (const auto& batch : *batches) {
    if (auto s = (*writer)->write(batch); !s.ok()) {
      std::fprintf(stderr, "write: %s\n", s.error().to_string().c_str());
      return 1;
    }
  }
  if (auto s = (*writer)->finish(); !s.ok()) {
    std::fprintf(stderr, "finish: %s\n", s.error().to_string().c_str());
    return 1;
  }
  if (auto s = sink.finish(); !s.ok()) {
    std::fprintf(stderr, "sink finish: %s\n", s.error().to_string().c_str());
    return 1;
  }
  check((*writer)->rows_written() == 3, "3 rows written");
  // Minimal quoting and an empty field for the null: the input comes back byte for byte.
  check(sink.data() == input, "the output equals the input; got:\n" + sink.data());

  if (failures) return 1;
  std::puts("consumer app: ok");
  return 0;
}
