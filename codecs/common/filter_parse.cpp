// The --where language: Predicate::parse, and the normalized text Predicate::to_string prints.
//
//   filter     := disjunct (OR disjunct)*
//   disjunct   := negation (AND negation)*
//   negation   := NOT negation | '(' filter ')' | comparison
//   comparison := column op value | value op column | column op column
//               | column [NOT] IN '(' value (',' value)* ')'
//               | column IS [NOT] NULL | column [NOT] BETWEEN value AND value
//               | column IS [NOT] DISTINCT FROM (value | column)
//               | column [NOT] (LIKE | ILIKE) 'pattern' [ESCAPE 'c']
//   column     := name ('.' name)*          name := identifier | "double quoted" ("" for a quote)
//   op         := = | == | != | <> | < | <= | > | >=
//   value      := number | 'single quoted' ('' for a quote) | true | false | null
//
// ANDs inside ANDs (and ORs inside ORs) are flattened, so that to_string's text parses back to the
// same tree; BETWEEN is the AND of >= and <=; NOT IN / NOT LIKE / NOT BETWEEN are NOT of the positive
// form; NOT x IS NULL is x IS NOT NULL (and the reverse); IS [NOT] DISTINCT FROM is written with
// IS [NOT] NULL, = and != (see distinct_from).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/codecs/filter.hpp"

namespace sluice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// Bytes of UTF-8 sequences count as letters, so that names in any script need no quotes.
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

bool iequals(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != lower_b[i]) return false;
  }
  return true;
}

constexpr std::string_view kKeywords[] = {"and",  "or",    "not",  "in",      "is",   "null",
                                          "true", "false", "like", "ilike", "between", "escape"};

bool is_keyword(std::string_view word) {
  for (auto k : kKeywords)
    if (iequals(word, k)) return true;
  return false;
}

constexpr std::string_view kValueForms = "a number, a 'quoted string', true, false or null";
constexpr std::string_view kOperators = "=, !=, <>, <, <=, >, >=, IN, IS, BETWEEN, LIKE or ILIKE";
// Conditions nested deeper than kMaxConditionDepth (NOTs, ANDs, ORs on one path of the tree) are
// refused, and so is text nesting parentheses and NOTs deeper than kMaxDepth (the parser recurses).
// to_string's text of a tree nests at most two levels per level of the tree, plus one: whatever
// parse() accepts prints as text it accepts again.
constexpr int kMaxConditionDepth = 128;
constexpr int kMaxDepth = 2 * kMaxConditionDepth + 2;

int depth_of(const Condition& c) {
  int d = 0;
  for (const auto& o : c.operands) d = std::max(d, depth_of(o));
  return c.kind == Condition::Kind::kComparison ? 0 : d + 1;
}

// `c` appended to `out`, its operands in place of it when it is of `kind` (AND in AND, OR in OR).
void append_flat(std::vector<Condition>& out, Condition c, Condition::Kind kind) {
  if (c.kind != kind) {
    out.push_back(std::move(c));
    return;
  }
  for (auto& o : c.operands) out.push_back(std::move(o));
}

// The comparison with its operands swapped (5 < x is x > 5).
CompareOp mirrored(CompareOp op) {
  switch (op) {
    case CompareOp::kLt: return CompareOp::kGt;
    case CompareOp::kLe: return CompareOp::kGe;
    case CompareOp::kGt: return CompareOp::kLt;
    case CompareOp::kGe: return CompareOp::kLe;
    default: return op;
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<Predicate> run() {
    Predicate p;
    skip_space();
    if (pos_ == s_.size()) return fail(pos_, "empty filter (expected a comparison such as x > 5)", false);
    SLUICE_ASSIGN_OR_RETURN(Condition c, disjunction(0));
    skip_space();
    if (pos_ < s_.size()) {
      if (s_[pos_] == ')') return fail(pos_, "')' without a matching '('", false);
      return fail(pos_, "expected AND, OR or the end of the filter");
    }
    if (depth_of(c) > kMaxConditionDepth)
      return fail(0, "conditions nested deeper than " + std::to_string(kMaxConditionDepth) + " (NOT, AND, OR)", false);
    append_flat(p.terms, std::move(c), Condition::Kind::kAnd);
    return p;
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
  }

  // What stands at `at`, for messages: the next word or symbol run, shortened.
  std::string found(std::size_t at) const {
    if (at >= s_.size()) return "found the end of the filter";
    std::size_t e = at;
    while (e < s_.size() && !is_space(s_[e]) && e - at < 24) ++e;
    std::string word(s_.substr(at, e - at));
    if (e < s_.size() && !is_space(s_[e])) word += "...";
    return "found '" + word + "'";
  }

  Error fail(std::size_t at, std::string what, bool say_found = true) const {
    std::string msg = "filter, position " + std::to_string(at + 1) + ": " + std::move(what);
    if (say_found) msg += ", " + found(at);
    ErrorContext ctx;
    ctx.column = static_cast<std::int64_t>(at + 1);
    return Error(ErrorCode::kInvalidArgument, std::move(msg), std::move(ctx));
  }

  std::string_view word_at(std::size_t at) const {
    std::size_t e = at;
    while (e < s_.size() && is_ident_char(s_[e])) ++e;
    return s_.substr(at, e - at);
  }
  bool keyword_at(std::string_view kw) const {
    return pos_ < s_.size() && is_ident_start(s_[pos_]) && iequals(word_at(pos_), kw);
  }
  bool number_starts_at(std::size_t at) const {
    if (at < s_.size() && (s_[at] == '+' || s_[at] == '-')) ++at;
    if (at < s_.size() && s_[at] == '.') ++at;
    return at < s_.size() && is_digit(s_[at]);
  }

  // "double quoted" with "" for a quote; pos_ is at the opening quote.
  Result<std::string> quoted(char quote, std::string_view what) {
    const std::size_t start = pos_++;
    std::string out;
    while (true) {
      if (pos_ >= s_.size())
        return fail(start, "unterminated " + std::string(what) + " (it needs a closing " + quote + ")", false);
      const char c = s_[pos_++];
      if (c != quote) {
        out += c;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == quote) {
        out += quote;
        ++pos_;
        continue;
      }
      return out;
    }
  }

  Result<std::string> name(bool first) {
    const std::size_t at = pos_;
    if (at < s_.size() && s_[at] == '"') {
      SLUICE_ASSIGN_OR_RETURN(std::string n, quoted('"', "quoted name"));
      if (n.empty()) return fail(at, "empty column name", false);
      return n;
    }
    if (at < s_.size() && is_ident_start(s_[at])) {
      const std::string_view w = word_at(at);
      // After a dot a keyword can only be a field name; first, it would make the filter ambiguous.
      if (first && is_keyword(w)) {
        std::string msg(1, '\'');
        msg.append(w).append("' is a keyword; a column of that name is written in double quotes (\"").append(w).append("\")");
        return fail(at, std::move(msg), false);
      }
      pos_ += w.size();
      return std::string(w);
    }
    return fail(at, first ? "expected a column name" : "expected a field name after '.'");
  }

  Result<std::vector<std::string>> path() {
    std::vector<std::string> out;
    SLUICE_ASSIGN_OR_RETURN(std::string n, name(true));
    out.push_back(std::move(n));
    while (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      SLUICE_ASSIGN_OR_RETURN(std::string f, name(false));
      out.push_back(std::move(f));
    }
    return out;
  }

  Result<Literal> literal() {
    skip_space();
    const std::size_t at = pos_;
    Literal lit;
    if (at >= s_.size()) return fail(at, "expected a value (" + std::string(kValueForms) + ")");
    const char c = s_[at];
    if (c == '\'') {
      SLUICE_ASSIGN_OR_RETURN(lit.text, quoted('\'', "string"));
      lit.kind = Literal::Kind::kString;
      return lit;
    }
    if (number_starts_at(at)) {
      std::size_t i = at;
      if (s_[i] == '+' || s_[i] == '-') ++i;
      while (i < s_.size() && is_digit(s_[i])) ++i;
      if (i < s_.size() && s_[i] == '.') {
        ++i;
        while (i < s_.size() && is_digit(s_[i])) ++i;
      }
      bool ok = true;
      if (i < s_.size() && (s_[i] == 'e' || s_[i] == 'E')) {
        ++i;
        if (i < s_.size() && (s_[i] == '+' || s_[i] == '-')) ++i;
        ok = i < s_.size() && is_digit(s_[i]);
        while (i < s_.size() && is_digit(s_[i])) ++i;
      }
      if (!ok || (i < s_.size() && (is_ident_char(s_[i]) || s_[i] == '.')))
        return fail(at, "malformed number (numbers are like 12, -3.5, 1e6)");
      lit.kind = Literal::Kind::kNumber;
      lit.text = std::string(s_.substr(at, i - at));
      pos_ = i;
      return lit;
    }
    if (is_ident_start(c)) {
      const std::string_view w = word_at(at);
      if (iequals(w, "true") || iequals(w, "false")) {
        lit.kind = Literal::Kind::kBool;
        lit.boolean = iequals(w, "true");
      } else if (iequals(w, "null")) {
        lit.kind = Literal::Kind::kNull;
      } else {
        return fail(at, "expected a value (" + std::string(kValueForms) + "; strings take single quotes)");
      }
      pos_ += w.size();
      return lit;
    }
    if (c == '"')
      return fail(at, "expected a value (" + std::string(kValueForms) +
                          "): double quotes name a column, strings take single quotes");
    return fail(at, "expected a value (" + std::string(kValueForms) + ")");
  }

  Result<Condition> disjunction(int depth) {
    std::vector<Condition> parts;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(Condition c, conjunction(depth));
      append_flat(parts, std::move(c), Condition::Kind::kOr);
      skip_space();
      if (!keyword_at("or")) break;
      pos_ += 2;
    }
    if (parts.size() == 1) return std::move(parts[0]);
    return Condition::any_of(std::move(parts));
  }

  Result<Condition> conjunction(int depth) {
    std::vector<Condition> parts;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(Condition c, negation(depth));
      append_flat(parts, std::move(c), Condition::Kind::kAnd);
      skip_space();
      if (!keyword_at("and")) break;
      pos_ += 3;
    }
    if (parts.size() == 1) return std::move(parts[0]);
    return Condition::all_of(std::move(parts));
  }

  Result<Condition> negation(int depth) {
    skip_space();
    const std::size_t at = pos_;
    if (depth >= kMaxDepth)
      return fail(at, "parentheses and NOTs nested deeper than " + std::to_string(kMaxDepth), false);
    if (keyword_at("not")) {
      pos_ += 3;
      SLUICE_ASSIGN_OR_RETURN(Condition c, negation(depth + 1));
      return negate(std::move(c));
    }
    if (at < s_.size() && s_[at] == '(') {
      ++pos_;
      SLUICE_ASSIGN_OR_RETURN(Condition c, disjunction(depth + 1));
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != ')')
        return fail(pos_, "expected ')' to close the '(' at position " + std::to_string(at + 1));
      ++pos_;
      return c;
    }
    return comparison();
  }

  // NOT c: IS NULL and IS NOT NULL turn into each other; anything else keeps its NOT.
  static Condition negate(Condition c) {
    if (c.kind == Condition::Kind::kComparison) {
      CompareOp& op = c.comparison.op;
      if (op == CompareOp::kIsNull || op == CompareOp::kIsNotNull) {
        op = op == CompareOp::kIsNull ? CompareOp::kIsNotNull : CompareOp::kIsNull;
        return c;
      }
    }
    return Condition::negation(std::move(c));
  }

  bool literal_starts_at(std::size_t at) const {
    if (at >= s_.size()) return false;
    if (s_[at] == '\'' || number_starts_at(at)) return true;
    if (!is_ident_start(s_[at])) return false;
    const std::string_view w = word_at(at);
    return iequals(w, "true") || iequals(w, "false") || iequals(w, "null");
  }

  // A column name (not a constant) starts at `at`: a "quoted name" or a word other than true, false, null.
  bool column_starts_at(std::size_t at) const {
    return at < s_.size() && (s_[at] == '"' || (is_ident_start(s_[at]) && !literal_starts_at(at)));
  }

  // = == != <> < <= > >= at pos_ (consumed), or nullopt.
  std::optional<CompareOp> symbol_op() {
    auto symbol = [&](std::string_view sym) {
      if (s_.substr(pos_, sym.size()) != sym) return false;
      pos_ += sym.size();
      return true;
    };
    if (symbol("==") || symbol("=")) return CompareOp::kEq;
    if (symbol("!=") || symbol("<>")) return CompareOp::kNe;
    if (symbol("<=")) return CompareOp::kLe;
    if (symbol("<")) return CompareOp::kLt;
    if (symbol(">=")) return CompareOp::kGe;
    if (symbol(">")) return CompareOp::kGt;
    return std::nullopt;
  }

  // A value compared with a column, such as 'x' or 5 (null refused: the comparison is never true).
  Result<Literal> compared_value(const Comparison& c) {
    skip_space();
    const std::size_t value_at = pos_;
    SLUICE_ASSIGN_OR_RETURN(Literal v, literal());
    if (v.kind == Literal::Kind::kNull)
      return fail(value_at,
                  "a comparison with null is never true; write " + c.column() + " IS NULL or " + c.column() +
                      " IS NOT NULL",
                  false);
    return v;
  }

  Result<Condition> comparison() {
    skip_space();
    const std::size_t at = pos_;
    if (literal_starts_at(at)) {
      // value op column
      SLUICE_ASSIGN_OR_RETURN(Literal v, literal());
      skip_space();
      const std::size_t op_at = pos_;
      const auto op = symbol_op();
      if (!op) return fail(op_at, "expected =, !=, <>, <, <=, > or >= between a value and a column");
      skip_space();
      if (literal_starts_at(pos_)) return fail(pos_, "expected a column name (one side of a comparison is a column)");
      Comparison c;
      SLUICE_ASSIGN_OR_RETURN(c.path, path());
      if (v.kind == Literal::Kind::kNull)
        return fail(at,
                    "a comparison with null is never true; write " + c.column() + " IS NULL or " + c.column() +
                        " IS NOT NULL",
                    false);
      c.op = mirrored(*op);
      c.values.push_back(std::move(v));
      return Condition(std::move(c));
    }
    Comparison c;
    SLUICE_ASSIGN_OR_RETURN(c.path, path());
    skip_space();
    const std::size_t op_at = pos_;
    if (const auto op = symbol_op()) {
      c.op = *op;
      skip_space();
      if (column_starts_at(pos_)) {
        // column op column
        SLUICE_ASSIGN_OR_RETURN(c.other, path());
        return Condition(std::move(c));
      }
      SLUICE_ASSIGN_OR_RETURN(Literal v, compared_value(c));
      c.values.push_back(std::move(v));
      return Condition(std::move(c));
    }
    if (keyword_at("is")) {
      pos_ += 2;
      skip_space();
      bool is_not = false;
      if (keyword_at("not")) {
        pos_ += 3;
        skip_space();
        is_not = true;
      }
      if (keyword_at("distinct")) return distinct_from(std::move(c), is_not);
      if (!keyword_at("null")) return fail(pos_, "expected NULL or DISTINCT FROM after IS / IS NOT");
      pos_ += 4;
      c.op = is_not ? CompareOp::kIsNotNull : CompareOp::kIsNull;
      return Condition(std::move(c));
    }
    bool negated = false;
    if (keyword_at("not")) {
      pos_ += 3;
      skip_space();
      negated = true;
      if (!keyword_at("in") && !keyword_at("between") && !keyword_at("like") && !keyword_at("ilike"))
        return fail(pos_, "expected IN, BETWEEN, LIKE or ILIKE after NOT");
    }
    Condition out;
    if (keyword_at("in")) {
      pos_ += 2;
      SLUICE_ASSIGN_OR_RETURN(Comparison in, in_list(std::move(c)));
      out = Condition(std::move(in));
    } else if (keyword_at("between")) {
      pos_ += 7;
      Comparison lo = c, hi = std::move(c);
      lo.op = CompareOp::kGe;
      hi.op = CompareOp::kLe;
      SLUICE_ASSIGN_OR_RETURN(Literal a, compared_value(lo));
      skip_space();
      if (!keyword_at("and")) return fail(pos_, "expected AND between BETWEEN's two values");
      pos_ += 3;
      SLUICE_ASSIGN_OR_RETURN(Literal b, compared_value(hi));
      lo.values.push_back(std::move(a));
      hi.values.push_back(std::move(b));
      std::vector<Condition> both;
      both.emplace_back(std::move(lo));
      both.emplace_back(std::move(hi));
      out = Condition::all_of(std::move(both));
    } else if (keyword_at("like") || keyword_at("ilike")) {
      c.op = keyword_at("like") ? CompareOp::kLike : CompareOp::kILike;
      pos_ += c.op == CompareOp::kLike ? 4 : 5;
      skip_space();
      if (pos_ >= s_.size() || s_[pos_] != '\'') return fail(pos_, "expected a 'quoted pattern' after LIKE");
      SLUICE_ASSIGN_OR_RETURN(Literal pattern, literal());
      c.values.push_back(std::move(pattern));
      skip_space();
      if (keyword_at("escape")) {
        pos_ += 6;
        skip_space();
        const std::size_t esc_at = pos_;
        if (pos_ >= s_.size() || s_[pos_] != '\'') return fail(pos_, "expected a 'quoted character' after ESCAPE");
        SLUICE_ASSIGN_OR_RETURN(Literal e, literal());
        if (e.text.size() != 1) return fail(esc_at, "ESCAPE takes one ASCII character, such as '\\'", false);
        c.escape = e.text;
        const std::string& pat = c.values[0].text;
        for (std::size_t i = 0; i < pat.size(); ++i) {
          if (pat[i] != c.escape[0]) continue;
          if (i + 1 == pat.size())
            return fail(esc_at, "the pattern ends with its ESCAPE character (which stands before % _ or itself)", false);
          ++i;
        }
      }
      out = Condition(std::move(c));
    } else {
      return fail(op_at, "expected an operator (" + std::string(kOperators) + ") after " + c.column());
    }
    if (negated) return Condition::negation(std::move(out));
    return out;
  }

  // x IS [NOT] DISTINCT FROM (value | column | NULL), at DISTINCT: = and != where nulls are values
  // like any other (never unknown), written with IS [NOT] NULL, = and != (the printed text is that):
  //   x IS NOT DISTINCT FROM NULL   x IS NULL
  //   x IS NOT DISTINCT FROM v      x IS NOT NULL AND x = v
  //   x IS NOT DISTINCT FROM y      (x IS NULL AND y IS NULL) OR (x IS NOT NULL AND y IS NOT NULL AND x = y)
  // and IS DISTINCT FROM their negation (x IS NOT NULL; x IS NULL OR x != v; NOT (...)).
  Result<Condition> distinct_from(Comparison c, bool is_not) {
    pos_ += 8;
    skip_space();
    if (!keyword_at("from")) return fail(pos_, "expected FROM after DISTINCT");
    pos_ += 4;
    skip_space();
    auto with_op = [](Comparison x, CompareOp op) {
      x.op = op;
      x.values.clear();
      x.other.clear();
      return Condition(std::move(x));
    };
    if (column_starts_at(pos_)) {
      Comparison y;
      SLUICE_ASSIGN_OR_RETURN(y.path, path());
      Comparison eq = c;
      eq.op = CompareOp::kEq;
      eq.other = y.path;
      std::vector<Condition> both_null, both_equal;
      both_null.push_back(with_op(c, CompareOp::kIsNull));
      both_null.push_back(with_op(y, CompareOp::kIsNull));
      both_equal.push_back(with_op(c, CompareOp::kIsNotNull));
      both_equal.push_back(with_op(y, CompareOp::kIsNotNull));
      both_equal.emplace_back(std::move(eq));
      std::vector<Condition> either;
      either.push_back(Condition::all_of(std::move(both_null)));
      either.push_back(Condition::all_of(std::move(both_equal)));
      Condition same = Condition::any_of(std::move(either));
      return is_not ? same : Condition::negation(std::move(same));
    }
    SLUICE_ASSIGN_OR_RETURN(Literal v, literal());
    if (v.kind == Literal::Kind::kNull) return with_op(std::move(c), is_not ? CompareOp::kIsNull : CompareOp::kIsNotNull);
    Comparison cmp = c;
    cmp.op = is_not ? CompareOp::kEq : CompareOp::kNe;
    cmp.values.push_back(std::move(v));
    std::vector<Condition> parts;
    parts.push_back(with_op(std::move(c), is_not ? CompareOp::kIsNotNull : CompareOp::kIsNull));
    parts.emplace_back(std::move(cmp));
    return is_not ? Condition::all_of(std::move(parts)) : Condition::any_of(std::move(parts));
  }

  Result<Comparison> in_list(Comparison c) {
    c.op = CompareOp::kIn;
    skip_space();
    if (pos_ >= s_.size() || s_[pos_] != '(') return fail(pos_, "expected '(' after IN");
    ++pos_;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(Literal v, literal());
      c.values.push_back(std::move(v));
      skip_space();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ')') {
        ++pos_;
        return c;
      }
      return fail(pos_, "expected ',' or ')' in the IN list");
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

std::string quote(std::string_view s, char q) {
  std::string out(1, q);
  for (char c : s) {
    out += c;
    if (c == q) out += q;
  }
  out += q;
  return out;
}

std::string literal_text(const Literal& l) {
  switch (l.kind) {
    case Literal::Kind::kNull: return "null";
    case Literal::Kind::kBool: return l.boolean ? "true" : "false";
    case Literal::Kind::kNumber: return l.text;
    case Literal::Kind::kString: return quote(l.text, '\'');
  }
  return {};
}

}  // namespace

std::string Comparison::column() const {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (i) out += '.';
    const std::string& n = path[i];
    bool bare = !n.empty() && is_ident_start(n[0]) && (i > 0 || !is_keyword(n));
    for (char c : n) bare = bare && is_ident_char(c);
    out += bare ? n : quote(n, '"');
  }
  return out;
}

Result<Predicate> Predicate::parse(std::string_view text) { return Parser(text).run(); }

namespace {

std::string comparison_text(const Comparison& t) {
  std::string out = t.column();
  std::string right;
  if (!t.other.empty()) {
    Comparison r;
    r.path = t.other;
    right = r.column();
  }
  switch (t.op) {
    case CompareOp::kEq: out += " = "; break;
    case CompareOp::kNe: out += " != "; break;
    case CompareOp::kLt: out += " < "; break;
    case CompareOp::kLe: out += " <= "; break;
    case CompareOp::kGt: out += " > "; break;
    case CompareOp::kGe: out += " >= "; break;
    case CompareOp::kIn: {
      out += " IN (";
      for (std::size_t i = 0; i < t.values.size(); ++i) out += (i ? ", " : "") + literal_text(t.values[i]);
      return out + ")";
    }
    case CompareOp::kIsNull: return out + " IS NULL";
    case CompareOp::kIsNotNull: return out + " IS NOT NULL";
    case CompareOp::kLike: case CompareOp::kILike:
      out += t.op == CompareOp::kLike ? " LIKE " : " ILIKE ";
      if (!t.values.empty()) out += literal_text(t.values[0]);
      if (!t.escape.empty()) out += " ESCAPE " + quote(t.escape, '\'');
      return out;
  }
  if (!right.empty()) return out + right;
  if (!t.values.empty()) out += literal_text(t.values[0]);
  return out;
}

// `c` as text that parses back to it, with parentheses only where the grammar needs them (an OR
// inside an AND, an AND or OR under a NOT), so the text nests no deeper than any text that parses
// to `c`, and what parse() took (within its depth limit) prints as text it takes again.
std::string condition_text(const Condition& c) {
  auto wrapped = [](const Condition& o, bool wrap) {
    std::string t = condition_text(o);
    return wrap ? "(" + t + ")" : t;
  };
  switch (c.kind) {
    case Condition::Kind::kComparison: return comparison_text(c.comparison);
    case Condition::Kind::kNot: {
      const Condition& o = c.operands.at(0);
      // NOT NOT x needs none; NOT (x IS NULL) keeps them (NOT x IS NULL would be x IS NOT NULL).
      const bool wrap = o.kind == Condition::Kind::kAnd || o.kind == Condition::Kind::kOr ||
                        (o.kind == Condition::Kind::kComparison &&
                         (o.comparison.op == CompareOp::kIsNull || o.comparison.op == CompareOp::kIsNotNull));
      return "NOT " + wrapped(o, wrap);
    }
    case Condition::Kind::kAnd: case Condition::Kind::kOr: {
      const bool is_and = c.kind == Condition::Kind::kAnd;
      std::string out;
      for (std::size_t i = 0; i < c.operands.size(); ++i) {
        if (i) out += is_and ? " AND " : " OR ";
        // AND binds tighter than OR: only an OR inside an AND needs them.
        out += wrapped(c.operands[i], is_and && c.operands[i].kind == Condition::Kind::kOr);
      }
      return out;
    }
  }
  return {};
}

}  // namespace

void Condition::collect_columns(std::vector<std::string>& out) const {
  if (kind != Kind::kComparison) {
    for (const auto& o : operands) o.collect_columns(out);
    return;
  }
  for (const auto* path : {&comparison.path, &comparison.other}) {
    if (path->empty() || std::find(out.begin(), out.end(), path->front()) != out.end()) continue;
    out.push_back(path->front());
  }
}

std::string Predicate::to_string() const {
  if (terms.size() == 1) return condition_text(terms[0]);
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " AND ";
    out += t.kind == Condition::Kind::kOr ? "(" + condition_text(t) + ")" : condition_text(t);
  }
  return out;
}

std::vector<std::string> Predicate::columns() const {
  std::vector<std::string> out;
  for (const auto& t : terms) t.collect_columns(out);
  return out;
}

}  // namespace sluice
