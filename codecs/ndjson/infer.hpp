// Type inference for JSON values: the kind of each value and the lattice that joins them, over a
// tree (objects → struct, arrays → list) that can also be built from a type and turned back into one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sluice/core/types.hpp"
#include "text/parse.hpp"

namespace sluice::ndjson::detail {

// Scalars ordered roughly by generality; kStruct and kList join only with themselves (and null).
enum class Kind : std::uint8_t { kNull, kBool, kInt, kDouble, kDate, kTimestamp, kTimestampTz, kString, kStruct, kList };

inline Kind join_scalar(Kind a, Kind b) {
  if (a == b) return a;
  if (a == Kind::kNull) return b;
  if (b == Kind::kNull) return a;
  if (a > b) std::swap(a, b);
  if (a == Kind::kInt && b == Kind::kDouble) return Kind::kDouble;
  if (a == Kind::kDate && (b == Kind::kTimestamp || b == Kind::kTimestampTz)) return b;
  return Kind::kString;
}

// The kind of a JSON string's content (no escapes in it): a date or timestamp when it reads as one.
inline Kind string_kind(const char* p, std::size_t n, bool detect_temporal) {
  if (!detect_temporal || n < 10 || n > 40 || !(text::is_digit(p[0]) || p[0] == '-' || p[0] == '+')) return Kind::kString;
  std::int32_t d;
  if (text::parse_date_padded(p, n, d)) return Kind::kDate;
  std::int64_t ts;
  text::TzKind tz;
  if (text::parse_timestamp_padded(p, n, TimeUnit::kMicro, ts, tz))
    return tz == text::TzKind::kNone ? Kind::kTimestamp : Kind::kTimestampTz;
  return Kind::kString;
}

// One node of an inferred (or declared) type. A declared node never changes.
struct Node {
  Kind kind = Kind::kNull;
  TypePtr declared;  // set: this subtree has this type, fixed
  // kStruct: fields in order of first appearance.
  std::vector<std::string> names;
  std::vector<std::unique_ptr<Node>> children;
  std::unordered_map<std::string, std::size_t> index;
  // kList: the element.
  std::unique_ptr<Node> element;

  Node() = default;
  Node(Node&&) = default;
  Node& operator=(Node&&) = default;
  Node clone() const {
    Node c;
    c.kind = kind;
    c.declared = declared;
    c.names = names;
    c.index = index;
    for (const auto& ch : children) c.children.push_back(std::make_unique<Node>(ch->clone()));
    if (element) c.element = std::make_unique<Node>(element->clone());
    return c;
  }

  std::size_t find(std::string_view name) const {
    if (index.empty()) {
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) return i;
      return SIZE_MAX;
    }
    auto it = index.find(std::string(name));
    return it == index.end() ? SIZE_MAX : it->second;
  }
  Node& add(std::string name) {
    const std::size_t i = children.size();
    if (i >= 8 || !index.empty()) {
      if (index.empty())
        for (std::size_t k = 0; k < names.size(); ++k) index.emplace(names[k], k);
      index.emplace(name, i);
    }
    names.push_back(std::move(name));
    children.push_back(std::make_unique<Node>());
    return *children.back();
  }
  void to_string_kind() {
    kind = Kind::kString;
    names.clear();
    children.clear();
    index.clear();
    element.reset();
  }
  // Joins an observed scalar kind (not struct/list) into this node.
  void join(Kind k) {
    if (declared || k == kind || k == Kind::kNull) return;
    if (kind == Kind::kStruct || kind == Kind::kList) return to_string_kind();
    kind = join_scalar(kind, k);
  }
  // Makes this node a struct (or string when it held something else). False when it is not one now.
  bool as_struct() {
    if (declared) return declared->id == TypeId::kStruct;
    if (kind == Kind::kNull) kind = Kind::kStruct;
    if (kind != Kind::kStruct) {
      to_string_kind();
      return false;
    }
    return true;
  }
  bool as_list() {
    if (declared) return declared->id == TypeId::kList;
    if (kind == Kind::kNull) {
      kind = Kind::kList;
      element = std::make_unique<Node>();
    }
    if (kind != Kind::kList) {
      to_string_kind();
      return false;
    }
    return true;
  }

  TypePtr type() const {
    if (declared) return declared;
    switch (kind) {
      case Kind::kNull: return null_type();
      case Kind::kBool: return boolean();
      case Kind::kInt: return int64();
      case Kind::kDouble: return float64();
      case Kind::kDate: return date32();
      case Kind::kTimestamp: return timestamp(TimeUnit::kMicro);
      case Kind::kTimestampTz: return timestamp(TimeUnit::kMicro, "UTC");
      case Kind::kString: return utf8();
      case Kind::kStruct: {
        std::vector<Field> f;
        f.reserve(children.size());
        for (std::size_t i = 0; i < children.size(); ++i) f.push_back(Field{names[i], children[i]->type(), true});
        return struct_(std::move(f));
      }
      case Kind::kList: return list(element->type());
    }
    return utf8();
  }

  // Joins a type (one this reader inferred, or a declared one) into this node.
  void join_type(const DataType& t) {
    if (declared) return;
    switch (t.id) {
      case TypeId::kStruct:
        if (!as_struct()) return;
        for (const auto& f : t.children) {
          std::size_t i = find(f.name);
          Node& c = i == SIZE_MAX ? add(f.name) : *children[i];
          c.join_type(*f.type);
        }
        return;
      case TypeId::kList:
        if (!as_list()) return;
        element->join_type(*t.children.at(0).type);
        return;
      case TypeId::kNull: return;
      case TypeId::kBool: return join(Kind::kBool);
      case TypeId::kInt64: return join(Kind::kInt);
      case TypeId::kFloat64: return join(Kind::kDouble);
      case TypeId::kDate32: return join(Kind::kDate);
      case TypeId::kTimestamp: return join(t.timezone.empty() ? Kind::kTimestamp : Kind::kTimestampTz);
      default: return join(Kind::kString);
    }
  }
};

// A root node from a schema, with the declared columns (and with a complete schema, the root itself)
// fixed.
inline std::unique_ptr<Node> node_from_schema(const Schema& s, const std::vector<std::pair<std::string, TypePtr>>& declared) {
  auto root = std::make_unique<Node>();
  root->kind = Kind::kStruct;
  for (const auto& f : s.fields) {
    Node& c = root->add(f.name);
    for (const auto& d : declared)
      if (d.first == f.name) c.declared = d.second;
    if (!c.declared) c.join_type(*f.type);
  }
  return root;
}

}  // namespace sluice::ndjson::detail
