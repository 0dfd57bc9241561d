// Row filters (`--where "x >= 10 and flag = 'A'"`): the parsed filter, constants converted to a column's
// type, evaluation over batches, and take(), the gather of rows by index that filtering ends with.
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/array.hpp"
#include "sluice/core/error.hpp"
#include "sluice/core/types.hpp"

namespace sluice {

// A constant as written in a filter.
struct Literal {
  enum class Kind : std::uint8_t { kNull, kBool, kNumber, kString };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kNumber: as written ("-12", "1.50", "2e3"); kString: the value, unquoted

  bool operator==(const Literal&) const = default;
};

enum class CompareOp : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kIsNull, kIsNotNull, kLike, kILike };

// One comparison: a column (a dotted path into structs: "s.b"; a name with dots or spaces can be
// "double quoted") against constants, a LIKE pattern, or another column.
struct Comparison {
  std::vector<std::string> path;
  CompareOp op = CompareOp::kEq;
  // One for comparisons and LIKE (the pattern), several for IN, none for IS [NOT] NULL.
  std::vector<Literal> values;
  // LIKE / ILIKE: the character after which % and _ stand for themselves (ESCAPE '\'); empty: none.
  std::string escape;
  // A column on the right instead of a constant (x < y; = != < <= > >= only): no values then.
  std::vector<std::string> other;

  bool operator==(const Comparison&) const = default;
  // The column as the filter would write it: s.b, "odd name".
  std::string column() const;
};

// A node of a filter: a comparison, AND or OR of two or more conditions, or NOT of one. SQL's
// three-valued logic: a comparison with a null is neither true nor false (unknown), and so is NOT of
// it; AND is false when any operand is, OR true when any is. A row passes when the whole is true.
struct Condition {
  enum class Kind : std::uint8_t { kComparison, kAnd, kOr, kNot };
  Kind kind = Kind::kComparison;
  Comparison comparison;            // kComparison
  std::vector<Condition> operands;  // kAnd / kOr: two or more; kNot: one

  Condition() = default;
  Condition(Comparison c) : comparison(std::move(c)) {}  // NOLINT: a comparison is a condition
  static Condition all_of(std::vector<Condition> operands) { return group(Kind::kAnd, std::move(operands)); }
  static Condition any_of(std::vector<Condition> operands) { return group(Kind::kOr, std::move(operands)); }
  static Condition negation(Condition operand) {
    std::vector<Condition> v;
    v.push_back(std::move(operand));
    return group(Kind::kNot, std::move(v));
  }

  bool operator==(const Condition&) const = default;

  // The distinct top-level columns the condition reads, in order of first use, added to `out`.
  void collect_columns(std::vector<std::string>& out) const;

 private:
  static Condition group(Kind kind, std::vector<Condition> operands) {
    Condition c;
    c.kind = kind;
    c.operands = std::move(operands);
    return c;
  }
};

// What a condition can be on some set of rows (a row group by its statistics, a file by its partition
// values): true for at least one row, false for at least one. A comparison on a null is neither.
struct Possible {
  bool can_be_true = true;
  bool can_be_false = true;
};

// Combines what each comparison can be through the ANDs, ORs and NOTs of a tree: a Condition, or any
// node type with `kind` (a Condition::Kind) and `operands`; `leaf(node)` judges a kComparison node
// (Possible{} where it cannot tell).
template <class Tree, class Leaf>
Possible possible(const Tree& c, const Leaf& leaf) {
  switch (c.kind) {
    case Condition::Kind::kComparison: return leaf(c);
    case Condition::Kind::kNot: {
      const Possible p = possible(c.operands.at(0), leaf);
      return Possible{p.can_be_false, p.can_be_true};
    }
    case Condition::Kind::kAnd: {
      Possible out{true, false};
      for (const auto& o : c.operands) {
        const Possible p = possible(o, leaf);
        out.can_be_true = out.can_be_true && p.can_be_true;
        out.can_be_false = out.can_be_false || p.can_be_false;
      }
      return out;
    }
    case Condition::Kind::kOr: {
      Possible out{false, true};
      for (const auto& o : c.operands) {
        const Possible p = possible(o, leaf);
        out.can_be_true = out.can_be_true || p.can_be_true;
        out.can_be_false = out.can_be_false && p.can_be_false;
      }
      return out;
    }
  }
  return Possible{};
}

// Whether `text` matches a LIKE pattern: % any run of characters, _ one character (a UTF-8 sequence),
// `escape` (0: none) before % _ or itself for that character; `fold_case` (ILIKE): both lower-cased
// first, by the one-to-one mappings of Latin, Greek, Cyrillic, Armenian, Georgian and fullwidth
// letters (as DuckDB's lower() maps them). Whole-text match, as SQL's LIKE.
bool like_match(std::string_view text, std::string_view pattern, char escape, bool fold_case);
// The bytes every text a LIKE pattern matches starts with (before its first wildcard), and whether
// the pattern is that text exactly (no wildcard).
std::string like_prefix(std::string_view pattern, char escape, bool* exact);

// A constant converted to a column's type, for comparing with that column's values (also used by the
// Parquet reader to compare with min/max statistics: use the compare_* functions below, which know
// the `fraction` rule).
struct Constant {
  enum class Kind : std::uint8_t { kBool, kInt64, kUInt64, kDouble, kDecimal, kBytes };
  Kind kind = Kind::kInt64;
  bool boolean = false;
  std::int64_t i64 = 0;   // integers; date32 days; time/timestamp/duration in the column's unit
  std::uint64_t u64 = 0;  // unsigned integer columns (a negative literal for them stays kInt64)
  double f64 = 0;         // float columns; ±infinity for a literal beyond every value of the column
  __int128 dec = 0;       // decimal columns, unscaled at the column's scale
  std::string bytes;      // string / binary / fixed_size_binary
  // kInt64 / kUInt64 / kDecimal: the literal is the value above plus a part of one step that the column
  // cannot hold (`x < 2.5` on integers, 1.005 on a decimal of scale 2, a microsecond on a millisecond
  // timestamp). It sorts after that value and before the next, and equals no value: exact, unlike a
  // double.
  bool fraction = false;
};

// Converts a literal for a column of `type`; `column_for_errors` names the column in messages.
// Integer columns: integer literals exactly (one beyond the column's range stays exact: a wider kind,
// or ±infinity); a fraction sets Constant::fraction. Float columns: numbers as doubles, except that on
// a float32 column a literal that is the shortest text of a float32 (what the writers print, "0.1")
// means that float. Decimals: exact at the column's scale (finer: `fraction`). Dates 'YYYY-MM-DD';
// timestamps ISO 8601 ('YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|±HH[:MM]| UTC]': with an offset converted to
// UTC, without one taken as written (local columns) or as UTC (zoned columns), finer than the unit:
// `fraction`); times 'HH:MM[:SS[.f]]'; durations numbers in the column's unit or '1500ms' ('s', 'ms',
// 'us', 'ns'); bools true/false; string/binary strings. Anything else, and every comparison with a
// list, map or struct, is kInvalidArgument naming the column and the literal.
Result<Constant> coerce(const Literal& literal, const DataType& type, const std::string& column_for_errors);

// Three-way comparison of one non-null value of a column with a constant that coerce() made for that
// column's type; NaN (value or constant) compares unordered, and so does a constant of another kind.
std::partial_ordering compare_value(const ArrayData& array, std::int64_t row, const Constant& constant);
// The same for a value already read: signed integers, date32, time, timestamp and duration as int64;
// unsigned integers; floats (float16 as its double value); decimals unscaled at the column's scale;
// string, binary and fixed_size_binary bytes; bools.
std::partial_ordering compare_int(std::int64_t value, const Constant& constant);
std::partial_ordering compare_uint(std::uint64_t value, const Constant& constant);
std::partial_ordering compare_double(double value, const Constant& constant);
std::partial_ordering compare_decimal(__int128 unscaled, const Constant& constant);
std::partial_ordering compare_bytes(std::string_view value, const Constant& constant);
std::partial_ordering compare_bool(bool value, const Constant& constant);

// Whether a three-way comparison result satisfies `op` (kEq .. kGe; unordered satisfies only kNe, as
// NaN != x in IEEE).
bool satisfies(std::partial_ordering order, CompareOp op);

// For pruning with statistics: whether some value between a chunk's min and max (each compared with
// the constant by compare_*) can satisfy `op` (kEq .. kGe; for IN, ask kEq once per constant). False
// means no row of the chunk can match. Unordered never excludes, nor does kNe (NaNs lie outside
// Parquet's min/max, and they satisfy !=).
bool may_satisfy(CompareOp op, std::partial_ordering min_vs_constant, std::partial_ordering max_vs_constant);

// A filter, as given to --where: conditions that must all hold.
class Predicate {
 public:
  // Parses "a >= 10 and (b = 'x' or c in (1, 2, 3)) and not d is null and \"odd name\" <> 2.5".
  // Operators = == != <> < <= > >=, [NOT] IN (...), IS [NOT] NULL, IS [NOT] DISTINCT FROM a value or a
  // column (= / != with null a value like any other, never unknown; parsed into IS [NOT] NULL, = and
  // !=), [NOT] BETWEEN x AND y (both ends included), [NOT] LIKE / ILIKE 'pattern' [ESCAPE 'c'] (% any
  // run, _ one character; ILIKE ignores case: see like_match); conditions joined by AND and OR (AND
  // binds tighter), NOT, and parentheses; keywords in any case; a constant may stand on the left (5 <
  // x), a column on the right (shipped_at >= ordered_at: integers compare exactly, other types in their
  // common type, as datasets unify them; a type without order takes = and != only). Strings in single
  // quotes ('' for a quote); numbers with optional sign, fraction and exponent; true, false, null (null
  // only in IN lists: `x = null` is never true in SQL, the error says to write IS NULL).
  // Errors name the position (1-based, also in Error::context().column) and what was expected there.
  static Result<Predicate> parse(std::string_view text);

  // Every one must hold (the top-level ANDs, flattened).
  std::vector<Condition> terms;

  // Normalized text that parses back to the same terms: x >= 10 AND (s.b IN ('a', 'b') OR y IS NULL).
  std::string to_string() const;

  // The distinct top-level columns the filter reads, in order of first use (for projections).
  std::vector<std::string> columns() const;

  // Checks the terms against a schema before any data is read: the columns exist, and every constant
  // converts to its column's type. matches() reports the same errors.
  Status validate(const Schema& schema) const;

  // Which rows of `batch` satisfy every term: one 0/1 per row. SQL semantics: a comparison with a null
  // value is unknown, so not satisfied (`x != 5` neither, nor `NOT x = 5`); IS [NOT] NULL looks at
  // validity, and a struct path is null when any struct on the way is. `x IN (1, NULL)` is true for 1
  // and unknown otherwise. Floats compare as IEEE: NaN equals nothing and satisfies only != (and so
  // NOT x < 5 holds for NaN). A column not in the batch is kInvalidArgument.
  Result<std::vector<std::uint8_t>> matches(const Batch& batch) const;

  // The rows that satisfy the filter: the same batch when all do, a zero-copy slice when they are one
  // run, else a copy (take()).
  Result<Batch> filter(const Batch& batch) const;
};

// Rows `indices` (in that order, repeats allowed) of an array / a batch: every type, nested included,
// inputs sliced or not. The result starts at offset 0 with exact null counts and no validity bitmap when
// it has no nulls. An index outside [0, length) is kInvalidArgument.
Result<ArrayPtr> take(const ArrayData& array, std::span<const std::int64_t> indices);
Result<Batch> take(const Batch& batch, std::span<const std::int64_t> indices);

}  // namespace sluice
