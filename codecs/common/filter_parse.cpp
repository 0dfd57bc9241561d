// The --where language: Predicate::parse, and the normalized text Predicate::to_string prints.
//
//   filter     := comparison (AND comparison)*
//   comparison := column op value | column IN '(' value (',' value)* ')' | column IS [NOT] NULL
//   column     := name ('.' name)*          name := identifier | "double quoted" ("" for a quote)
//   op         := = | == | != | <> | < | <= | > | >=
//   value      := number | 'single quoted' ('' for a quote) | true | false | null
#include <cstddef>
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

constexpr std::string_view kKeywords[] = {"and", "or", "not", "in", "is", "null", "true", "false"};

bool is_keyword(std::string_view word) {
  for (auto k : kKeywords)
    if (iequals(word, k)) return true;
  return false;
}

constexpr std::string_view kValueForms = "a number, a 'quoted string', true, false or null";
constexpr std::string_view kOperators = "=, !=, <>, <, <=, >, >=, IN or IS";

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<Predicate> run() {
    Predicate p;
    skip_space();
    if (pos_ == s_.size()) return fail(pos_, "empty filter (expected a comparison such as x > 5)", false);
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(Comparison c, comparison());
      p.terms.push_back(std::move(c));
      skip_space();
      if (pos_ == s_.size()) break;
      if (keyword_at("and")) {
        pos_ += 3;
        continue;
      }
      if (keyword_at("or")) return fail(pos_, "OR is not supported (terms can only be joined by AND)", false);
      return fail(pos_, "expected AND or the end of the filter");
    }
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

  Result<Comparison> comparison() {
    skip_space();
    const std::size_t at = pos_;
    if (at < s_.size() && s_[at] == '(')
      return fail(at, "parentheses are not supported (a filter is comparisons joined by AND)", false);
    if (keyword_at("not")) return fail(at, "NOT is not supported", false);
    if (at < s_.size() && (s_[at] == '\'' || number_starts_at(at)))
      return fail(at, "expected a column name (the column goes on the left: x > 5)");
    Comparison c;
    SLUICE_ASSIGN_OR_RETURN(c.path, path());
    skip_space();
    const std::size_t op_at = pos_;
    auto symbol = [&](std::string_view sym) {
      if (s_.substr(pos_, sym.size()) != sym) return false;
      pos_ += sym.size();
      return true;
    };
    if (symbol("==") || symbol("=")) {
      c.op = CompareOp::kEq;
    } else if (symbol("!=") || symbol("<>")) {
      c.op = CompareOp::kNe;
    } else if (symbol("<=")) {
      c.op = CompareOp::kLe;
    } else if (symbol("<")) {
      c.op = CompareOp::kLt;
    } else if (symbol(">=")) {
      c.op = CompareOp::kGe;
    } else if (symbol(">")) {
      c.op = CompareOp::kGt;
    } else if (keyword_at("in")) {
      pos_ += 2;
      return in_list(std::move(c));
    } else if (keyword_at("is")) {
      pos_ += 2;
      skip_space();
      c.op = CompareOp::kIsNull;
      if (keyword_at("not")) {
        pos_ += 3;
        skip_space();
        c.op = CompareOp::kIsNotNull;
      }
      if (!keyword_at("null")) return fail(pos_, "expected NULL after IS / IS NOT");
      pos_ += 4;
      return c;
    } else if (keyword_at("not")) {
      return fail(op_at, "NOT is not supported", false);
    } else {
      return fail(op_at, "expected an operator (" + std::string(kOperators) + ") after " + c.column());
    }
    skip_space();
    const std::size_t value_at = pos_;
    SLUICE_ASSIGN_OR_RETURN(Literal v, literal());
    if (v.kind == Literal::Kind::kNull)
      return fail(value_at,
                  "a comparison with null is never true; write " + c.column() + " IS NULL or " + c.column() +
                      " IS NOT NULL",
                  false);
    c.values.push_back(std::move(v));
    return c;
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

std::string Predicate::to_string() const {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " AND ";
    out += t.column();
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
        out += ")";
        continue;
      }
      case CompareOp::kIsNull: out += " IS NULL"; continue;
      case CompareOp::kIsNotNull: out += " IS NOT NULL"; continue;
    }
    if (!t.values.empty()) out += literal_text(t.values[0]);
  }
  return out;
}

std::vector<std::string> Predicate::columns() const {
  std::vector<std::string> out;
  for (const auto& t : terms) {
    if (t.path.empty()) continue;
    bool seen = false;
    for (const auto& c : out) seen = seen || c == t.path[0];
    if (!seen) out.push_back(t.path[0]);
  }
  return out;
}

}  // namespace sluice
