#include <gtest/gtest.h>

#include "sluice/codecs/csv/sniff.hpp"

namespace sluice::csv {
namespace {

Dialect sniff(const std::string& s, ReadOptions o = {}) { return sniff_dialect(s, o, true); }

TEST(Sniff, Delimiters) {
  EXPECT_EQ(sniff("a,b,c\n1,2,3\n").delimiter, ',');
  EXPECT_EQ(sniff("a;b;c\n1,5;2,5;3\n").delimiter, ';');
  EXPECT_EQ(sniff("a\tb\n1\t2\n").delimiter, '\t');
  EXPECT_EQ(sniff("a|b|c\n1|2|3\n").delimiter, '|');
  // Commas inside quoted fields do not fool it.
  EXPECT_EQ(sniff("a;b\n\"1,2,3\";4\n\"5,6\";7\n").delimiter, ';');
  // A single column stays a single column.
  EXPECT_EQ(sniff("name\nalice\nbob\n").delimiter, ',');
}

TEST(Sniff, Quotes) {
  EXPECT_EQ(sniff("a,b\n\"x,y\",1\n\"z\",2\n").quote, '"');
  EXPECT_EQ(sniff("a,b\n'x,y',1\n'z',2\n").quote, '\'');
  // Apostrophes in text are not quotes.
  EXPECT_EQ(sniff("a,b\nit's,1\nthey're,2\nok,3\n").quote, '"');
}

TEST(Sniff, OptionsWin) {
  ReadOptions o;
  o.delimiter = ';';
  o.quote = '\'';
  const Dialect d = sniff("a,b\n1,2\n", o);
  EXPECT_EQ(d.delimiter, ';');
  EXPECT_EQ(d.quote, '\'');
}

TEST(Sniff, RaggedLinesStillFindTheMajority) {
  EXPECT_EQ(sniff("title line\na,b,c\n1,2,3\n4,5,6\n7,8,9\n").delimiter, ',');
  EXPECT_EQ(sniff("x;y;z\n1;2;3\n4;5\n6;7;8\n9;10;11\n").delimiter, ';');
}

TEST(Sniff, EmptyAndGarbage) {
  EXPECT_EQ(sniff("").delimiter, ',');
  const std::string junk("\x00\xff\"\"\"\n\r\r\n,;|\t", 13);
  (void)sniff(junk);
  (void)sniff_dialect(junk, {}, false);
}

}  // namespace
}  // namespace sluice::csv
