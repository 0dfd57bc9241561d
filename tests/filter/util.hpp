// Helpers shared by the filter and take tests: columns from initializer lists, batches from columns.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/codecs/filter.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/core/compare.hpp"

namespace sluice::filter_test {

// A fixed-width column of `type` from values, std::nullopt for a null.
template <class T>
ArrayPtr column(TypePtr type, const std::vector<std::optional<T>>& values) {
  FixedWidthBuilder<T> b(std::move(type));
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

inline ArrayPtr strings(const std::vector<std::optional<std::string>>& values, TypePtr type = utf8()) {
  BinaryBuilder b(std::move(type));
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

inline ArrayPtr bools(const std::vector<std::optional<bool>>& values) {
  BooleanBuilder b;
  for (const auto& v : values) v ? b.append(*v) : b.append_null();
  return b.finish();
}

inline Batch make_batch(std::vector<std::pair<std::string, ArrayPtr>> cols) {
  auto schema = std::make_shared<Schema>();
  Batch b;
  for (auto& [name, a] : cols) {
    schema->fields.push_back({name, a->type, true});
    b.num_rows = a->length;
    b.columns.push_back(a);
  }
  b.schema = schema;
  return b;
}

inline Predicate parse_ok(std::string_view text) {
  auto p = Predicate::parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? std::move(p).value() : Predicate{};
}

// The rows of `batch` that `where` selects, as indices.
inline std::vector<std::int64_t> selected(const Batch& batch, std::string_view where) {
  auto m = parse_ok(where).matches(batch);
  EXPECT_TRUE(m.ok()) << where << ": " << (m.ok() ? "" : m.error().to_string());
  std::vector<std::int64_t> out;
  if (!m.ok()) return out;
  EXPECT_EQ(static_cast<std::int64_t>(m->size()), batch.num_rows);
  for (std::size_t i = 0; i < m->size(); ++i)
    if ((*m)[i]) out.push_back(static_cast<std::int64_t>(i));
  return out;
}

inline Error where_error(const Batch& batch, std::string_view where) {
  auto m = parse_ok(where).matches(batch);
  EXPECT_FALSE(m.ok()) << where;
  if (m.ok()) return Error(ErrorCode::kInternal, "no error");
  return std::move(m).error();
}

using Rows = std::vector<std::int64_t>;

}  // namespace sluice::filter_test
