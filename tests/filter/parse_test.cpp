// Predicate::parse and to_string: the --where language and its errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util.hpp"

namespace sluice::filter_test {
namespace {

Literal num(std::string t) { return Literal{Literal::Kind::kNumber, false, std::move(t)}; }
Literal str(std::string t) { return Literal{Literal::Kind::kString, false, std::move(t)}; }
Literal boolean_lit(bool b) { return Literal{Literal::Kind::kBool, b, {}}; }
Literal null_lit() { return Literal{}; }

Comparison cmp(std::vector<std::string> path, CompareOp op, std::vector<Literal> values = {}) {
  return Comparison{std::move(path), op, std::move(values)};
}

// The error of parsing `text`, which must fail with kInvalidArgument.
Error parse_error(std::string_view text) {
  auto p = Predicate::parse(text);
  EXPECT_FALSE(p.ok()) << text << " parsed as " << (p.ok() ? p->to_string() : "");
  if (p.ok()) return Error(ErrorCode::kInternal, "no error");
  EXPECT_EQ(p.error().code(), ErrorCode::kInvalidArgument) << p.error().to_string();
  return std::move(p).error();
}

void expect_error(std::string_view text, std::int64_t position, std::string_view fragment) {
  SCOPED_TRACE(std::string(text));
  const Error e = parse_error(text);
  EXPECT_EQ(e.context().column, position) << e.message();
  EXPECT_NE(e.message().find("position " + std::to_string(position)), std::string::npos) << e.message();
  EXPECT_NE(e.message().find(fragment), std::string::npos) << e.message();
}

TEST(FilterParse, EveryOperator) {
  const std::pair<const char*, CompareOp> ops[] = {
      {"=", CompareOp::kEq},  {"==", CompareOp::kEq}, {"!=", CompareOp::kNe}, {"<>", CompareOp::kNe},
      {"<", CompareOp::kLt},  {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
  for (const auto& [sym, op] : ops) {
    for (const std::string sep : {" ", ""}) {
      const std::string text = "x" + sep + sym + sep + "5";
      const Predicate p = parse_ok(text);
      ASSERT_EQ(p.terms.size(), 1u) << text;
      EXPECT_EQ(p.terms[0], cmp({"x"}, op, {num("5")})) << text;
    }
  }
  EXPECT_EQ(parse_ok("c in (1, 2, 3)").terms[0], cmp({"c"}, CompareOp::kIn, {num("1"), num("2"), num("3")}));
  EXPECT_EQ(parse_ok("c IN('a')").terms[0], cmp({"c"}, CompareOp::kIn, {str("a")}));
  EXPECT_EQ(parse_ok("d is null").terms[0], cmp({"d"}, CompareOp::kIsNull));
  EXPECT_EQ(parse_ok("d IS NOT NULL").terms[0], cmp({"d"}, CompareOp::kIsNotNull));
  EXPECT_EQ(parse_ok("d  Is\tnOt\nNuLl").terms[0], cmp({"d"}, CompareOp::kIsNotNull));
}

TEST(FilterParse, Conjunction) {
  const Predicate p = parse_ok(
      "a >= 10 and b = 'x' AND c in (1, 2, 3) aNd d is not null and \"odd name\" <> 2.5 and s.b < '2024-01-01'");
  ASSERT_EQ(p.terms.size(), 6u);
  EXPECT_EQ(p.terms[0], cmp({"a"}, CompareOp::kGe, {num("10")}));
  EXPECT_EQ(p.terms[1], cmp({"b"}, CompareOp::kEq, {str("x")}));
  EXPECT_EQ(p.terms[2], cmp({"c"}, CompareOp::kIn, {num("1"), num("2"), num("3")}));
  EXPECT_EQ(p.terms[3], cmp({"d"}, CompareOp::kIsNotNull));
  EXPECT_EQ(p.terms[4], cmp({"odd name"}, CompareOp::kNe, {num("2.5")}));
  EXPECT_EQ(p.terms[5], cmp({"s", "b"}, CompareOp::kLt, {str("2024-01-01")}));
  EXPECT_EQ(p.columns(), (std::vector<std::string>{"a", "b", "c", "d", "odd name", "s"}));
  EXPECT_EQ(parse_ok("a > 1 and a < 5 and s.x = 1 and s.y = 2").columns(), (std::vector<std::string>{"a", "s"}));
}

TEST(FilterParse, NamesAndQuoting) {
  EXPECT_EQ(parse_ok("s.b.c = 1").terms[0].path, (std::vector<std::string>{"s", "b", "c"}));
  EXPECT_EQ(parse_ok("\"a.b\" = 1").terms[0].path, (std::vector<std::string>{"a.b"}));
  EXPECT_EQ(parse_ok("\"s\".\"x y\" = 1").terms[0].path, (std::vector<std::string>{"s", "x y"}));
  EXPECT_EQ(parse_ok("\"say \"\"hi\"\"\" = 1").terms[0].path, (std::vector<std::string>{"say \"hi\""}));
  EXPECT_EQ(parse_ok("\"in\" = 1").terms[0].path, (std::vector<std::string>{"in"}));
  EXPECT_EQ(parse_ok("s.in = 1").terms[0].path, (std::vector<std::string>{"s", "in"}));
  EXPECT_EQ(parse_ok("_x9 = 1").terms[0].path, (std::vector<std::string>{"_x9"}));
  EXPECT_EQ(parse_ok("prix_€ = 1").terms[0].path, (std::vector<std::string>{"prix_€"}));
  EXPECT_EQ(parse_ok("ANDROID = 1 and ISO=2 and nullable = 3").terms.size(), 3u);  // keywords as prefixes
}

TEST(FilterParse, StringsAndEscapes) {
  EXPECT_EQ(parse_ok("x = 'it''s'").terms[0].values[0], str("it's"));
  EXPECT_EQ(parse_ok("x = ''").terms[0].values[0], str(""));
  EXPECT_EQ(parse_ok("x = ''''").terms[0].values[0], str("'"));
  EXPECT_EQ(parse_ok("x = 'a and b or \"c\"'").terms[0].values[0], str("a and b or \"c\""));
  EXPECT_EQ(parse_ok("x = 'héllo, 世界'").terms[0].values[0], str("héllo, 世界"));
  EXPECT_EQ(parse_ok("x = '  padded  '").terms[0].values[0], str("  padded  "));
}

TEST(FilterParse, Numbers) {
  for (const char* n : {"0", "-12", "+3", "1.50", "2e3", "-1.5E-3", ".5", "5.", "-.25", "1e+9", "007"}) {
    const Predicate p = parse_ok(std::string("x > ") + n);
    ASSERT_EQ(p.terms.size(), 1u) << n;
    EXPECT_EQ(p.terms[0].values[0], num(n));
  }
  EXPECT_EQ(parse_ok("x = true").terms[0].values[0], boolean_lit(true));
  EXPECT_EQ(parse_ok("x = FALSE").terms[0].values[0], boolean_lit(false));
  EXPECT_EQ(parse_ok("x in (1, null, 'a', true)").terms[0].values,
            (std::vector<Literal>{num("1"), null_lit(), str("a"), boolean_lit(true)}));
}

TEST(FilterParse, RoundTrip) {
  for (const char* text :
       {"a >= 10 and b = 'x' and c in (1, 2, 3) and d is not null and \"odd name\" <> 2.5 and s.b < '2024-01-01'",
        "\"in\" = 'it''s' AND \"a.b\".c IS NULL", "x == -1.5e3 and y <> true and z in (null, false)",
        "\"say \"\"hi\"\"\" = 1", "s.\"and\" > 1"}) {
    const Predicate p = parse_ok(text);
    const std::string normal = p.to_string();
    const Predicate again = parse_ok(normal);
    EXPECT_EQ(again.terms, p.terms) << text << " -> " << normal;
    EXPECT_EQ(again.to_string(), normal);
  }
  EXPECT_EQ(parse_ok("a>=10 and B  <>  'x' and c in(1,2)  and d is  not null").to_string(),
            "a >= 10 AND B != 'x' AND c IN (1, 2) AND d IS NOT NULL");
  EXPECT_EQ(parse_ok("\"odd name\" = 1 and \"in\" = 2 and s.in = 3").to_string(), "\"odd name\" = 1 AND \"in\" = 2 AND s.in = 3");
}

TEST(FilterParse, Errors) {
  expect_error("", 1, "empty filter");
  expect_error("   ", 4, "empty filter");
  expect_error("x = 'abc", 5, "unterminated string");
  expect_error("\"abc = 1", 1, "unterminated quoted name");
  expect_error("x > 1 or y < 2", 7, "OR is not supported");
  expect_error("x > 1 OR y < 2", 7, "OR is not supported");
  expect_error("not x = 1", 1, "NOT is not supported");
  expect_error("x not in (1)", 3, "NOT is not supported");
  expect_error("(x = 1)", 1, "parentheses are not supported");
  expect_error("x >", 4, "expected a value");
  expect_error("x > ", 5, "found the end");
  expect_error("x", 2, "expected an operator");
  expect_error("x 5", 3, "expected an operator");
  expect_error("= 5", 1, "expected a column name");
  expect_error("5 < x", 1, "the column goes on the left");
  expect_error("x > 1 y", 7, "expected AND or the end");
  expect_error("x > 1 and", 10, "expected a column name");
  expect_error("x > 1 and and y > 2", 11, "keyword");
  expect_error("x > 1)", 6, "expected AND or the end");
  expect_error("x = abc", 5, "expected a value");
  expect_error("x = \"A\"", 5, "strings take single quotes");
  expect_error("x = null", 5, "IS NULL");
  expect_error("x != NULL", 6, "IS NULL");
  expect_error("x > 1e", 5, "malformed number");
  expect_error("x > 12abc", 5, "malformed number");
  expect_error("x > 1.2.3", 5, "malformed number");
  expect_error("x > -", 5, "expected a value");
  expect_error("x in 1", 6, "expected '('");
  expect_error("x in ()", 7, "expected a value");
  expect_error("x in (1, 2", 11, "expected ',' or ')'");
  expect_error("x in (1 2)", 9, "expected ',' or ')'");
  expect_error("x is 5", 6, "expected NULL");
  expect_error("x is not", 9, "expected NULL");
  expect_error("s. = 1", 3, "expected a field name");
  expect_error("\"\" = 1", 1, "empty column name");
  expect_error("in = 1", 1, "keyword");
  expect_error("x ! 1", 3, "expected an operator");
  // What was found is quoted, shortened when long.
  const Error e = parse_error("x > 1 garbage_that_goes_on_and_on_and_on");
  EXPECT_NE(e.message().find("found 'garbage_that_goes_on_and..."), std::string::npos) << e.message();
}

}  // namespace
}  // namespace sluice::filter_test
