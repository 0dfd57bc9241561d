// Uses only the header-only core (builders and batches); the project links sluice::core and no
// compiled sluice library, so this fails to link if core stops being header-only.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "sluice/core/array.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/core/types.hpp"

int main() {
  sluice::FixedWidthBuilder<std::int64_t> ids(sluice::int64());
  sluice::BinaryBuilder names(sluice::utf8());
  for (std::int64_t i = 0; i < 1000; ++i) {
    ids.append(i * 3);
    if (i % 10 == 0) names.append_null();
    else names.append("name" + std::to_string(i));
  }

  auto schema = std::make_shared<sluice::Schema>();
  schema->fields = {{"id", sluice::int64(), false}, {"name", sluice::utf8(), true}};
  sluice::Batch batch{schema, {ids.finish(), names.finish()}, 1000};

  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "FAILED: %s\n", what);
      ++failures;
    }
  };
  if (auto s = batch.validate(); !s.ok()) {
    std::fprintf(stderr, "validate: %s\n", s.error().to_string().c_str());
    return 1;
  }
  check(batch.column(0).null_count == 0, "ids have no nulls");
  check(batch.column(1).null_count == 100, "100 null names");
  check(batch.column(0).value<std::int64_t>(999) == 2997, "id[999]");
  check(batch.column(1).is_null(990) && batch.column(1).string_at(999) == "name999", "names");
  const sluice::Batch tail = batch.slice(995, 5);
  check(tail.validate().ok() && tail.num_rows == 5, "a slice validates");
  check(tail.column(1).string_at(0) == "name995", "slice values");
  check(schema->to_string() == "id: int64 not null\nname: string\n", "schema text");
  if (failures) return 1;
  std::puts("consumer core_only: ok");
  return 0;
}
