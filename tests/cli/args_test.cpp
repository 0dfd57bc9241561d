// The command-line parser of the `sluice` tool (tools/sluice/args.hpp).
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "args.hpp"

namespace {

using sluice::cli::Args;
using sluice::cli::UsageError;

Args parse(std::vector<std::string> words) {
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  return Args(static_cast<int>(argv.size()), argv.data(), 0, {"header", "l"});
}

TEST(CliArgs, FlagsValuesAndPositionals) {
  const Args a = parse({"in.csv", "--delimiter", ";", "--null=NA", "--null", "", "--header", "-l", "--", "--x"});
  EXPECT_EQ(a.positional(), (std::vector<std::string>{"in.csv", "--x"}));
  EXPECT_EQ(a.get("delimiter"), ";");
  EXPECT_EQ(a.all("null"), (std::vector<std::string>{"NA", ""}));
  EXPECT_TRUE(a.flag("header"));
  EXPECT_TRUE(a.flag("l"));
  EXPECT_FALSE(a.flag("no-header"));
  EXPECT_NO_THROW(a.reject_unknown());
  EXPECT_THROW(parse({"--delimiter"}), UsageError);
  EXPECT_THROW(parse({"--header=1"}), UsageError);
}

TEST(CliArgs, AFlagNobodyAskedForIsAnError) {
  const Args a = parse({"--delimiter", ";", "--delimter", ","});
  (void)a.get("delimiter");
  try {
    a.reject_unknown();
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown option --delimter");
  }
}

// A dataset's files are opened several at a time, each reading its options from the same Args (the
// CLI's S3 test crashed under AddressSanitizer when the record of asked-for flags was a plain vector).
TEST(CliArgs, QueriesFromManyThreadsAtOnce) {
  const Args a = parse({"--delimiter", ";", "--header", "--null", "NA", "--typo", "1"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&a, t] {
      for (int i = 0; i < 2000; ++i) {
        EXPECT_EQ(a.get("delimiter"), ";");
        EXPECT_TRUE(a.flag("header"));
        EXPECT_EQ(a.all("null").size(), 1u);
        EXPECT_FALSE(a.flag("option-" + std::to_string((t * 2000 + i) % 97)));
      }
    });
  }
  for (auto& th : threads) th.join();
  try {
    a.reject_unknown();
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown option --typo");
  }
}

}  // namespace
