// Every SIMD kernel must give exactly the portable kernel's output, for any input and any split.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "csv/tokenize.hpp"

namespace sluice::csv::detail {
namespace {

struct Out {
  std::vector<std::uint32_t> pos;
  ScanState st;
};

// Scans `s` in pieces of the given sizes (the state carries across pieces).
Out run(const Kernel& k, const std::string& s, char delim, char quote, const std::vector<std::size_t>& pieces) {
  std::string padded = s + std::string(kPadding, '\0');
  Out o;
  std::vector<std::uint32_t> buf(s.size() + 128);
  std::size_t off = 0, pi = 0;
  while (off < s.size()) {
    std::size_t len = pieces.empty() ? s.size() : pieces[pi++ % pieces.size()];
    len = std::min(len, s.size() - off);
    const std::size_t n = k.scan(reinterpret_cast<const std::uint8_t*>(padded.data()) + off, len,
                                 static_cast<std::uint8_t>(delim), static_cast<std::uint8_t>(quote),
                                 static_cast<std::uint32_t>(off), buf.data(), o.st);
    o.pos.insert(o.pos.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
    off += len;
  }
  return o;
}

std::string random_csv(std::mt19937_64& rng, std::size_t n, const std::string& alphabet) {
  std::string s(n, 'a');
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (auto& c : s) c = alphabet[pick(rng)];
  return s;
}

TEST(Tokenize, PortableFindsStructuralsOutsideQuotes) {
  const std::string s = "a,\"b,c\"\nd\r\n\"x\"\"y\",z\rw";
  Out o = run(kPortableKernel, s, ',', '"', {});
  const std::vector<std::uint32_t> want = {1, 7, 9, 10, 17, 19};
  EXPECT_EQ(o.pos, want);
  EXPECT_EQ(o.st.in_quote, 0u);
  EXPECT_EQ(o.st.lines + o.st.prev_cr, 3u);  // "\n", "\r\n", lone "\r"
}

TEST(Tokenize, AllKernelsAvailableIncludePortable) {
  auto ks = available_kernels();
  ASSERT_FALSE(ks.empty());
  EXPECT_STREQ(ks.front()->name, "portable");
  for (const Kernel* k : ks) EXPECT_EQ(find_kernel(k->name), k);
  EXPECT_EQ(find_kernel("no-such-kernel"), nullptr);
  std::printf("kernels on this CPU:");
  for (const Kernel* k : ks) std::printf(" %s", k->name);
  std::printf(" (active: %s)\n", active_kernel().name);
}

TEST(Tokenize, EveryKernelMatchesPortableOnRandomInput) {
  std::mt19937_64 rng(42);
  const std::vector<std::string> alphabets = {"a,\"\n\r", "ab,;\t|\"\n", "\"\"\"\n,", "abc\r\r\n\n,;"};
  for (const Kernel* k : available_kernels()) {
    for (int iter = 0; iter < 400; ++iter) {
      const std::string& alpha = alphabets[static_cast<std::size_t>(iter) % alphabets.size()];
      const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 700)(rng);
      const std::string s = random_csv(rng, n, alpha);
      const char delim = iter % 3 == 0 ? ';' : ',';
      const char quote = iter % 5 == 0 ? '\'' : '"';
      std::vector<std::size_t> pieces;
      if (iter % 2) {
        for (int p = 0; p < 5; ++p) pieces.push_back(std::uniform_int_distribution<std::size_t>(1, 200)(rng));
      }
      const Out want = run(kPortableKernel, s, delim, quote, {});
      const Out got = run(*k, s, delim, quote, pieces);
      ASSERT_EQ(got.pos, want.pos) << k->name << " iteration " << iter;
      ASSERT_EQ(got.st.in_quote != 0, want.st.in_quote != 0) << k->name << " iteration " << iter;
      ASSERT_EQ(got.st.lines + got.st.prev_cr, want.st.lines + want.st.prev_cr) << k->name << " iteration " << iter;
    }
  }
}

TEST(Tokenize, EveryKernelCountsBytes) {
  std::mt19937_64 rng(7);
  for (const Kernel* k : available_kernels()) {
    for (std::size_t n : {0, 1, 63, 64, 65, 127, 128, 1000, 4099}) {
      std::string s = random_csv(rng, n, "ab\"\n");
      const std::uint64_t want = static_cast<std::uint64_t>(std::count(s.begin(), s.end(), '"'));
      s.append(kPadding, '"');  // padding must not be counted
      EXPECT_EQ(k->count_byte(reinterpret_cast<const std::uint8_t*>(s.data()), n, '"'), want) << k->name << " n=" << n;
    }
  }
}

TEST(Tokenize, HighBytesAndNulAreData) {
  std::string s = "\xff\xfe,\x80\n\0,\x01\n";
  s.resize(10);
  for (const Kernel* k : available_kernels()) {
    const Out o = run(*k, s, ',', '"', {});
    const Out want = run(kPortableKernel, s, ',', '"', {});
    EXPECT_EQ(o.pos, want.pos) << k->name;
  }
}

}  // namespace
}  // namespace sluice::csv::detail
