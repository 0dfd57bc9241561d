// Finding the files of a dataset: one file, a folder (everything below it), or a glob, on a local file
// system or in a store (listing only under the pattern's literal prefix); their hive partitions and
// the partition columns' types.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/codecs/filter.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/dataset/glob.hpp"
#include "sluice/dataset/hive.hpp"
#include "sluice/io/store.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::dataset {

struct DatasetFile {
  std::string uri;       // as the files are opened: a local path or a store URI
  std::string key;       // the store key (empty for local files)
  std::string relative;  // below the dataset's root, '/'-separated
  std::uint64_t size = 0;
  std::vector<std::optional<std::string>> partition_values;  // one per Discovery::partition_keys
};

struct Discovery {
  std::string root;                        // the folder the files are relative to
  std::vector<DatasetFile> files;          // in byte order of their paths
  std::vector<std::string> partition_keys;  // hive keys, in order of first appearance
  std::vector<Field> partition_fields;     // their names and types (after infer_partition_types)
};

enum class HivePartitioning { kAuto, kOn, kOff };

struct DiscoverOptions {
  HivePartitioning hive = HivePartitioning::kAuto;
  // Declared types of partition columns (others are inferred: int64, float64, date, bool, else string).
  std::vector<std::pair<std::string, TypePtr>> partition_types;
};

namespace detail {

inline bool hidden_name(std::string_view name) { return !name.empty() && (name[0] == '.' || name[0] == '_'); }

// Whether every segment of `relative` (the file name included) is visible: not starting with . or _.
inline bool visible(std::string_view relative) {
  for (auto seg : split_segments(relative))
    if (hidden_name(seg)) return false;
  return true;
}

inline Status list_local(const std::string& root, const std::function<void(const std::string& rel, std::uint64_t)>& each,
                         std::size_t max_depth) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path base(root.empty() ? "." : root);
  if (!fs::is_directory(base, ec)) return ok_status();  // no match
  for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (hidden_name(name) || static_cast<std::size_t>(it.depth()) + 1 >= max_depth) it.disable_recursion_pending();
      continue;
    }
    if (hidden_name(name) || !it->is_regular_file(ec)) continue;
    const std::string rel = fs::relative(it->path(), base, ec).generic_string();
    if (ec) break;
    each(rel, static_cast<std::uint64_t>(it->file_size(ec)));
  }
  if (ec) return Error(ErrorCode::kIoError, "cannot list: " + ec.message(), ErrorContext(root));
  return ok_status();
}

// A partition value as a constant of `type`, exact (no fraction, integers in range), or an error:
// the filter's coerce(), so that inference and conversion agree.
inline Result<Constant> partition_constant(const std::string& value, const DataType& type, const std::string& key) {
  Literal lit;
  lit.kind = type.is_numeric() ? Literal::Kind::kNumber : Literal::Kind::kString;
  lit.text = value;
  if (type.id == TypeId::kBool && (value == "true" || value == "false")) {
    lit.kind = Literal::Kind::kBool;
    lit.boolean = value == "true";
  }
  auto c = coerce(lit, type, key);
  if (c.ok() && (c->fraction || (type.is_integer() && c->kind != Constant::Kind::kInt64)))
    return Error(ErrorCode::kInvalidArgument, "out of range or not exact");
  return c;
}

inline bool converts(const std::string& value, const TypePtr& type) { return partition_constant(value, *type, "").ok(); }

}  // namespace detail

// The files of `input`: a path or URI naming one file, a folder (a local directory, or a store prefix
// ending in '/'), or a glob. Files and folders whose names start with '.' or '_' are skipped below a
// folder or under a wildcard. `store` serves store URIs (null for local paths). No match is kNotFound.
inline Result<Discovery> discover(const std::string& input, io::ObjectStore* store, const DiscoverOptions& options = {}) {
  SLUICE_ASSIGN_OR_RETURN(const io::Uri uri, io::parse_uri(input));
  Discovery d;
  const bool local = uri.scheme == io::Scheme::kLocal;
  if (!local && !store) return Error(ErrorCode::kInvalidArgument, "listing needs a store", ErrorContext(input));
  if (!local && uri.scheme != io::Scheme::kS3 && uri.scheme != io::Scheme::kGcs && uri.scheme != io::Scheme::kAzure)
    return Error(ErrorCode::kInvalidArgument, "only local paths and s3://, gs://, az:// prefixes can be listed",
                 ErrorContext(input));
  const std::string path = local ? uri.path : uri.key;
  auto add = [&](const std::string& rel, std::uint64_t size, const std::string& root) {
    DatasetFile f;
    const std::string full = root + rel;
    f.relative = rel;
    f.size = size;
    if (local) {
      f.uri = full;
    } else {
      f.key = full;
      f.uri = uri.with_key(full);
    }
    d.files.push_back(std::move(f));
  };
  if (has_glob(path)) {
    const Glob glob(path);
    d.root = glob_root(path);
    if (local) {
      const std::size_t root_depth = split_segments(d.root).size() - 1;
      const std::size_t depth = glob.recursive() ? SIZE_MAX : glob.segment_count() - root_depth;
      SLUICE_TRY(detail::list_local(d.root, [&](const std::string& rel, std::uint64_t size) {
        if (glob.matches(d.root + rel)) add(rel, size, d.root);
      }, depth));
    } else {
      SLUICE_TRY(store->list(glob_literal_prefix(path), true, [&](const io::ObjectInfo& o) {
        if (!o.is_prefix && glob.matches(o.key)) add(o.key.substr(d.root.size()), o.size, d.root);
        return ok_status();
      }));
    }
  } else {
    bool folder = path.empty() || path.back() == '/';
    if (local && !folder) {
      std::error_code ec;
      folder = std::filesystem::is_directory(path, ec);
    }
    if (!folder) {
      // One file: its own name is its relative path (no partitions), unless it is a store "folder"
      // given without its slash.
      if (local) {
        add(path, 0, "");
        d.files.back().relative = std::filesystem::path(path).filename().string();
        return d;
      }
      auto head = store->head(path);
      if (head.ok()) {
        add(path, head->size, "");
        d.files.back().relative = path.substr(path.find_last_of('/') + 1);
        return d;
      }
      if (head.error().code() != ErrorCode::kNotFound) return std::move(head).error();
    }
    d.root = path;
    if (!d.root.empty() && d.root.back() != '/') d.root += '/';
    if (local) {
      SLUICE_TRY(detail::list_local(d.root, [&](const std::string& rel, std::uint64_t size) { add(rel, size, d.root); },
                                    SIZE_MAX));
    } else {
      SLUICE_TRY(store->list(d.root, true, [&](const io::ObjectInfo& o) {
        if (o.is_prefix || o.key.size() <= d.root.size()) return ok_status();
        const std::string rel = o.key.substr(d.root.size());
        if (detail::visible(rel)) add(rel, o.size, d.root);
        return ok_status();
      }));
    }
  }
  if (d.files.empty()) return Error(ErrorCode::kNotFound, "no files match", ErrorContext(input));
  std::sort(d.files.begin(), d.files.end(), [](const DatasetFile& a, const DatasetFile& b) { return a.uri < b.uri; });

  // Hive partitions.
  if (options.hive != HivePartitioning::kOff) {
    std::vector<std::vector<std::pair<std::string, std::optional<std::string>>>> parts;
    for (const auto& f : d.files) {
      parts.push_back(hive_partitions(f.relative));
      for (const auto& [k, v] : parts.back())
        if (std::find(d.partition_keys.begin(), d.partition_keys.end(), k) == d.partition_keys.end())
          d.partition_keys.push_back(k);
    }
    for (std::size_t i = 0; i < d.files.size(); ++i) {
      d.files[i].partition_values.assign(d.partition_keys.size(), std::nullopt);
      for (const auto& [k, v] : parts[i]) {
        const auto at = std::find(d.partition_keys.begin(), d.partition_keys.end(), k) - d.partition_keys.begin();
        d.files[i].partition_values[static_cast<std::size_t>(at)] = v;
      }
    }
    // Types: declared, or inferred from every value.
    for (std::size_t k = 0; k < d.partition_keys.size(); ++k) {
      TypePtr type;
      for (const auto& [name, t] : options.partition_types)
        if (name == d.partition_keys[k]) type = t;
      if (!type) {
        bool ints = true, doubles = true, dates = true, bools = true;
        for (const auto& f : d.files) {
          const auto& v = f.partition_values[k];
          if (!v || v->empty()) continue;
          ints = ints && detail::converts(*v, int64());
          doubles = doubles && detail::converts(*v, float64());
          dates = dates && detail::converts(*v, date32());
          bools = bools && (*v == "true" || *v == "false");
        }
        type = ints ? int64() : doubles ? float64() : dates ? date32() : bools ? boolean() : utf8();
      }
      d.partition_fields.push_back(Field{d.partition_keys[k], type, true});
    }
  }
  return d;
}

// One row holding `value` as `type` (null when absent; an empty value is null for every type but
// strings). A value that does not convert is kInvalidArgument naming the key and the file.
inline Result<ArrayPtr> partition_value_array(const Field& field, const std::optional<std::string>& value,
                                              const std::string& file) {
  auto builder = make_builder(field.type);
  const DataType& t = *field.type;
  if (!value || (value->empty() && !t.is_binary_like())) {
    builder->append_null();
    return builder->finish();
  }
  if (t.is_binary_like()) {
    static_cast<BinaryBuilder&>(*builder).append(*value);
    return builder->finish();
  }
  auto c = detail::partition_constant(*value, t, field.name);
  if (!c.ok())
    return Error(ErrorCode::kInvalidArgument,
                 "partition " + field.name + "=" + *value + " is not a " + t.to_string(), ErrorContext(file));
  switch (t.id) {
    case TypeId::kBool: static_cast<BooleanBuilder&>(*builder).append(c->boolean); break;
    case TypeId::kInt8: static_cast<FixedWidthBuilder<std::int8_t>&>(*builder).append(static_cast<std::int8_t>(c->i64)); break;
    case TypeId::kInt16: static_cast<FixedWidthBuilder<std::int16_t>&>(*builder).append(static_cast<std::int16_t>(c->i64)); break;
    case TypeId::kInt32: case TypeId::kDate32:
      static_cast<FixedWidthBuilder<std::int32_t>&>(*builder).append(static_cast<std::int32_t>(c->i64));
      break;
    case TypeId::kInt64: case TypeId::kTimestamp: case TypeId::kDuration:
      static_cast<FixedWidthBuilder<std::int64_t>&>(*builder).append(c->i64);
      break;
    case TypeId::kFloat64: static_cast<FixedWidthBuilder<double>&>(*builder).append(c->f64); break;
    case TypeId::kFloat32: static_cast<FixedWidthBuilder<float>&>(*builder).append(static_cast<float>(c->f64)); break;
    default:
      return Error(ErrorCode::kInvalidArgument,
                   "partition column " + field.name + " cannot be " + t.to_string() +
                       " (int8..int64, float32/64, bool, date, timestamp, string)",
                   ErrorContext(file));
  }
  return builder->finish();
}

// Whether a file's partition values can satisfy the filter: its comparisons on partition columns
// judged on the file's values, the others left open (to the rows), through the filter's ANDs, ORs
// and NOTs. False: the file need not be opened.
inline Result<bool> partition_may_match(const Predicate& filter, const Discovery& d, const DatasetFile& file) {
  auto is_key = [&](const Comparison& c) {
    auto key = [&](const std::vector<std::string>& path) {
      return std::find(d.partition_keys.begin(), d.partition_keys.end(), path.at(0)) != d.partition_keys.end();
    };
    return key(c.path) && (c.other.empty() || key(c.other));
  };
  Batch row;
  Status failed;
  auto leaf = [&](const Condition& node) -> Possible {
    const Comparison& c = node.comparison;
    if (!is_key(c) || !failed.ok()) return Possible{};
    if (!row.schema) {
      auto schema = std::make_shared<Schema>();
      for (std::size_t k = 0; k < d.partition_fields.size(); ++k) {
        auto a = partition_value_array(d.partition_fields[k], file.partition_values[k], file.uri);
        if (!a.ok()) {
          failed = Error(std::move(a).error());
          return Possible{};
        }
        schema->fields.push_back(d.partition_fields[k]);
        row.columns.push_back(std::move(a).value());
      }
      row.schema = std::move(schema);
      row.num_rows = 1;
    }
    // True, false, or unknown (a null partition value): the comparison, then its negation.
    Predicate is, is_not;
    is.terms.emplace_back(c);
    is_not.terms.push_back(Condition::negation(Condition(c)));
    auto t = is.matches(row);
    if (!t.ok()) {
      failed = Error(std::move(t).error());
      return Possible{};
    }
    auto f = is_not.matches(row);
    if (!f.ok()) {
      failed = Error(std::move(f).error());
      return Possible{};
    }
    return Possible{t->at(0) != 0, f->at(0) != 0};
  };
  for (const auto& term : filter.terms) {
    const Possible p = possible(term, leaf);
    SLUICE_TRY(failed);
    if (!p.can_be_true) return false;
  }
  return true;
}

}  // namespace sluice::dataset
