// Type unification and casts between column types: what reading many files as one table needs (a
// column that is int32 in one file and int64 or double in another, a struct that gained a field).
#pragma once

#include "sluice/core/array.hpp"
#include "sluice/core/types.hpp"

namespace sluice {

struct UnifyOptions {
  // Two types with no common type other than text become string (scalars only); otherwise no type.
  bool to_string = false;
};

// The narrowest type both `a` and `b` convert to without loss, or null when there is none:
// null → anything; integers → the wider integer (signed and unsigned → a signed one wide enough;
// uint64 with a signed type → float64); integers and floats → float64 (float32 with float32 stays);
// decimals → a decimal holding both (or float64 beyond 38 digits), decimals and integers likewise,
// decimals and floats → float64; date32 and timestamp → the timestamp; timestamps (same zone or both
// local) and times → the finer unit; string and binary → binary; structs → the union of their fields
// by name (each unified); lists and maps → their elements unified.
TypePtr unify_types(const TypePtr& a, const TypePtr& b, const UnifyOptions& options = {});

// `array` converted to `to`, a type unify_types() can produce from the array's type (and any scalar to
// string). The same array when the types are equal. A value that does not fit (a timestamp beyond
// int64 nanoseconds, a decimal with too many digits) is kInvalidArgument naming the row; so is a
// conversion that is not supported.
Result<ArrayPtr> cast_array(const ArrayPtr& array, const TypePtr& to);

// An array of `length` nulls of any type (nested included: children of length 0, or of `length` for
// structs).
ArrayPtr null_array(const TypePtr& type, std::int64_t length);

}  // namespace sluice
