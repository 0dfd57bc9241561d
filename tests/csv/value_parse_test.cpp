#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

#include "text/format.hpp"
#include "text/interval_parse.hpp"
#include "text/parse.hpp"

namespace sluice::text {
namespace {

bool i64(const std::string& s, std::int64_t& v) { return parse_int64(s.data(), s.size(), v); }
bool dbl(const std::string& s, double& v) { return parse_double(s.data(), s.size(), v); }

TEST(ParseInt, Boundaries) {
  std::int64_t v = 0;
  EXPECT_TRUE(i64("0", v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(i64("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_TRUE(i64("9223372036854775807", v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(i64("+17", v));
  EXPECT_EQ(v, 17);
  EXPECT_TRUE(i64("000000000000000000000042", v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(i64("9223372036854775808", v));
  EXPECT_FALSE(i64("-9223372036854775809", v));
  EXPECT_FALSE(i64("99999999999999999999", v));
  for (const char* bad : {"", "-", "+", "1a", " 1", "1 ", "1.0", "0x10", "--1"}) EXPECT_FALSE(i64(bad, v)) << bad;
  std::int8_t i8;
  EXPECT_TRUE(parse_integer<std::int8_t>("-128", 4, i8));
  EXPECT_FALSE(parse_integer<std::int8_t>("128", 3, i8));
  std::uint16_t u16;
  EXPECT_TRUE(parse_integer<std::uint16_t>("65535", 5, u16));
  EXPECT_FALSE(parse_integer<std::uint16_t>("-1", 2, u16));
  std::uint64_t u64 = 0;
  EXPECT_TRUE(parse_uint64("18446744073709551615", 20, u64));
  EXPECT_EQ(u64, UINT64_MAX);
  EXPECT_FALSE(parse_uint64("18446744073709551616", 20, u64));
}

// The padded (SWAR) parsers agree with the general ones on every input shape.
TEST(ParsePadded, AgreesWithTheGeneralParsers) {
  std::mt19937_64 rng(17);
  const std::string alphabet = "0123456789-+.e5 x";
  for (int i = 0; i < 300000; ++i) {
    std::string s;
    const int kind = i % 3;
    if (kind == 0) {
      s = std::to_string(static_cast<std::int64_t>(rng()) >> (rng() % 64));
    } else if (kind == 1) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(rng() % 9),
                    std::uniform_real_distribution<double>(-1e8, 1e8)(rng) / std::pow(10.0, static_cast<double>(rng() % 8)));
      s = buf;
    } else {
      const std::size_t n = rng() % 12;
      for (std::size_t k = 0; k < n; ++k) s += alphabet[rng() % alphabet.size()];
    }
    std::string padded = s + std::string(16, static_cast<char>(rng() % 2 ? '7' : '\0'));
    std::int64_t a = 1, b = 2;
    const bool ok_a = parse_int64(s.data(), s.size(), a);
    const bool ok_b = parse_int64_padded(padded.data(), s.size(), b);
    ASSERT_EQ(ok_a, ok_b) << "'" << s << "'";
    if (ok_a) {
      ASSERT_EQ(a, b) << "'" << s << "'";
    }
    std::int16_t i16a = 1, i16b = 2;
    ASSERT_EQ(parse_integer<std::int16_t>(s.data(), s.size(), i16a),
              parse_integer_padded<std::int16_t>(padded.data(), s.size(), i16b)) << s;
    std::uint32_t u32a = 1, u32b = 2;
    const bool oku = parse_integer<std::uint32_t>(s.data(), s.size(), u32a);
    ASSERT_EQ(oku, parse_integer_padded<std::uint32_t>(padded.data(), s.size(), u32b)) << s;
    if (oku) {
      ASSERT_EQ(u32a, u32b) << s;
    }
    double x = 1, y = 2;
    const bool ok_x = parse_double(s.data(), s.size(), x);
    const bool ok_y = parse_double_padded(padded.data(), s.size(), y);
    ASSERT_EQ(ok_x, ok_y) << "'" << s << "'";
    if (ok_x) {
      ASSERT_EQ(std::memcmp(&x, &y, sizeof x), 0) << "'" << s << "' " << x << " vs " << y;
    }
  }
}

TEST(ParsePadded, TemporalAgreesWithTheGeneralParsers) {
  std::mt19937_64 rng(29);
  const std::string noise = "0123456789-: T.Z+x";
  for (int i = 0; i < 300000; ++i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%0*d", static_cast<int>(rng() % 10000),
                  static_cast<int>(rng() % 14), static_cast<int>(rng() % 33), static_cast<int>(rng() % 26),
                  static_cast<int>(rng() % 62), static_cast<int>(rng() % 62), static_cast<int>(1 + rng() % 9),
                  static_cast<int>(rng() % 1000000000));
    std::string s = buf;
    switch (rng() % 6) {
      case 0: s.resize(10); break;                       // a date
      case 1: s.resize(19); break;                       // no fraction
      case 2: s.resize(16 + rng() % 14); break;          // cut anywhere
      case 3: s[rng() % s.size()] = noise[rng() % noise.size()]; break;  // one byte changed
      case 4: {                                          // zoned, in every form
        static const char* const kZones[] = {"Z", "z", "+02:00", "-02:30", "+0530", "-05", "+14:00", "-00:00",
                                             "+2:00", "+02:0", "+24:00", "+02:60", " +02:00", " UTC", "+02:00Z"};
        s += kZones[rng() % (sizeof kZones / sizeof kZones[0])];
        if (rng() % 3 == 0) s.erase(19, s.find_first_of("Zz+- ", 19) - 19);  // no fraction
        break;
      }
      default: break;
    }
    const std::string padded = s + std::string(16, static_cast<char>(rng() % 2 ? '9' : '\0'));
    std::int32_t d1 = 1, d2 = 2;
    ASSERT_EQ(parse_date(s.data(), s.size(), d1), parse_date_padded(padded.data(), s.size(), d2)) << s;
    if (parse_date(s.data(), s.size(), d1)) {
      ASSERT_EQ(d1, d2) << s;
    }
    for (TimeUnit u : {TimeUnit::kMicro, TimeUnit::kNano, TimeUnit::kMilli}) {
      std::int64_t a = 1, b = 2;
      TzKind ta, tb;
      const bool oka = parse_timestamp(s.data(), s.size(), u, a, ta);
      const bool okb = parse_timestamp_padded(padded.data(), s.size(), u, b, tb);
      ASSERT_EQ(oka, okb) << s;
      if (oka) {
        ASSERT_EQ(a, b) << s;
        ASSERT_EQ(ta, tb) << s;
      }
    }
  }
}

TEST(ParsePadded, Booleans) {
  for (const char* w : {"true", "TRUE", "True", "false", "FALSE", "fAlSe", "tru", "truee", "fals", "1", "", "yes", "t",
                        "trUE ", "\x14rue", "\xd4RUE", "f\x01lse"}) {
    const std::string s(w);
    const std::string padded = s + std::string(16, 'e');
    bool a = false, b = true;
    const bool ok = parse_bool(s.data(), s.size(), a);
    ASSERT_EQ(ok, parse_bool_padded(padded.data(), s.size(), b)) << "'" << s << "'";
    if (ok) {
      ASSERT_EQ(a, b) << s;
    }
  }
}

TEST(ParseDouble, MatchesStrtodExactly) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200000; ++i) {
    char buf[64];
    const int kind = i % 4;
    if (kind == 0) {
      std::snprintf(buf, sizeof buf, "%.2f", std::uniform_real_distribution<double>(-1e6, 1e6)(rng));
    } else if (kind == 1) {
      std::snprintf(buf, sizeof buf, "%.17g", std::uniform_real_distribution<double>(-1e300, 1e300)(rng));
    } else if (kind == 2) {
      std::snprintf(buf, sizeof buf, "%llu.%llu", static_cast<unsigned long long>(rng() % 100000000000ULL),
                    static_cast<unsigned long long>(rng() % 10000000ULL));
    } else {
      std::snprintf(buf, sizeof buf, "%.6e", std::uniform_real_distribution<double>(-1, 1)(rng) * 1e-200);
    }
    double got;
    ASSERT_TRUE(dbl(buf, got)) << buf;
    const double want = std::strtod(buf, nullptr);
    ASSERT_EQ(std::memcmp(&got, &want, sizeof got), 0) << buf;
  }
}

TEST(ParseDouble, SpecialsAndForms) {
  double v = 0;
  EXPECT_TRUE(dbl(".5", v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(dbl("5.", v));
  EXPECT_EQ(v, 5.0);
  EXPECT_TRUE(dbl("-0", v));
  EXPECT_TRUE(std::signbit(v));
  EXPECT_TRUE(dbl("1e308", v));
  EXPECT_TRUE(dbl("1e999", v));
  EXPECT_TRUE(std::isinf(v));
  EXPECT_TRUE(dbl("inf", v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  EXPECT_TRUE(dbl("-Infinity", v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_TRUE(dbl("NaN", v));
  EXPECT_TRUE(std::isnan(v));
  EXPECT_TRUE(dbl("0.1234567890123456789", v));
  EXPECT_EQ(v, 0.1234567890123456789);
  for (const char* bad : {"", ".", "-", "e5", "1e", "1.2.3", "abc", "1,5", " 1", "0x1p3", "+-1", "infinit"})
    EXPECT_FALSE(dbl(bad, v)) << bad;
}

TEST(ParseTemporal, Dates) {
  std::int32_t d = 0;
  EXPECT_TRUE(parse_date("1970-01-01", 10, d));
  EXPECT_EQ(d, 0);
  EXPECT_TRUE(parse_date("2000-02-29", 10, d));
  EXPECT_EQ(d, 11016);
  EXPECT_TRUE(parse_date("0001-01-01", 10, d));
  EXPECT_EQ(d, -719162);
  EXPECT_TRUE(parse_date("9999-12-31", 10, d));
  EXPECT_EQ(d, 2932896);
  for (const char* bad : {"1900-02-29", "2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "2023-1-01",
                          "20230101", "2023/01/01", "2023-01-01 "})
    EXPECT_FALSE(parse_date(bad, std::strlen(bad), d)) << bad;
}

TEST(ParseTemporal, Timestamps) {
  std::int64_t v;
  TzKind tz;
  auto ts = [&](const char* s, TimeUnit u = TimeUnit::kMicro) { return parse_timestamp(s, std::strlen(s), u, v, tz); };
  ASSERT_TRUE(ts("2024-01-02 03:04:05"));
  EXPECT_EQ(v, 1704164645000000LL);
  EXPECT_EQ(tz, TzKind::kNone);
  ASSERT_TRUE(ts("2024-01-02T03:04:05.123456"));
  EXPECT_EQ(v, 1704164645123456LL);
  ASSERT_TRUE(ts("2024-01-02 03:04:05.5"));
  EXPECT_EQ(v, 1704164645500000LL);
  ASSERT_TRUE(ts("2024-01-02 03:04"));
  EXPECT_EQ(v, 1704164640000000LL);
  ASSERT_TRUE(ts("2024-01-02 03:04:05Z"));
  EXPECT_EQ(tz, TzKind::kOffset);
  EXPECT_EQ(v, 1704164645000000LL);
  ASSERT_TRUE(ts("2024-01-02 05:04:05+02:00"));
  EXPECT_EQ(v, 1704164645000000LL);
  ASSERT_TRUE(ts("2024-01-02 05:04:05+02"));
  EXPECT_EQ(v, 1704164645000000LL);
  ASSERT_TRUE(ts("2024-01-02 00:04:05-0300"));
  EXPECT_EQ(v, 1704164645000000LL);
  ASSERT_TRUE(ts("2024-01-02 03:04:05 UTC"));
  EXPECT_EQ(v, 1704164645000000LL);
  ASSERT_TRUE(ts("1969-12-31 23:59:59.999999"));
  EXPECT_EQ(v, -1);
  ASSERT_TRUE(ts("2024-01-02 03:04:05.123456789", TimeUnit::kNano));
  EXPECT_EQ(v, 1704164645123456789LL);
  ASSERT_TRUE(ts("2024-01-02"));
  EXPECT_EQ(v, 1704153600000000LL);
  for (const char* bad : {"2024-01-02 25:00:00", "2024-01-02 10:60", "2024-01-02X10:00", "2024-01-02 10:00:00+",
                          "2024-01-02 10:00:00.", "2024-01-02 10:00:00 PST", "2024-01-02 1:00"})
    EXPECT_FALSE(ts(bad)) << bad;
  EXPECT_FALSE(ts("9999-12-31 00:00:00", TimeUnit::kNano));  // out of the int64 nanosecond range
}

TEST(ParseDecimal, ScaleAndPrecision) {
  __int128 v;
  ASSERT_TRUE(parse_decimal("123.45", 6, 10, 2, v));
  EXPECT_TRUE(v == 12345);
  ASSERT_TRUE(parse_decimal("-1.5", 4, 10, 3, v));
  EXPECT_TRUE(v == -1500);
  ASSERT_TRUE(parse_decimal("0.125", 5, 10, 2, v));
  EXPECT_TRUE(v == 13);  // half away from zero
  EXPECT_FALSE(parse_decimal("12345", 5, 4, 0, v));
  EXPECT_FALSE(parse_decimal("1.2.3", 5, 10, 2, v));
  char buf[64];
  *format_decimal(buf, -1500, 3) = 0;
  EXPECT_STREQ(buf, "-1.500");
  *format_decimal(buf, 5, 3) = 0;
  EXPECT_STREQ(buf, "0.005");
}

TEST(FormatValue, ShortestDoubleFastPathIsToChars) {
  // Values on and near the 0.001 grid (the fast path) and everything around its limits print exactly
  // as std::to_chars prints them.
  std::mt19937_64 rng(11);
  auto same = [](double d) {
    char a[64], b[64];
    const std::string fast(a, sluice::text::shortest_double(a, d));
    const std::string slow(b, std::to_chars(b, b + 64, d).ptr);
    ASSERT_EQ(fast, slow) << slow;
  };
  for (int i = 0; i < 300000; ++i) {
    const std::uint64_t c = rng() % (std::uint64_t{1} << 44);
    const double scale = (i % 3 == 0) ? 1000.0 : (i % 3 == 1) ? 100.0 : 10.0;
    double d = static_cast<double>(c % (std::uint64_t{1} << (i % 40 + 4))) / scale;
    if (rng() & 1) d = -d;
    same(d);
    same(std::nextafter(d, 1e300));
    same(std::nextafter(d, -1e300));
  }
  for (double d : {0.001, 0.0015, 0.0005, 0.00099999, 8589934591.999, 8589934592.001, 8589934592.5, 0.5, 1e-300,
                   123456.789, 70781.14, -0.1, 0.3, 2.675, 1e15 + 0.5, 4503599627370495.5})
    same(d);
}

// Doubles print as DuckDB 1.5 prints them (`x::DOUBLE::VARCHAR` and COPY ... TO csv, 2026-11-23):
// fixed notation from 1e-4 up to 1e16, an integral value with ".0" (so the text reads back as a
// double), scientific outside.
TEST(FormatValue, DoublesPrintAsDuckDBPrintsThem) {
  const std::pair<double, const char*> cases[] = {
      {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {123456789012345680.0, "1.2345678901234568e+17"},
      {0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.5e-5, "1.5e-05"}, {1e21, "1e+21"}, {1e22, "1e+22"},
      {0.0, "0.0"}, {-0.0, "-0.0"}, {123.456, "123.456"}, {1e300, "1e+300"}, {5e-324, "5e-324"},
      {0.1, "0.1"}, {100.0, "100.0"}, {-2.0, "-2.0"}, {12345678901234567890.0, "1.2345678901234567e+19"},
      {9999999999999998.0, "9999999999999998.0"}, {0.00012345678901234, "0.00012345678901234"},
      {-1.5e300, "-1.5e+300"}, {1.0 / 0.0, "inf"}, {-1.0 / 0.0, "-inf"}};
  for (const auto& [v, want] : cases) {
    char buf[64];
    EXPECT_EQ(std::string(buf, format_double(buf, v)), want);
  }
  char buf[64];
  EXPECT_EQ(std::string(buf, format_float(buf, 100.0f)), "100.0");
  EXPECT_EQ(std::string(buf, format_float(buf, 1.1f)), "1.1");
  EXPECT_EQ(std::string(buf, format_float(buf, 1e20f)), "1e+20");
  EXPECT_EQ(std::string(buf, format_float(buf, 3e-5f)), "3e-05");
}

// Binary prints as DuckDB 1.5 prints a BLOB (its answers to these bytes, 2026-11-23): printable ASCII
// but for the quotes and the backslash as it is, the rest as \xHH; and that text reads back.
TEST(FormatValue, BlobsPrintAsDuckDBPrintsThem) {
  const std::pair<std::string, const char*> cases[] = {
      {std::string("\\\\ab\"c,\n\x7f\x1f ~"), R"(\x5C\x5Cab\x22c,\x0A\x7F\x1F ~)"},
      {std::string("\x00\xff\\A\x7f ", 6), R"(\x00\xFF\x5CA\x7F )"},
      {std::string("'{}[]|;:@#$%^&*()_+=-`"), R"(\x27{}[]|;:@#$%^&*()_+=-`)"},
      {std::string("\xc3\xa9"), R"(\xC3\xA9)"},
      {std::string(), ""}};
  for (const auto& [bytes, want] : cases) {
    std::string text;
    append_blob_text(text, bytes);
    EXPECT_EQ(text, want);
    std::string back = "x";
    ASSERT_TRUE(parse_blob_text(text, &back)) << text;
    EXPECT_EQ(back, "x" + bytes);
  }
  std::string out = "x";
  EXPECT_TRUE(parse_blob_text(R"(\xc3\xA9 raw \x00)", &out));
  EXPECT_EQ(out, std::string("x\xc3\xa9 raw \x00", 9));
  for (const char* bad : {"\\", "a\\b", "\\x4", "\\xZZ", "\\x", "ok\\x0"}) {
    out = "x";
    EXPECT_FALSE(parse_blob_text(bad, &out)) << bad;
    EXPECT_EQ(out, "x");
  }
}

TEST(FormatValue, DoublesRoundTripShortest) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    std::uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, 8);
    if (std::isnan(d)) continue;
    char buf[64];
    char* e = format_double(buf, d);
    double back;
    ASSERT_TRUE(parse_double(buf, static_cast<std::size_t>(e - buf), back)) << std::string(buf, e);
    ASSERT_EQ(std::memcmp(&back, &d, 8), 0) << std::string(buf, e);
  }
}

}  // namespace
// INTERVAL text as DuckDB 1.5 reads it (each expected text is DuckDB's own ::INTERVAL::VARCHAR of the
// input), through a Parquet INTERVAL's 12 bytes and printed back.
TEST(ParseInterval, AsDuckDBReadsIt) {
  auto text_of = [](std::string_view in) -> std::string {
    char b[12];
    if (!text::parse_interval(in, b)) return "refused";
    char out[64];
    return std::string(out, text::format_interval(out, std::string_view(b, 12)));
  };
  const std::pair<const char*, const char*> cases[] = {
      {"1 year 2 months 3 days 04:05:06.5", "1 year 2 months 3 days 04:05:06.5"},
      {"2 hours", "02:00:00"},
      {"1 day 2 hours 3 minutes", "1 day 02:03:00"},
      {"100:00:00.25", "100:00:00.25"},
      {"00:00:00", "00:00:00"},
      {"1.5 days", "1 day 12:00:00"},
      {"3 weeks", "21 days"},
      {"1 decade", "10 years"},
      {"1 century", "100 years"},
      {"1 c", "100 years"},
      {"1 mil", "1000 years"},
      {"2 quarters", "6 months"},
      {"1 mon", "1 month"},
      {"10 mins", "00:10:00"},
      {"5 secs", "00:00:05"},
      {"7 ms", "00:00:00.007"},
      {"  2   DAYS  ", "2 days"},
      {"1 days 1 days", "2 days"},
      {"4:05", "04:05:00"},
      {"1y", "1 year"},
      {"1D", "1 day"},
      {"1 h 2 m", "01:02:00"},
      {"1.5 years", "1 year 6 months"},
      {"1.5 months", "1 month 15 days"},
      {"0.1 months", "3 days"},
      {"1.25 weeks", "8 days 18:00:00"},
      {"1.0000001 days", "1 day"},  // six fraction digits count
      {"2.5 hours", "02:30:00"},
      {"-5 days 10 days", "5 days"},
      {"25:00", "25:00:00"},
      {"1:2:3", "01:02:03"},
      {"01:02:03.", "01:02:03"},
      {"5", "00:00:05"},
      {"1 weeks 1 w", "14 days"},
      {"3 MONTHS", "3 months"},
      // What DuckDB refuses, and what a Parquet INTERVAL cannot hold (negative, finer than 1 ms).
      {"", "refused"}, {"ago", "refused"}, {"1 day ago ago", "refused"}, {"1 q", "refused"}, {"1 hour 30", "refused"},
      {"12:60:00", "refused"}, {"1 day,", "refused"}, {"inf", "refused"}, {"P1Y2M3DT4H5M6.5S", "refused"},
      {"-1 day", "refused"}, {"1 year ago", "refused"}, {"1 day -02:00:00", "refused"}, {"9 us", "refused"},
      {"04:05:06.123456", "refused"}, {"0.0005 seconds", "refused"}, {"4294967296 days", "refused"},
      {"99999999999999999 years", "refused"}, {"1 fortnight", "refused"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(text_of(in), want) << "'" << in << "'";
  // Why a refusal: nothing for text that is no interval; what a Parquet INTERVAL cannot hold.
  using R = text::IntervalParse;
  const std::pair<const char*, R> reasons[] = {
      {"1 q", R::kMalformed},        {"12:60:00", R::kMalformed},         {"", R::kMalformed},
      {"-1 day", R::kNegative},      {"1 year ago", R::kNegative},        {"1 day -02:00:00", R::kNegative},
      {"9 us", R::kFinerThanMillis}, {"0.0005 seconds", R::kFinerThanMillis}, {"4294967296 days", R::kTooLarge},
      {"99999999999999999 years", R::kTooLarge}, {"2 days", R::kOk},
  };
  for (const auto& [in, want] : reasons) {
    char b[12];
    EXPECT_EQ(text::parse_interval_checked(in, b), want) << "'" << in << "'";
  }
  EXPECT_STREQ(text::interval_refusal("1 q"), "");
  EXPECT_NE(std::string(text::interval_refusal("-1 day")).find("negative"), std::string::npos);
  EXPECT_NE(std::string(text::interval_refusal("9 us")).find("millisecond"), std::string::npos);
  // Every value prints as text that reads back to it.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::uint32_t f[3] = {static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng()),
                          static_cast<std::uint32_t>(rng())};
    for (auto& x : f)
      if (rng() % 3 == 0) x = static_cast<std::uint32_t>(x % 100);
      else if (rng() % 3 == 0) x = 0;
    char out[64];
    const std::string_view bytes(reinterpret_cast<const char*>(f), 12);
    const std::string text(out, text::format_interval(out, bytes));
    char back[12];
    ASSERT_TRUE(text::parse_interval(text, back)) << text;
    ASSERT_EQ(std::memcmp(back, f, 12), 0) << text;
  }
}

}  // namespace sluice::text
