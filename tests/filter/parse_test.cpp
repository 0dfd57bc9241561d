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
  Comparison c;
  c.path = std::move(path);
  c.op = op;
  c.values = std::move(values);
  return c;
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
  EXPECT_EQ(parse_ok("s.b.c = 1").terms[0].comparison.path, (std::vector<std::string>{"s", "b", "c"}));
  EXPECT_EQ(parse_ok("\"a.b\" = 1").terms[0].comparison.path, (std::vector<std::string>{"a.b"}));
  EXPECT_EQ(parse_ok("\"s\".\"x y\" = 1").terms[0].comparison.path, (std::vector<std::string>{"s", "x y"}));
  EXPECT_EQ(parse_ok("\"say \"\"hi\"\"\" = 1").terms[0].comparison.path, (std::vector<std::string>{"say \"hi\""}));
  EXPECT_EQ(parse_ok("\"in\" = 1").terms[0].comparison.path, (std::vector<std::string>{"in"}));
  EXPECT_EQ(parse_ok("s.in = 1").terms[0].comparison.path, (std::vector<std::string>{"s", "in"}));
  EXPECT_EQ(parse_ok("_x9 = 1").terms[0].comparison.path, (std::vector<std::string>{"_x9"}));
  EXPECT_EQ(parse_ok("prix_€ = 1").terms[0].comparison.path, (std::vector<std::string>{"prix_€"}));
  EXPECT_EQ(parse_ok("ANDROID = 1 and ISO=2 and nullable = 3").terms.size(), 3u);  // keywords as prefixes
}

TEST(FilterParse, StringsAndEscapes) {
  EXPECT_EQ(parse_ok("x = 'it''s'").terms[0].comparison.values[0], str("it's"));
  EXPECT_EQ(parse_ok("x = ''").terms[0].comparison.values[0], str(""));
  EXPECT_EQ(parse_ok("x = ''''").terms[0].comparison.values[0], str("'"));
  EXPECT_EQ(parse_ok("x = 'a and b or \"c\"'").terms[0].comparison.values[0], str("a and b or \"c\""));
  EXPECT_EQ(parse_ok("x = 'héllo, 世界'").terms[0].comparison.values[0], str("héllo, 世界"));
  EXPECT_EQ(parse_ok("x = '  padded  '").terms[0].comparison.values[0], str("  padded  "));
}

TEST(FilterParse, Numbers) {
  for (const char* n : {"0", "-12", "+3", "1.50", "2e3", "-1.5E-3", ".5", "5.", "-.25", "1e+9", "007"}) {
    const Predicate p = parse_ok(std::string("x > ") + n);
    ASSERT_EQ(p.terms.size(), 1u) << n;
    EXPECT_EQ(p.terms[0].comparison.values[0], num(n));
  }
  EXPECT_EQ(parse_ok("x = true").terms[0].comparison.values[0], boolean_lit(true));
  EXPECT_EQ(parse_ok("x = FALSE").terms[0].comparison.values[0], boolean_lit(false));
  EXPECT_EQ(parse_ok("x in (1, null, 'a', true)").terms[0].comparison.values,
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

Condition all(std::vector<Condition> v) { return Condition::all_of(std::move(v)); }
Condition any(std::vector<Condition> v) { return Condition::any_of(std::move(v)); }
Condition no(Condition c) { return Condition::negation(std::move(c)); }

TEST(FilterParse, AndOrNotAndParentheses) {
  const Comparison a = cmp({"a"}, CompareOp::kEq, {num("1")});
  const Comparison b = cmp({"b"}, CompareOp::kEq, {num("2")});
  const Comparison c = cmp({"c"}, CompareOp::kEq, {num("3")});
  // AND binds tighter than OR; a top-level AND is the list of terms.
  Predicate p = parse_ok("a = 1 or b = 2 and c = 3");
  ASSERT_EQ(p.terms.size(), 1u);
  EXPECT_EQ(p.terms[0], any({a, all({b, c})}));
  p = parse_ok("(a = 1 or b = 2) and c = 3");
  ASSERT_EQ(p.terms.size(), 2u);
  EXPECT_EQ(p.terms[0], any({a, b}));
  EXPECT_EQ(p.terms[1], Condition(c));
  // Nested ANDs and ORs flatten.
  p = parse_ok("a = 1 and (b = 2 and (c = 3))");
  ASSERT_EQ(p.terms.size(), 3u);
  EXPECT_EQ(parse_ok("(a = 1 or (b = 2 or c = 3))").terms[0], any({a, b, c}));
  // NOT binds tighter than AND, looser than a comparison.
  p = parse_ok("not a = 1 and b = 2");
  ASSERT_EQ(p.terms.size(), 2u);
  EXPECT_EQ(p.terms[0], no(a));
  EXPECT_EQ(parse_ok("NOT (a = 1 OR b = 2)").terms[0], no(any({a, b})));
  EXPECT_EQ(parse_ok("not not a = 1").terms[0], no(no(a)));
  // NOT of IS [NOT] NULL is the other test.
  EXPECT_EQ(parse_ok("not d is null").terms[0], Condition(cmp({"d"}, CompareOp::kIsNotNull)));
  EXPECT_EQ(parse_ok("not d is not null").terms[0], Condition(cmp({"d"}, CompareOp::kIsNull)));
  // Keywords as prefixes of names are names.
  EXPECT_EQ(parse_ok("order = 1 or notes = 2 or android = 3").terms[0].operands.size(), 3u);
}

TEST(FilterParse, InBetweenLikeAndConstantsOnTheLeft) {
  const Comparison in = cmp({"x"}, CompareOp::kIn, {num("1"), num("2")});
  EXPECT_EQ(parse_ok("x not in (1, 2)").terms[0], no(in));
  EXPECT_EQ(parse_ok("not x in (1, 2)").terms[0], no(in));
  // BETWEEN: both ends included; at the top level its AND joins the terms.
  Predicate p = parse_ok("x between 1 and 5 and y = 2");
  ASSERT_EQ(p.terms.size(), 3u);
  EXPECT_EQ(p.terms[0], Condition(cmp({"x"}, CompareOp::kGe, {num("1")})));
  EXPECT_EQ(p.terms[1], Condition(cmp({"x"}, CompareOp::kLe, {num("5")})));
  EXPECT_EQ(parse_ok("x NOT BETWEEN 'a' AND 'b'").terms[0],
            no(all({cmp({"x"}, CompareOp::kGe, {str("a")}), cmp({"x"}, CompareOp::kLe, {str("b")})})));
  // LIKE, ILIKE, ESCAPE.
  EXPECT_EQ(parse_ok("s like 'a%'").terms[0], Condition(cmp({"s"}, CompareOp::kLike, {str("a%")})));
  EXPECT_EQ(parse_ok("s ILIKE '_b'").terms[0], Condition(cmp({"s"}, CompareOp::kILike, {str("_b")})));
  Comparison esc = cmp({"s"}, CompareOp::kLike, {str("a!%")});
  esc.escape = "!";
  EXPECT_EQ(parse_ok("s not like 'a!%' escape '!'").terms[0], no(esc));
  // A constant on the left: the comparison turned around.
  EXPECT_EQ(parse_ok("5 < x").terms[0], Condition(cmp({"x"}, CompareOp::kGt, {num("5")})));
  EXPECT_EQ(parse_ok("5 >= x").terms[0], Condition(cmp({"x"}, CompareOp::kLe, {num("5")})));
  EXPECT_EQ(parse_ok("'a' = s.b").terms[0], Condition(cmp({"s", "b"}, CompareOp::kEq, {str("a")})));
  EXPECT_EQ(parse_ok("true != flag").terms[0], Condition(cmp({"flag"}, CompareOp::kNe, {boolean_lit(true)})));
  // A column on the right.
  Comparison two = cmp({"shipped"}, CompareOp::kGe);
  two.other = {"s", "ordered at"};
  EXPECT_EQ(parse_ok("shipped >= s.\"ordered at\"").terms[0], Condition(two));
  EXPECT_EQ(parse_ok("shipped >= s.\"ordered at\"").to_string(), "shipped >= s.\"ordered at\"");
  EXPECT_EQ(parse_ok("a = b or c != d").columns(), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(FilterParse, RoundTripOfTrees) {
  for (const char* text :
       {"a = 1 or b = 2", "not (a = 1 or b = 2) and c = 3", "x between 1 and 5", "(a = 1 and b = 2) or c = 3",
        "x not between 1 and 5 or s like 'a\\%' escape '\\'", "s ilike '%A_b%'", "not not x = 1",
        "not (x is null and y > 2)", "((a = 1 or b = 2) and c = 3) or d in (1, null)", "x not in ('a', 'b')",
        "not s not like 'x%'", "x is distinct from 1 and y is not distinct from 'a'", "not x is distinct from y",
        "a = 1 or x is not distinct from y", "x is distinct from null or y is not distinct from null"}) {
    const Predicate p = parse_ok(text);
    const std::string normal = p.to_string();
    const Predicate again = parse_ok(normal);
    EXPECT_EQ(again.terms, p.terms) << text << " -> " << normal;
    EXPECT_EQ(again.to_string(), normal);
  }
  // Parentheses only where the grammar needs them, so the text nests no deeper than what was parsed.
  EXPECT_EQ(parse_ok("a = 1 or b = 2 and c = 3").to_string(), "a = 1 OR b = 2 AND c = 3");
  EXPECT_EQ(parse_ok("(a = 1 or b = 2) and c = 3").to_string(), "(a = 1 OR b = 2) AND c = 3");
  EXPECT_EQ(parse_ok("not not not a = 1").to_string(), "NOT NOT NOT a = 1");
  EXPECT_EQ(parse_ok("((a = 1 or b = 2 and (c = 3 or d = 4)))").to_string(), "a = 1 OR b = 2 AND (c = 3 OR d = 4)");
  // At the depth limit: NOT BETWEEN prints as NOT (x >= 1 AND x <= 2), deeper than its text, and still
  // parses back; so do 127 NOTs over an OR.
  auto nots = [](int n) {
    std::string t;
    for (int i = 0; i < n; ++i) t += "not ";
    return t;
  };
  for (const std::string& text : {nots(126) + "x not between 1 and 2", nots(127) + "(a = 1 or b = 2)"}) {
    const Predicate p = parse_ok(text);  // 128 levels: NOTs, the NOT of NOT BETWEEN, its AND / the OR
    EXPECT_EQ(parse_ok(p.to_string()).terms, p.terms);
  }
  EXPECT_FALSE(Predicate::parse(nots(127) + "x not between 1 and 2").ok());
  // x IS DISTINCT FROM y is NOT over OR over AND: three levels more than its text.
  EXPECT_EQ(parse_ok(parse_ok(nots(125) + "x is distinct from y").to_string()).terms,
            parse_ok(nots(125) + "x is distinct from y").terms);
  EXPECT_FALSE(Predicate::parse(nots(126) + "x is distinct from y").ok());
  EXPECT_EQ(parse_ok("x between 1 and 5 and not y in (1)").to_string(), "x >= 1 AND x <= 5 AND NOT y IN (1)");
  EXPECT_EQ(parse_ok("not (a = 1 and b = 2)").to_string(), "NOT (a = 1 AND b = 2)");
  EXPECT_EQ(parse_ok("s like 'a%' escape '#'").to_string(), "s LIKE 'a%' ESCAPE '#'");
  EXPECT_EQ(parse_ok("5 < x").to_string(), "x > 5");
  EXPECT_EQ(parse_ok("(a = 1 or b = 2) and c = 3 or d = 4").columns(), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(FilterParse, Errors) {
  expect_error("", 1, "empty filter");
  expect_error("   ", 4, "empty filter");
  expect_error("x = 'abc", 5, "unterminated string");
  expect_error("\"abc = 1", 1, "unterminated quoted name");
  expect_error("(x = 1", 7, "expected ')' to close the '(' at position 1");
  expect_error("((x = 1) or y = 2", 18, "expected ')' to close the '(' at position 1");
  expect_error("x > 1 or", 9, "expected a column name");
  expect_error("not", 4, "expected a column name");
  expect_error("x not 5", 7, "expected IN, BETWEEN, LIKE or ILIKE after NOT");
  expect_error("x is not 5", 10, "expected NULL");
  expect_error("x between 1", 12, "expected AND between BETWEEN's two values");
  expect_error("x between 1 or 2", 13, "expected AND between BETWEEN's two values");
  expect_error("x between null and 2", 11, "IS NULL");
  expect_error("x like 5", 8, "expected a 'quoted pattern'");
  expect_error("x like 'a' escape 'ab'", 19, "ESCAPE takes one");
  expect_error("x like 'a!' escape '!'", 20, "ends with its ESCAPE character");
  expect_error("x like 'a' escape", 18, "expected a 'quoted character'");
  expect_error("5 < 6", 5, "expected a column name");
  expect_error("5 <", 4, "expected a column name");
  expect_error("5 in (x)", 3, "between a value and a column");
  expect_error("null = x", 1, "IS NULL");
  expect_error("like = 1", 1, "keyword");
  expect_error("x = in", 5, "keyword");
  expect_error("x < y.", 7, "expected a field name");
  expect_error(std::string(300, '(') + "x = 1" + std::string(300, ')'), 259, "nested deeper than 258");
  std::string nots;
  for (int i = 0; i < 200; ++i) nots += "not ";
  expect_error(nots + "x = 1", 1, "conditions nested deeper than 128");
  EXPECT_TRUE(Predicate::parse(std::string(200, '(') + "x = 1" + std::string(200, ')')).ok());  // one comparison
  expect_error("x >", 4, "expected a value");
  expect_error("x > ", 5, "found the end");
  expect_error("x", 2, "expected an operator");
  expect_error("x 5", 3, "expected an operator");
  expect_error("= 5", 1, "expected a column name");
  expect_error("x > 1 y", 7, "expected AND, OR or the end");
  expect_error("x > 1 and", 10, "expected a column name");
  expect_error("x > 1 and and y > 2", 11, "keyword");
  expect_error("x > 1)", 6, "')' without a matching '('");
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
