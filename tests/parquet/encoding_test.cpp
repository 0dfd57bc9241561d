// Parquet value encodings: the spec's examples byte for byte, round trips through our encoders for
// every bit width and many lengths, batch/skip equivalence, and hostile or truncated input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "parquet/encoding/encoding.hpp"

namespace pq = sluice::parquet;
using Bytes = std::vector<std::uint8_t>;

namespace {

const std::vector<std::size_t> kLengths = {0, 1, 7, 8, 9, 31, 32, 33, 127, 128, 129, 1000};

std::vector<std::size_t> lengths_with_random(std::mt19937_64& rng) {
  auto v = kLengths;
  for (int i = 0; i < 4; ++i) v.push_back(rng() % 5000);
  return v;
}

template <class T>
bool is_parse_error(const T& r) {
  return !r.ok() && r.error().code() == sluice::ErrorCode::kParseError;
}

std::uint64_t mask_of(int w) { return w == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << w) - 1; }

// Values with long runs, short runs and noise, so the hybrid encoder emits both run kinds.
template <class T>
std::vector<T> mixed_values(std::mt19937_64& rng, std::size_t n, int w) {
  std::vector<T> v(n);
  std::size_t i = 0;
  while (i < n) {
    const std::size_t len = std::min<std::size_t>(n - i, rng() % 3 == 0 ? rng() % 40 : rng() % 5 + 1);
    const T x = static_cast<T>(rng() & mask_of(w));
    const bool repeat = rng() % 2 == 0;
    for (std::size_t k = 0; k < len; ++k) v[i + k] = repeat ? x : static_cast<T>(rng() & mask_of(w));
    i += len;
  }
  return v;
}

Bytes cut(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }

std::vector<std::string> random_strings(std::mt19937_64& rng, std::size_t n, bool shared_prefixes) {
  std::vector<std::string> out;
  std::string prev;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s;
    if (shared_prefixes && !prev.empty() && rng() % 4 != 0) s = prev.substr(0, rng() % (prev.size() + 1));
    const std::size_t extra = rng() % 3 == 0 ? 0 : rng() % 20;
    for (std::size_t k = 0; k < extra; ++k) s.push_back(static_cast<char>('a' + rng() % 26));
    out.push_back(s);
    prev = s;
  }
  return out;
}

std::vector<pq::ByteArrayView> views_of(const std::vector<std::string>& s) {
  std::vector<pq::ByteArrayView> v;
  for (const auto& x : s) v.push_back({reinterpret_cast<const std::uint8_t*>(x.data()), static_cast<std::uint32_t>(x.size())});
  return v;
}

std::vector<std::string> strings_of(pq::BinaryOut& out) {
  std::vector<std::string> v;
  for (std::int64_t i = 0; i < out.length(); ++i) v.emplace_back(out.value(i));
  return v;
}

}  // namespace

// ---------------------------------------------------------------- bit kernels

TEST(ParquetBitUtil, SpecExamplePacking) {
  // Encodings.md: 0..7 at 3 bits, LSB first, is 10001000 11000110 11111010.
  const std::uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::uint8_t out[3] = {};
  pq::pack_bits(v, 8, 3, out);
  EXPECT_EQ(out[0], 0x88);
  EXPECT_EQ(out[1], 0xC6);
  EXPECT_EQ(out[2], 0xFA);
  std::uint32_t back[8];
  pq::unpack_bits(out, 3, back, 8);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(back[i], static_cast<std::uint32_t>(i));
}

TEST(ParquetBitUtil, UnpackEveryWidthAndLength) {
  std::mt19937_64 rng(1);
  for (int w = 0; w <= 64; ++w) {
    for (std::size_t n : lengths_with_random(rng)) {
      std::vector<std::uint64_t> v(n);
      for (auto& x : v) x = rng() & mask_of(w);
      Bytes packed((n * static_cast<std::size_t>(w) + 7) / 8);  // exactly sized: ASan sees any overread
      pq::pack_bits(v.data(), n, w, packed.data());
      std::vector<std::uint64_t> back(n, 12345);
      pq::unpack_bits(packed.data(), w, back.data(), n);
      ASSERT_EQ(back, v) << "width " << w << " n " << n;
      if (w <= 32) {
        std::vector<std::uint32_t> back32(n);
        pq::unpack_bits(packed.data(), w, back32.data(), n);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(back32[i], v[i]) << "width " << w;
      }
      if (w <= 16) {
        std::vector<std::int16_t> back16(n);
        pq::unpack_bits(packed.data(), w, back16.data(), n);
        for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<std::uint16_t>(back16[i]), v[i]);
      }
    }
  }
}

TEST(ParquetBitUtil, CopyFillCountBits) {
  std::mt19937_64 rng(2);
  for (int iter = 0; iter < 2000; ++iter) {
    const std::int64_t n = static_cast<std::int64_t>(rng() % 300);
    const std::int64_t so = static_cast<std::int64_t>(rng() % 17), d_o = static_cast<std::int64_t>(rng() % 17);
    Bytes src(static_cast<std::size_t>((so + n + 7) / 8));
    for (auto& b : src) b = static_cast<std::uint8_t>(rng());
    Bytes dst(static_cast<std::size_t>((d_o + n + 7) / 8) + 2);
    for (auto& b : dst) b = static_cast<std::uint8_t>(rng());
    Bytes expect = dst;
    for (std::int64_t i = 0; i < n; ++i) sluice::bit::set_to(expect.data(), d_o + i, sluice::bit::get(src.data(), so + i));
    pq::copy_bits(src.data(), so, dst.data(), d_o, n);
    ASSERT_EQ(dst, expect) << iter;

    const bool value = rng() % 2;
    for (std::int64_t i = 0; i < n; ++i) sluice::bit::set_to(expect.data(), d_o + i, value);
    pq::fill_bits(dst.data(), d_o, n, value);
    ASSERT_EQ(dst, expect);

    std::int64_t count = 0;
    for (std::int64_t i = 0; i < n; ++i) count += sluice::bit::get(src.data(), so + i);
    ASSERT_EQ(pq::count_set_bits(src.data(), so, n), count);
  }
}

// ---------------------------------------------------------------- RLE / bit-packed hybrid

TEST(ParquetRle, SpecExampleBitPackedRun) {
  // One bit-packed group of 8 values (header (1 << 1) | 1), the spec's 0..7 at 3 bits.
  const Bytes page = {0x03, 0x88, 0xC6, 0xFA};
  pq::RleBitPackedDecoder d;
  ASSERT_TRUE(d.reset(page.data(), page.size(), 3).ok());
  std::uint32_t out[16];
  auto got = d.get_batch(out, 16);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], static_cast<std::uint32_t>(i));
  EXPECT_EQ(d.bytes_consumed(), 4u);
}

TEST(ParquetRle, RleRunsAndWideValues) {
  // RLE run of 8 fives at 3 bits, then 300 (a 2-byte varint header) times 0x1234 at 13 bits.
  const Bytes page = {0x10, 0x05, 0xD8, 0x04, 0x34, 0x12};
  pq::RleBitPackedDecoder d;
  std::vector<std::uint32_t> out(400);
  ASSERT_TRUE(d.reset(page.data(), 2, 3).ok());
  auto got = d.get_batch(out.data(), 400);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], 5u);
  ASSERT_TRUE(d.reset(page.data() + 2, 4, 13).ok());
  got = d.get_batch(out.data(), 400);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, 300u);
  for (int i = 0; i < 300; ++i) ASSERT_EQ(out[i], 0x1234u);
  // 32-bit values take 4 bytes.
  const Bytes wide = {0x04, 0xFF, 0xFF, 0xFF, 0xFF};
  ASSERT_TRUE(d.reset(wide.data(), wide.size(), 32).ok());
  got = d.get_batch(out.data(), 10);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, 2u);
  EXPECT_EQ(out[1], 0xFFFFFFFFu);
}

TEST(ParquetRle, RoundTripEveryWidthAndLength) {
  std::mt19937_64 rng(3);
  for (int w = 0; w <= 32; ++w) {
    for (std::size_t n : lengths_with_random(rng)) {
      const auto v = mixed_values<std::uint32_t>(rng, n, w);
      Bytes enc;
      pq::encode_rle_bit_packed(v.data(), n, w, enc);
      // One batch.
      pq::RleBitPackedDecoder d;
      ASSERT_TRUE(d.reset(enc.data(), enc.size(), w).ok());
      std::vector<std::uint32_t> out(n + 1, 0xDEAD);
      auto got = d.get_batch(out.data(), n);
      ASSERT_TRUE(got.ok()) << got.error().to_string();
      ASSERT_EQ(*got, n);
      ASSERT_TRUE(std::equal(v.begin(), v.end(), out.begin())) << "width " << w << " n " << n;
      // Random batch sizes with skips in between, against the one-batch result.
      ASSERT_TRUE(d.reset(enc.data(), enc.size(), w).ok());
      std::size_t pos = 0;
      while (pos < n) {
        const std::size_t k = std::min<std::size_t>(n - pos, rng() % 70 + 1);
        if (rng() % 3 == 0) {
          auto s = d.skip(k);
          ASSERT_TRUE(s.ok());
          ASSERT_EQ(*s, k);
        } else {
          std::vector<std::uint32_t> part(k);
          auto g = d.get_batch(part.data(), k);
          ASSERT_TRUE(g.ok());
          ASSERT_EQ(*g, k);
          ASSERT_TRUE(std::equal(part.begin(), part.end(), v.begin() + static_cast<std::ptrdiff_t>(pos)))
              << "width " << w << " n " << n << " at " << pos;
        }
        pos += k;
      }
      // The stream holds at most the padding of the last group beyond n.
      std::uint32_t extra[16];
      auto rest = d.get_batch(extra, 16);
      ASSERT_TRUE(rest.ok());
      ASSERT_LT(*rest, 8u);
      for (std::size_t i = 0; i < *rest; ++i) EXPECT_EQ(extra[i], 0u);
    }
  }
}

TEST(ParquetRle, LevelsIntoInt16) {
  std::mt19937_64 rng(4);
  for (int w = 0; w <= 16; ++w) {
    const auto v = mixed_values<std::uint16_t>(rng, 2000, w);
    Bytes enc;
    pq::encode_rle_bit_packed_length_prefixed(v.data(), v.size(), w, enc);
    enc.push_back(0x77);  // what follows the levels
    pq::RleBitPackedDecoder d;
    auto consumed = pq::reset_length_prefixed(d, enc.data(), enc.size(), w);
    ASSERT_TRUE(consumed.ok());
    EXPECT_EQ(*consumed, enc.size() - 1);
    std::vector<std::int16_t> out(v.size());
    auto got = d.get_batch(out.data(), out.size());
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(*got, v.size());
    for (std::size_t i = 0; i < v.size(); ++i) ASSERT_EQ(static_cast<std::uint16_t>(out[i]), v[i]);
  }
  pq::RleBitPackedDecoder d;
  const Bytes page = {0x02, 0x01, 0x00, 0x00};
  ASSERT_TRUE(d.reset(page.data(), page.size(), 17).ok());
  std::int16_t out[4];
  auto got = d.get_batch(out, 1);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code(), sluice::ErrorCode::kInvalidArgument);
  EXPECT_EQ(d.reset(page.data(), page.size(), 33).error().code(), sluice::ErrorCode::kInvalidArgument);
}

TEST(ParquetRle, LengthPrefix) {
  const Bytes ok = {0x02, 0x00, 0x00, 0x00, 0x10, 0x01, 0x99};
  auto lp = pq::read_length_prefixed(ok.data(), ok.size(), 100);
  ASSERT_TRUE(lp.ok());
  EXPECT_EQ(lp->size, 2u);
  EXPECT_EQ(lp->consumed, 6u);
  EXPECT_EQ(lp->data, ok.data() + 4);
  const Bytes short_prefix = {0x02, 0x00};
  EXPECT_TRUE(is_parse_error(pq::read_length_prefixed(short_prefix.data(), short_prefix.size())));
  const Bytes too_long = {0x09, 0x00, 0x00, 0x00, 0x10, 0x01};
  auto bad = pq::read_length_prefixed(too_long.data(), too_long.size(), 100);
  ASSERT_TRUE(is_parse_error(bad));
  EXPECT_EQ(bad.error().context().byte_offset, 100);
  EXPECT_NE(bad.error().message().find("RLE/bit-packed hybrid"), std::string::npos);
}

TEST(ParquetRle, TruncatedAtEveryByte) {
  std::mt19937_64 rng(5);
  for (int w : {1, 3, 8, 13, 20, 32}) {
    const auto v = mixed_values<std::uint32_t>(rng, 600, w);
    Bytes enc;
    pq::encode_rle_bit_packed(v.data(), v.size(), w, enc);
    for (std::size_t c = 0; c < enc.size(); ++c) {
      const Bytes part = cut(enc, c);
      pq::RleBitPackedDecoder d;
      ASSERT_TRUE(d.reset(part.data(), part.size(), w).ok());
      std::vector<std::uint32_t> out(v.size());
      auto got = d.get_batch(out.data(), out.size());
      if (got.ok()) {
        ASSERT_LT(*got, v.size()) << "cut " << c;
        ASSERT_TRUE(std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*got), v.begin()));
      } else {
        ASSERT_EQ(got.error().code(), sluice::ErrorCode::kParseError);
      }
      ASSERT_TRUE(d.reset(part.data(), part.size(), w).ok());
      auto sk = d.skip(v.size());
      if (sk.ok()) {
        ASSERT_LT(*sk, v.size());
      }
    }
  }
}

TEST(ParquetRle, HostileHeaders) {
  pq::RleBitPackedDecoder d;
  std::vector<std::uint32_t> out(1000);
  // The longest RLE run a 5-byte header can state: 2^31 - 1 values, taken as asked.
  const Bytes huge_rle = {0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01};
  ASSERT_TRUE(d.reset(huge_rle.data(), huge_rle.size(), 1).ok());
  auto got = d.get_batch(out.data(), 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 1000u);
  auto sk = d.skip(std::size_t{1} << 40);
  ASSERT_TRUE(sk.ok());
  EXPECT_EQ(*sk, 0x7FFFFFFFu - 1000);
  // A bit-packed run claiming more bytes than remain.
  const Bytes huge_packed = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02};
  ASSERT_TRUE(d.reset(huge_packed.data(), huge_packed.size(), 5, 40).ok());
  got = d.get_batch(out.data(), 10);
  ASSERT_TRUE(is_parse_error(got));
  EXPECT_EQ(got.error().context().byte_offset, 40);
  EXPECT_NE(got.error().message().find("bit-packed run"), std::string::npos);
  // But at width 0 a bit-packed run needs no bytes at all.
  ASSERT_TRUE(d.reset(huge_packed.data(), 5, 0).ok());
  got = d.get_batch(out.data(), 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 1000u);
  // Zero-length runs of both kinds are stepped over; a stream of nothing else yields nothing.
  Bytes zeros;
  for (int i = 0; i < 5000; ++i) {
    zeros.push_back(0x00);
    zeros.push_back(0x01);
    zeros.push_back(0x01);
  }
  ASSERT_TRUE(d.reset(zeros.data(), zeros.size(), 1).ok());
  got = d.get_batch(out.data(), 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
  zeros.push_back(0x06);  // then an RLE run of three ones
  zeros.push_back(0x01);
  ASSERT_TRUE(d.reset(zeros.data(), zeros.size(), 1).ok());
  got = d.get_batch(out.data(), 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 3u);
  EXPECT_EQ(out[2], 1u);
  // Varints longer than 32 bits.
  const Bytes long_varint = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  ASSERT_TRUE(d.reset(long_varint.data(), long_varint.size(), 1).ok());
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 1)));
  const Bytes wide_varint = {0x80, 0x80, 0x80, 0x80, 0x10};
  ASSERT_TRUE(d.reset(wide_varint.data(), wide_varint.size(), 1).ok());
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 1)));
  const Bytes cut_varint = {0x80, 0x80};
  ASSERT_TRUE(d.reset(cut_varint.data(), cut_varint.size(), 1).ok());
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 1)));
  // An RLE value wider than the bit width, and one cut off.
  const Bytes wide_value = {0x02, 0x09};
  ASSERT_TRUE(d.reset(wide_value.data(), wide_value.size(), 3).ok());
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 1)));
  const Bytes cut_value = {0x02, 0x09};
  ASSERT_TRUE(d.reset(cut_value.data(), cut_value.size(), 9).ok());
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 1)));
}

TEST(ParquetRle, DictionaryIndicesChecked) {
  std::mt19937_64 rng(6);
  std::vector<std::uint32_t> idx(3000);
  for (auto& x : idx) x = static_cast<std::uint32_t>(rng() % 10);
  Bytes enc = {4};  // the bit-width byte of a dictionary data page
  pq::encode_rle_bit_packed(idx.data(), idx.size(), 4, enc);
  pq::RleBitPackedDecoder d;
  ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
  std::vector<std::uint32_t> out(idx.size());
  auto got = d.get_indices(out.data(), out.size(), 10);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, idx.size());
  EXPECT_EQ(out, idx);
  // Nine entries: index 9 appears somewhere and is refused.
  ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
  got = d.get_indices(out.data(), out.size(), 9);
  ASSERT_TRUE(is_parse_error(got));
  EXPECT_NE(got.error().message().find("out of range"), std::string::npos);
  // Fused gather, and its refusal both in bit-packed and in RLE runs.
  std::vector<double> dict(10);
  for (int i = 0; i < 10; ++i) dict[static_cast<std::size_t>(i)] = i * 1.5;
  ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
  std::vector<double> values(idx.size());
  auto g = d.gather(dict.data(), 10, values.data(), values.size());
  ASSERT_TRUE(g.ok());
  for (std::size_t i = 0; i < idx.size(); ++i) ASSERT_EQ(values[i], dict[idx[i]]);
  ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
  EXPECT_TRUE(is_parse_error(d.gather(dict.data(), 9, values.data(), values.size())));
  const Bytes rle_run = {3, 0x20, 0x07};  // width 3, 16 times index 7
  ASSERT_TRUE(pq::reset_dictionary_indices(d, rle_run.data(), rle_run.size()).ok());
  EXPECT_TRUE(is_parse_error(d.gather(dict.data(), 7, values.data(), 16)));
  ASSERT_TRUE(pq::reset_dictionary_indices(d, rle_run.data(), rle_run.size()).ok());
  g = d.gather(dict.data(), 8, values.data(), 16);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, 16u);
  EXPECT_EQ(values[15], 7 * 1.5);
  // The bit-width byte itself.
  const Bytes wide = {33, 0x02, 0x00};
  EXPECT_TRUE(is_parse_error(pq::reset_dictionary_indices(d, wide.data(), wide.size())));
  EXPECT_TRUE(is_parse_error(pq::reset_dictionary_indices(d, wide.data(), 0)));
  // An empty dictionary refuses every index.
  ASSERT_TRUE(pq::reset_dictionary_indices(d, rle_run.data(), rle_run.size()).ok());
  EXPECT_TRUE(is_parse_error(d.get_indices(out.data(), 1, 0)));
}

TEST(ParquetRle, BooleansIntoBitmaps) {
  std::mt19937_64 rng(7);
  for (std::size_t n : lengths_with_random(rng)) {
    const auto vals = mixed_values<std::uint8_t>(rng, n, 1);
    Bytes bits((n + 7) / 8);
    for (std::size_t i = 0; i < n; ++i) sluice::bit::set_to(bits.data(), static_cast<std::int64_t>(i), vals[i]);
    Bytes enc;
    pq::encode_rle_booleans(bits.data(), 0, n, enc);
    auto lp = pq::read_length_prefixed(enc.data(), enc.size());
    ASSERT_TRUE(lp.ok());
    for (int offset : {0, 3, 8, 13}) {
      pq::RleBooleanDecoder d;
      ASSERT_EQ(*pq::reset_length_prefixed(d, enc.data(), enc.size()), lp->consumed);
      Bytes out((static_cast<std::size_t>(offset) + n + 7) / 8 + 1, 0xA5);
      std::size_t pos = 0;
      while (pos < n) {
        const std::size_t k = std::min<std::size_t>(n - pos, rng() % 100 + 1);
        if (rng() % 4 == 0) {
          auto s = d.skip(k);
          ASSERT_TRUE(s.ok());
          ASSERT_EQ(*s, k);
          for (std::size_t i = 0; i < k; ++i) sluice::bit::set_to(out.data(), offset + static_cast<std::int64_t>(pos + i), vals[pos + i]);
        } else {
          auto g = d.get_batch(out.data(), offset + static_cast<std::int64_t>(pos), k);
          ASSERT_TRUE(g.ok());
          ASSERT_EQ(*g, k);
        }
        pos += k;
      }
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(sluice::bit::get(out.data(), offset + static_cast<std::int64_t>(i)), vals[i] != 0);
      for (int i = 0; i < offset; ++i) ASSERT_EQ(sluice::bit::get(out.data(), i), ((0xA5 >> (i & 7)) & 1) != 0);
    }
  }
  // A value other than 0 or 1 in an RLE run is malformed.
  const Bytes bad = {0x04, 0x02};
  pq::RleBooleanDecoder d;
  d.reset(bad.data(), bad.size());
  std::uint8_t out[1] = {};
  EXPECT_TRUE(is_parse_error(d.get_batch(out, 0, 2)));
}

// ---------------------------------------------------------------- deprecated BIT_PACKED

TEST(ParquetBitPacked, SpecExample) {
  // Encodings.md: 0..7 at 3 bits, MSB first, is 00000101 00111001 01110111.
  const Bytes page = {0x05, 0x39, 0x77};
  pq::LegacyBitPackedDecoder d;
  ASSERT_TRUE(d.reset(page.data(), page.size(), 3, 8).ok());
  std::int16_t out[8];
  auto got = d.get_batch(out, 10);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(*got, 8u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
  // 30 values at 2 bits take 8 bytes.
  EXPECT_EQ(pq::LegacyBitPackedDecoder::byte_length(30, 2), 8u);
  EXPECT_EQ(pq::LegacyBitPackedDecoder::byte_length(std::numeric_limits<std::uint64_t>::max(), 0), 0u);
  EXPECT_TRUE(is_parse_error(d.reset(page.data(), page.size(), 3, 9)));
}

TEST(ParquetBitPacked, RoundTrip) {
  std::mt19937_64 rng(8);
  for (int w = 0; w <= 16; ++w) {
    for (std::size_t n : lengths_with_random(rng)) {
      const auto v = mixed_values<std::uint16_t>(rng, n, w);
      Bytes enc;
      pq::encode_legacy_bit_packed(v.data(), n, w, enc);
      ASSERT_EQ(enc.size(), pq::LegacyBitPackedDecoder::byte_length(n, w));
      pq::LegacyBitPackedDecoder d;
      ASSERT_TRUE(d.reset(enc.data(), enc.size(), w, n).ok());
      std::vector<std::int16_t> out(n);
      std::size_t pos = 0;
      while (pos < n) {
        const std::size_t k = std::min<std::size_t>(n - pos, rng() % 50 + 1);
        if (rng() % 4 == 0) {
          ASSERT_EQ(*d.skip(k), k);
          for (std::size_t i = 0; i < k; ++i) out[pos + i] = static_cast<std::int16_t>(v[pos + i]);
        } else {
          ASSERT_EQ(*d.get_batch(out.data() + pos, k), k);
        }
        pos += k;
      }
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(static_cast<std::uint16_t>(out[i]), v[i]) << w << " " << n;
      ASSERT_EQ(*d.get_batch(out.data(), 1), 0u);
    }
  }
}

// ---------------------------------------------------------------- PLAIN

TEST(ParquetPlain, FixedWidthRoundTrips) {
  std::mt19937_64 rng(9);
  std::vector<std::int32_t> i32(1000);
  std::vector<std::int64_t> i64(1000);
  std::vector<float> f32(1000);
  std::vector<double> f64(1000);
  for (std::size_t i = 0; i < 1000; ++i) {
    i32[i] = static_cast<std::int32_t>(rng());
    i64[i] = static_cast<std::int64_t>(rng());
    f32[i] = static_cast<float>(rng() % 100000) / 7.0f;
    f64[i] = static_cast<double>(rng()) / 3.0;
  }
  Bytes enc;
  pq::encode_plain(i32.data(), i32.size(), enc);
  pq::encode_plain(i64.data(), i64.size(), enc);
  pq::encode_plain(f32.data(), f32.size(), enc);
  pq::encode_plain(f64.data(), f64.size(), enc);
  Bytes int96(12 * 100), flba(7 * 100);
  for (auto& b : int96) b = static_cast<std::uint8_t>(rng());
  for (auto& b : flba) b = static_cast<std::uint8_t>(rng());
  pq::encode_plain_fixed(int96.data(), 100, pq::kInt96Width, enc);
  pq::encode_plain_fixed(flba.data(), 100, 7, enc);
  ASSERT_EQ(enc.size(), 1000u * (4 + 8 + 4 + 8) + 1900u);

  pq::PlainDecoder d;
  d.reset(enc.data(), enc.size());
  std::vector<std::int32_t> a(1000);
  std::vector<std::int64_t> b(1000);
  std::vector<float> c(1000);
  std::vector<double> e(1000);
  ASSERT_TRUE(d.get_values(a.data(), 400).ok());
  ASSERT_TRUE(d.skip_fixed(100, 4).ok());
  std::fill(a.begin() + 400, a.begin() + 500, 0);
  std::copy(i32.begin() + 400, i32.begin() + 500, a.begin() + 400);
  ASSERT_TRUE(d.get_values(a.data() + 500, 500).ok());
  EXPECT_EQ(a, i32);
  ASSERT_TRUE(d.get_values(b.data(), 1000).ok());
  EXPECT_EQ(b, i64);
  ASSERT_TRUE(d.get_values(c.data(), 1000).ok());
  EXPECT_EQ(c, f32);
  ASSERT_TRUE(d.get_values(e.data(), 1000).ok());
  EXPECT_EQ(e, f64);
  Bytes x(12 * 100), y(7 * 100);
  ASSERT_TRUE(d.get_fixed(x.data(), 100, pq::kInt96Width).ok());
  EXPECT_EQ(x, int96);
  ASSERT_TRUE(d.get_fixed(y.data(), 99, 7).ok());
  EXPECT_TRUE(is_parse_error(d.get_fixed(y.data(), 2, 7)));  // one is left, two asked: nothing read
  ASSERT_TRUE(d.get_fixed(y.data() + 99 * 7, 1, 7).ok());
  EXPECT_EQ(y, flba);
  EXPECT_EQ(d.remaining(), 0u);
  EXPECT_TRUE(d.get_values(a.data(), 0).ok());
  // A huge count fails without overflow.
  EXPECT_TRUE(is_parse_error(d.skip_fixed(std::numeric_limits<std::size_t>::max() / 2, 8)));
}

TEST(ParquetPlain, Booleans) {
  std::mt19937_64 rng(10);
  const std::size_t n = 1003;
  Bytes bits((n + 7) / 8);
  for (auto& b : bits) b = static_cast<std::uint8_t>(rng());
  Bytes enc;
  pq::encode_plain_booleans(bits.data(), 0, n, enc);
  ASSERT_EQ(enc.size(), (n + 7) / 8);
  pq::PlainDecoder d;
  d.reset(enc.data(), enc.size());
  Bytes out(200, 0);
  std::size_t pos = 0;
  const std::int64_t offset = 5;
  while (pos < n) {
    const std::size_t k = std::min<std::size_t>(n - pos, rng() % 90 + 1);
    ASSERT_TRUE(d.get_booleans(out.data(), offset + static_cast<std::int64_t>(pos), k).ok());
    pos += k;
  }
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(sluice::bit::get(out.data(), offset + static_cast<std::int64_t>(i)), sluice::bit::get(bits.data(), static_cast<std::int64_t>(i)));
  }
  // The padding bits of the last byte can be read as values (a page's count is the caller's).
  ASSERT_TRUE(d.get_booleans(out.data(), 0, 5).ok());
  EXPECT_TRUE(is_parse_error(d.get_booleans(out.data(), 0, 1)));
}

TEST(ParquetPlain, ByteArrays) {
  std::mt19937_64 rng(11);
  const auto strings = random_strings(rng, 500, false);
  const auto views = views_of(strings);
  Bytes enc;
  pq::encode_plain_byte_arrays(views.data(), views.size(), enc);
  pq::PlainDecoder d;
  d.reset(enc.data(), enc.size());
  pq::BinaryOut out;
  ASSERT_TRUE(d.get_byte_arrays(out, 100).ok());
  ASSERT_TRUE(d.skip_byte_arrays(100).ok());
  ASSERT_TRUE(d.get_byte_arrays(out, 300).ok());
  auto got = strings_of(out);
  ASSERT_EQ(got.size(), 400u);
  for (std::size_t i = 0; i < 100; ++i) ASSERT_EQ(got[i], strings[i]);
  for (std::size_t i = 100; i < 400; ++i) ASSERT_EQ(got[i], strings[i + 100]);
  EXPECT_TRUE(is_parse_error(d.get_byte_arrays(out, 1)));
  auto bufs = out.finish();
  EXPECT_EQ(bufs.length, 400);
  EXPECT_EQ(bufs.offsets->size(), 401 * 8);
  EXPECT_EQ(bufs.data->size(), bufs.offsets->data_as<std::int64_t>()[400]);
  EXPECT_EQ(out.length(), 0);

  std::vector<pq::ByteArrayView> back(500);
  d.reset(enc.data(), enc.size());
  ASSERT_TRUE(d.get_byte_array_views(back.data(), 500).ok());
  EXPECT_EQ(back, views);

  // Cut anywhere: an error, never a read past the cut.
  for (std::size_t c = 0; c < 300; ++c) {
    const Bytes part = cut(enc, c);
    pq::PlainDecoder p;
    p.reset(part.data(), part.size());
    pq::BinaryOut o;
    const auto st = p.get_byte_arrays(o, 20);
    const std::size_t full = [&] {
      std::size_t k = 0, at = 0;
      while (k < 20 && at + 4 + strings[k].size() <= c) at += 4 + strings[k++].size();
      return k;
    }();
    if (full == 20) {
      EXPECT_TRUE(st.ok());
    } else {
      EXPECT_TRUE(is_parse_error(st)) << c;
      p.reset(part.data(), part.size());
      EXPECT_TRUE(is_parse_error(p.get_byte_array_views(back.data(), 20)));
      p.reset(part.data(), part.size());
      EXPECT_TRUE(is_parse_error(p.skip_byte_arrays(20)));
    }
  }
  // A length past the end, at a known offset.
  const Bytes bad = {0x01, 0x00, 0x00, 0x00, 'a', 0x05, 0x00, 0x00, 0x00, 'b'};
  d.reset(bad.data(), bad.size(), 1000);
  pq::BinaryOut o;
  const auto st = d.get_byte_arrays(o, 2);
  ASSERT_TRUE(is_parse_error(st));
  EXPECT_EQ(st.error().context().byte_offset, 1005);
  // Counts that cannot fit fail before reserving anything.
  d.reset(bad.data(), bad.size());
  EXPECT_TRUE(is_parse_error(d.get_byte_arrays(o, std::size_t{1} << 40)));
}

TEST(ParquetBinaryOut, LimitAndEmpties) {
  pq::BinaryOut out(10);
  const std::uint8_t abc[] = {'a', 'b', 'c', 'd', 'e'};
  ASSERT_TRUE(out.append(abc, 3).ok());
  ASSERT_TRUE(out.append_empty(2).ok());
  ASSERT_TRUE(out.append(abc, 3).ok());
  const auto st = out.append(abc, 5);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), sluice::ErrorCode::kLimitExceeded);
  EXPECT_EQ(out.length(), 4);
  EXPECT_EQ(out.value(0), "abc");
  EXPECT_EQ(out.value(1), "");
  EXPECT_EQ(out.value(3), "abc");
  pq::BinaryOut moved = std::move(out);
  EXPECT_EQ(out.length(), 0);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  ASSERT_TRUE(out.append(abc, 2).ok());
  EXPECT_EQ(out.value(0), "ab");
  EXPECT_EQ(moved.length(), 4);
  EXPECT_EQ(moved.value(3), "abc");
  pq::BinaryOut empty;
  auto b = empty.finish();
  EXPECT_EQ(b.length, 0);
  EXPECT_EQ(b.offsets->size(), 8);
  EXPECT_EQ(b.offsets->data_as<std::int64_t>()[0], 0);
  EXPECT_EQ(b.data->size(), 0);
}

// ---------------------------------------------------------------- dictionaries

TEST(ParquetDictionary, FixedWidths) {
  std::mt19937_64 rng(12);
  for (std::size_t width : {1, 2, 3, 4, 8, 12, 16, 20}) {
    const std::size_t dict_size = 37;
    Bytes dict_page(dict_size * width);
    for (auto& b : dict_page) b = static_cast<std::uint8_t>(rng());
    pq::FixedDictionary dict;
    ASSERT_TRUE(dict.decode_plain(dict_page.data(), dict_page.size(), dict_size, width).ok());
    EXPECT_EQ(dict.size(), dict_size);
    const auto idx = mixed_values<std::uint32_t>(rng, 2000, 6);
    std::vector<std::uint32_t> clamped(idx.size());
    for (std::size_t i = 0; i < idx.size(); ++i) clamped[i] = idx[i] % dict_size;
    Bytes enc = {6};
    pq::encode_rle_bit_packed(clamped.data(), clamped.size(), 6, enc);
    pq::RleBitPackedDecoder d;
    ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
    Bytes out(clamped.size() * width + 1);  // +1: outputs need no alignment
    std::size_t pos = 0;
    while (pos < clamped.size()) {
      const std::size_t k = std::min<std::size_t>(clamped.size() - pos, rng() % 700 + 1);
      auto got = dict.gather(d, out.data() + 1 + pos * width, k);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(*got, k);
      pos += k;
    }
    for (std::size_t i = 0; i < clamped.size(); ++i) {
      ASSERT_EQ(std::memcmp(out.data() + 1 + i * width, dict_page.data() + clamped[i] * width, width), 0);
    }
    // Unclamped indices reach past 37 and are refused.
    Bytes bad = {6};
    pq::encode_rle_bit_packed(idx.data(), idx.size(), 6, bad);
    ASSERT_TRUE(pq::reset_dictionary_indices(d, bad.data(), bad.size()).ok());
    EXPECT_TRUE(is_parse_error(dict.gather(d, out.data(), idx.size()))) << width;
  }
  pq::FixedDictionary dict;
  const Bytes page(16);
  EXPECT_TRUE(is_parse_error(dict.decode_plain(page.data(), page.size(), 5, 4)));
  EXPECT_TRUE(is_parse_error(dict.decode_plain(page.data(), page.size(), std::uint64_t{1} << 40, 4)));
  EXPECT_EQ(dict.decode_plain(page.data(), page.size(), 1, 0).error().code(), sluice::ErrorCode::kInvalidArgument);
  ASSERT_TRUE(dict.decode_plain(page.data(), page.size(), 4, 4).ok());
  EXPECT_EQ(dict.values<std::int32_t>()[3], 0);
}

TEST(ParquetDictionary, Binary) {
  std::mt19937_64 rng(13);
  const auto strings = random_strings(rng, 50, false);
  const auto views = views_of(strings);
  Bytes page;
  pq::encode_plain_byte_arrays(views.data(), views.size(), page);
  auto keeper = std::make_shared<Bytes>(page);
  pq::BinaryDictionary dict;
  ASSERT_TRUE(dict.decode_plain(keeper->data(), keeper->size(), 50, keeper).ok());
  ASSERT_EQ(dict.size(), 50u);
  for (std::uint32_t i = 0; i < 50; ++i) ASSERT_EQ(dict[i].as_string_view(), strings[i]);
  std::vector<std::uint32_t> idx(3000);
  for (auto& x : idx) x = static_cast<std::uint32_t>(rng() % 50);
  Bytes enc = {6};
  pq::encode_rle_bit_packed(idx.data(), idx.size(), 6, enc);
  pq::RleBitPackedDecoder d;
  ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
  pq::BinaryOut out;
  auto got = dict.gather(d, out, 1000);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(d.skip(1000).ok());
  got = dict.gather(d, out, 5000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 1000u);
  ASSERT_EQ(out.length(), 2000);
  for (std::size_t i = 0; i < 1000; ++i) ASSERT_EQ(out.value(static_cast<std::int64_t>(i)), strings[idx[i]]);
  for (std::size_t i = 1000; i < 2000; ++i) ASSERT_EQ(out.value(static_cast<std::int64_t>(i)), strings[idx[i + 1000]]);
  // Out of range, and a claimed count the page cannot hold.
  ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
  pq::BinaryDictionary small;
  ASSERT_TRUE(small.decode_plain(keeper->data(), keeper->size(), 10, keeper).ok());
  EXPECT_TRUE(is_parse_error(small.gather(d, out, 3000)));
  EXPECT_TRUE(is_parse_error(small.decode_plain(keeper->data(), keeper->size(), keeper->size(), keeper)));
  EXPECT_TRUE(is_parse_error(small.decode_plain(keeper->data(), keeper->size() - 1, 50, keeper)));
  // A long RLE run of a long entry meets the output limit instead of allocating it.
  const std::string big(1000, 'x');
  const pq::ByteArrayView bigv{reinterpret_cast<const std::uint8_t*>(big.data()), 1000};
  Bytes big_page;
  pq::encode_plain_byte_arrays(&bigv, 1, big_page);
  pq::BinaryDictionary bd;
  ASSERT_TRUE(bd.decode_plain(big_page.data(), big_page.size(), 1, nullptr).ok());
  const Bytes run = {0, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F};  // width 0: 2^31 - 1 times index 0
  ASSERT_TRUE(pq::reset_dictionary_indices(d, run.data(), run.size()).ok());
  pq::BinaryOut limited(1 << 20);
  auto r = bd.gather(d, limited, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), sluice::ErrorCode::kLimitExceeded);
}

// Dictionaries whose values all have one short length take the packed gather: every width it
// handles, a width it does not (5), mixed lengths, RLE and bit-packed runs, batches that end inside
// runs, nulls' empties between gathers, and an index out of range.
TEST(ParquetDictionary, BinaryUniformWidths) {
  std::mt19937_64 rng(17);
  for (const std::size_t width : {1u, 2u, 3u, 4u, 5u, 8u, 16u, 0u}) {
    SCOPED_TRACE("width " + std::to_string(width));
    std::vector<std::string> strings;
    for (int v = 0; v < 40; ++v) {
      const std::size_t len = width == 0 ? 1 + rng() % 6 : width;  // 0: mixed lengths
      std::string s;
      for (std::size_t i = 0; i < len; ++i) s.push_back(static_cast<char>('a' + (v + 3 * i) % 26));
      strings.push_back(s);
    }
    const auto views = views_of(strings);
    Bytes page;
    pq::encode_plain_byte_arrays(views.data(), views.size(), page);
    auto keeper = std::make_shared<Bytes>(page);
    pq::BinaryDictionary dict;
    ASSERT_TRUE(dict.decode_plain(keeper->data(), keeper->size(), strings.size(), keeper).ok());
    std::vector<std::uint32_t> idx(9000);
    for (std::size_t i = 0; i < idx.size(); ++i)
      idx[i] = static_cast<std::uint32_t>(i % 700 < 300 ? 7 : rng() % strings.size());  // runs and noise
    Bytes enc = {6};
    pq::encode_rle_bit_packed(idx.data(), idx.size(), 6, enc);
    pq::RleBitPackedDecoder d;
    ASSERT_TRUE(pq::reset_dictionary_indices(d, enc.data(), enc.size()).ok());
    pq::BinaryOut out;
    std::vector<std::string> want;
    std::size_t at = 0;
    for (const std::size_t batch : {1u, 31u, 4096u, 4097u, 100u, 675u}) {  // 9,000: bit-packed runs pad their ends
      auto got = dict.gather(d, out, batch);
      ASSERT_TRUE(got.ok()) << got.error().to_string();
      ASSERT_EQ(*got, batch);
      for (std::size_t i = 0; i < *got; ++i) want.push_back(strings[idx[at + i]]);
      at += *got;
      ASSERT_TRUE(out.append_empty(2).ok());
      want.insert(want.end(), 2, std::string());
    }
    ASSERT_EQ(at, idx.size());
    ASSERT_EQ(strings_of(out), want);
    // Index 40 of a 40-value dictionary, in a bit-packed run after good values.
    std::vector<std::uint32_t> bad(64, 3);
    bad[50] = 40;
    Bytes bad_enc = {6};
    pq::encode_rle_bit_packed(bad.data(), bad.size(), 6, bad_enc);
    ASSERT_TRUE(pq::reset_dictionary_indices(d, bad_enc.data(), bad_enc.size()).ok());
    pq::BinaryOut out2;
    EXPECT_TRUE(is_parse_error(dict.gather(d, out2, 64)));
    // A long run meets the output limit instead of allocating it.
    const Bytes run = {0, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F};  // width 0: 2^31 - 1 times index 0
    ASSERT_TRUE(pq::reset_dictionary_indices(d, run.data(), run.size()).ok());
    pq::BinaryOut limited(1 << 16);
    auto r = dict.gather(d, limited, std::size_t{1} << 31);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), sluice::ErrorCode::kLimitExceeded);
  }
}

// ---------------------------------------------------------------- DELTA_BINARY_PACKED

namespace {

template <class T>
std::vector<T> decode_delta_all(const Bytes& enc, std::size_t batch, bool* ok = nullptr) {
  pq::DeltaBinaryPackedDecoder<T> d;
  std::vector<T> out;
  if (!d.reset(enc.data(), enc.size()).ok()) {
    if (ok) *ok = false;
    return out;
  }
  std::vector<T> buf(batch);
  while (true) {
    auto got = d.get_batch(buf.data(), batch);
    if (!got.ok()) {
      if (ok) *ok = false;
      return out;
    }
    if (*got == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*got));
  }
  if (ok) *ok = true;
  return out;
}

}  // namespace

TEST(ParquetDelta, SpecExamples) {
  // Example 1 (1..5) with the smallest valid block (128 values, 4 miniblocks of 32): header 128, 4,
  // 5, zigzag(1); one block: zigzag(min delta 1), four widths of 0, no miniblock bodies.
  const Bytes ex1 = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00};
  bool ok = false;
  EXPECT_EQ(decode_delta_all<std::int32_t>(ex1, 100, &ok), (std::vector<std::int32_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(ok);
  pq::DeltaBinaryPackedDecoder<std::int64_t> d64;
  ASSERT_TRUE(d64.reset(ex1.data(), ex1.size()).ok());
  EXPECT_EQ(*d64.encoded_length(), ex1.size());
  Bytes enc;
  const std::int32_t v1[] = {1, 2, 3, 4, 5};
  pq::encode_delta_binary_packed(v1, 5, enc);
  EXPECT_EQ(enc, ex1);

  // Example 2 (7, 5, 3, 1, 2, 3, 4, 5): min delta -2 (zigzag 3), relative deltas 0,0,0,3,3,3,3 at
  // 2 bits in the first miniblock (8 bytes for 32 values, the rest padding); the unused miniblocks'
  // widths are arbitrary (0xFF here) and their bodies absent.
  const Bytes ex2 = {0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0xFF, 0xFF, 0xFF,
                     0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(decode_delta_all<std::int64_t>(ex2, 3, &ok), (std::vector<std::int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(ok);
  pq::DeltaBinaryPackedDecoder<std::int32_t> d32;
  ASSERT_TRUE(d32.reset(ex2.data(), ex2.size()).ok());
  EXPECT_EQ(*d32.encoded_length(), ex2.size());
  std::int32_t out[8];
  ASSERT_EQ(*d32.get_batch(out, 8), 8u);
  EXPECT_EQ(d32.bytes_consumed(), ex2.size());
  // Padding bits need not be zero.
  Bytes noisy = ex2;
  noisy[11] = 0xFF;
  for (std::size_t i = 12; i < noisy.size(); ++i) noisy[i] = 0xAB;
  EXPECT_EQ(decode_delta_all<std::int32_t>(noisy, 8, &ok), (std::vector<std::int32_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(ok);

  // The spec's own block size of 8 is not valid in real files.
  const Bytes bs8 = {0x08, 0x01, 0x05, 0x02, 0x02, 0x00};
  EXPECT_TRUE(is_parse_error(d32.reset(bs8.data(), bs8.size())));
}

template <class T>
void delta_round_trips(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  using Lim = std::numeric_limits<T>;
  const std::pair<std::uint32_t, std::uint32_t> shapes[] = {{128, 4}, {128, 1}, {256, 8}, {1024, 32}, {128, 2}};
  for (const auto& [block, minis] : shapes) {
    for (std::size_t n : lengths_with_random(rng)) {
      for (int kind = 0; kind < 5; ++kind) {
        std::vector<T> v(n);
        for (std::size_t i = 0; i < n; ++i) {
          switch (kind) {
            case 0: v[i] = static_cast<T>(rng()); break;                                   // full width
            case 1: v[i] = static_cast<T>(i * 3 + rng() % 5); break;                       // small deltas
            case 2: v[i] = i % 2 ? Lim::max() : Lim::min(); break;                         // overflowing deltas
            case 3: v[i] = static_cast<T>(42); break;                                      // width 0
            default: v[i] = static_cast<T>(static_cast<std::int64_t>(rng() % 1000) - 500) * (i % 64 < 32 ? 1 : 1000);
          }
        }
        Bytes enc;
        pq::encode_delta_binary_packed(v.data(), n, enc, block, minis);
        pq::DeltaBinaryPackedDecoder<T> d;
        ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
        ASSERT_EQ(d.total_count(), n);
        ASSERT_EQ(*d.encoded_length(), enc.size()) << block << "/" << minis << " n " << n << " kind " << kind;
        bool ok = false;
        ASSERT_EQ(decode_delta_all<T>(enc, n + 1, &ok), v) << block << "/" << minis << " n " << n << " kind " << kind;
        ASSERT_TRUE(ok);
        ASSERT_EQ(decode_delta_all<T>(enc, rng() % 40 + 1, &ok), v);
        // Batches and skips mixed.
        ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
        std::size_t pos = 0;
        while (pos < n) {
          const std::size_t k = std::min<std::size_t>(n - pos, rng() % 100 + 1);
          if (rng() % 3 == 0) {
            ASSERT_EQ(*d.skip(k), k);
          } else {
            std::vector<T> part(k);
            ASSERT_EQ(*d.get_batch(part.data(), k), k);
            ASSERT_TRUE(std::equal(part.begin(), part.end(), v.begin() + static_cast<std::ptrdiff_t>(pos)));
          }
          pos += k;
        }
        T extra;
        ASSERT_EQ(*d.get_batch(&extra, 1), 0u);
        ASSERT_EQ(d.bytes_consumed(), enc.size());
      }
    }
  }
}

TEST(ParquetDelta, RoundTripInt32) { delta_round_trips<std::int32_t>(14); }
TEST(ParquetDelta, RoundTripInt64) { delta_round_trips<std::int64_t>(15); }

TEST(ParquetDelta, EveryMiniblockWidth) {
  // Deltas of exactly w bits for every width the type allows, so each unpack kernel runs.
  std::mt19937_64 rng(16);
  for (int w = 0; w <= 64; ++w) {
    std::vector<std::int64_t> v(300);
    // Each miniblock holds a delta of 0 and one of 2^w - 1, so its width is exactly w.
    std::uint64_t acc = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::uint64_t delta = i % 32 == 1 ? 0 : i % 32 == 2 ? mask_of(w) : rng() & mask_of(w);
      acc += delta;
      v[i] = static_cast<std::int64_t>(acc);
    }
    Bytes enc;
    pq::encode_delta_binary_packed(v.data(), v.size(), enc);
    bool ok = false;
    ASSERT_EQ(decode_delta_all<std::int64_t>(enc, 77, &ok), v) << w;
    ASSERT_TRUE(ok);
    if (w <= 32) {
      std::vector<std::int32_t> v32(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) v32[i] = static_cast<std::int32_t>(v[i] & 0xFFFFFFFF);
      Bytes e32;
      pq::encode_delta_binary_packed(v32.data(), v32.size(), e32);
      ASSERT_EQ(decode_delta_all<std::int32_t>(e32, 77, &ok), v32) << w;
      ASSERT_TRUE(ok);
    }
  }
}

TEST(ParquetDelta, HostileHeaders) {
  pq::DeltaBinaryPackedDecoder<std::int32_t> d;
  std::vector<std::int32_t> out(100000);
  // Widths above the type.
  const Bytes w33 = {0x80, 0x01, 0x04, 0x03, 0x00, 0x00, 33, 0, 0, 0};
  ASSERT_TRUE(d.reset(w33.data(), w33.size()).ok());
  auto got = d.get_batch(out.data(), 3);
  ASSERT_TRUE(is_parse_error(got));
  EXPECT_NE(got.error().message().find("bit width 33"), std::string::npos);
  EXPECT_TRUE(is_parse_error(d.encoded_length()));
  pq::DeltaBinaryPackedDecoder<std::int64_t> d64;
  const Bytes w65 = {0x80, 0x01, 0x04, 0x03, 0x00, 0x00, 65, 0, 0, 0};
  ASSERT_TRUE(d64.reset(w65.data(), w65.size()).ok());
  std::int64_t o64[4];
  EXPECT_TRUE(is_parse_error(d64.get_batch(o64, 3)));
  // Block sizes and miniblock counts that break the rules.
  for (const Bytes& bad : {Bytes{0x00, 0x01, 0x01, 0x00}, Bytes{0x40, 0x01, 0x01, 0x00}, Bytes{0x80, 0x01, 0x00, 0x01, 0x00},
                           Bytes{0x80, 0x01, 0x03, 0x01, 0x00}, Bytes{0x80, 0x01, 0x08, 0x01, 0x00},
                           Bytes{0x80, 0x01, 0x04}, Bytes{}, Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x01}}) {
    EXPECT_TRUE(is_parse_error(d.reset(bad.data(), bad.size())));
  }
  // A huge count whose blocks are missing: an error once the data ends, not a long loop.
  const Bytes huge = {0x80, 0x01, 0x04, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  ASSERT_TRUE(d.reset(huge.data(), huge.size()).ok());
  EXPECT_EQ(d.total_count(), 0xFFFFFFFFu);
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), out.size())));
  EXPECT_TRUE(is_parse_error(d.encoded_length()));
  // A block of 2^31 values at width 0 costs two bytes: values come as asked, and the walk is short.
  const Bytes giant_block = {0x80, 0x80, 0x80, 0x80, 0x08, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x02, 0x00};
  ASSERT_TRUE(d.reset(giant_block.data(), giant_block.size()).ok());
  got = d.get_batch(out.data(), out.size());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, out.size());
  EXPECT_EQ(out[99999], 99999);
  EXPECT_TRUE(is_parse_error(d.encoded_length()));  // the second block is missing
  // Overlong varints in the block header.
  const Bytes long_min = {0x80, 0x01, 0x04, 0x03, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0};
  ASSERT_TRUE(d.reset(long_min.data(), long_min.size()).ok());
  EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 3)));
  // The first value and min delta wrap into int32 (a writer may zigzag them as 64-bit numbers).
  Bytes wrap = {0x80, 0x01, 0x04, 0x02};
  pq::detail::write_uleb(wrap, pq::detail::zigzag_encode(std::int64_t{0x100000005}));
  pq::detail::write_uleb(wrap, pq::detail::zigzag_encode(std::int64_t{-0x100000000} + 3));
  wrap.insert(wrap.end(), {0, 0, 0, 0});
  bool ok = false;
  EXPECT_EQ(decode_delta_all<std::int32_t>(wrap, 10, &ok), (std::vector<std::int32_t>{5, 8}));
  EXPECT_TRUE(ok);
}

TEST(ParquetDelta, TruncatedAtEveryByte) {
  std::mt19937_64 rng(17);
  std::vector<std::int64_t> v(700);
  for (auto& x : v) x = static_cast<std::int64_t>(rng() % 100000);
  Bytes enc;
  pq::encode_delta_binary_packed(v.data(), v.size(), enc);
  for (std::size_t c = 0; c < enc.size(); ++c) {
    const Bytes part = cut(enc, c);
    bool ok = true;
    const auto got = decode_delta_all<std::int64_t>(part, 64, &ok);
    ASSERT_FALSE(ok) << "cut " << c;  // the count says 700: a cut page always runs out
    ASSERT_TRUE(std::equal(got.begin(), got.end(), v.begin()));
    pq::DeltaBinaryPackedDecoder<std::int64_t> d;
    if (d.reset(part.data(), part.size()).ok()) {
      ASSERT_TRUE(is_parse_error(d.encoded_length()));
    }
  }
}

// ---------------------------------------------------------------- DELTA_LENGTH_BYTE_ARRAY

TEST(ParquetDeltaLength, SpecExample) {
  const std::vector<std::string> s = {"Hello", "World", "Foobar", "ABCDEF"};
  const auto views = views_of(s);
  Bytes enc;
  pq::encode_delta_length_byte_array(views.data(), views.size(), enc);
  Bytes lengths;
  const std::int32_t lens[] = {5, 5, 6, 6};
  pq::encode_delta_binary_packed(lens, 4, lengths);
  ASSERT_EQ(enc.size(), lengths.size() + 22);
  EXPECT_TRUE(std::equal(lengths.begin(), lengths.end(), enc.begin()));
  EXPECT_EQ(std::string(enc.end() - 22, enc.end()), "HelloWorldFoobarABCDEF");
  pq::DeltaLengthByteArrayDecoder d;
  ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
  pq::BinaryOut out;
  auto got = d.get_batch(out, 10);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 4u);
  EXPECT_EQ(strings_of(out), s);
  EXPECT_EQ(d.bytes_consumed(), enc.size());
}

TEST(ParquetDeltaLength, RoundTripsAndBatches) {
  std::mt19937_64 rng(18);
  for (std::size_t n : lengths_with_random(rng)) {
    const auto s = random_strings(rng, n, false);
    const auto views = views_of(s);
    Bytes enc;
    pq::encode_delta_length_byte_array(views.data(), n, enc);
    pq::DeltaLengthByteArrayDecoder d;
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    pq::BinaryOut out;
    std::vector<std::string> expect;
    std::size_t pos = 0;
    while (pos < n) {
      const std::size_t k = std::min<std::size_t>(n - pos, rng() % 300 + 1);
      const int how = static_cast<int>(rng() % 3);
      if (how == 0) {
        ASSERT_EQ(*d.skip(k), k);
      } else if (how == 1) {
        ASSERT_EQ(*d.get_batch(out, k), k);
        expect.insert(expect.end(), s.begin() + static_cast<std::ptrdiff_t>(pos), s.begin() + static_cast<std::ptrdiff_t>(pos + k));
      } else {
        std::vector<pq::ByteArrayView> v(k);
        ASSERT_EQ(*d.get_views(v.data(), k), k);
        for (std::size_t i = 0; i < k; ++i) ASSERT_EQ(v[i].as_string_view(), s[pos + i]);
      }
      pos += k;
    }
    EXPECT_EQ(strings_of(out), expect);
    EXPECT_EQ(d.bytes_consumed(), enc.size());
  }
}

TEST(ParquetDeltaLength, BadLengths) {
  // A negative length, and lengths summing past the end.
  for (const std::vector<std::int32_t>& lens : {std::vector<std::int32_t>{1, -1, 1}, std::vector<std::int32_t>{1, 2, 30}}) {
    Bytes enc;
    pq::encode_delta_binary_packed(lens.data(), lens.size(), enc);
    enc.insert(enc.end(), {'a', 'b', 'c', 'd', 'e'});
    pq::DeltaLengthByteArrayDecoder d;
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    pq::BinaryOut out;
    EXPECT_TRUE(is_parse_error(d.get_batch(out, 3)));
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    EXPECT_TRUE(is_parse_error(d.skip(3)));
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    pq::ByteArrayView v[3];
    EXPECT_TRUE(is_parse_error(d.get_views(v, 3)));
  }
  // Cut anywhere.
  std::mt19937_64 rng(19);
  const auto s = random_strings(rng, 300, false);
  const auto views = views_of(s);
  Bytes enc;
  pq::encode_delta_length_byte_array(views.data(), views.size(), enc);
  for (std::size_t c = 0; c < enc.size(); ++c) {
    const Bytes part = cut(enc, c);
    pq::DeltaLengthByteArrayDecoder d;
    if (!d.reset(part.data(), part.size()).ok()) continue;
    pq::BinaryOut out;
    EXPECT_TRUE(is_parse_error(d.get_batch(out, 300))) << c;
  }
}

// ---------------------------------------------------------------- DELTA_BYTE_ARRAY

TEST(ParquetDeltaByteArray, SpecExample) {
  const std::vector<std::string> s = {"axis", "axle", "babble", "babyhood"};
  const auto views = views_of(s);
  Bytes enc;
  pq::encode_delta_byte_array(views.data(), views.size(), enc);
  // Prefix lengths 0, 2, 0, 3; suffix lengths 4, 2, 6, 5; then "axislebabbleyhood".
  Bytes expect;
  const std::int32_t prefixes[] = {0, 2, 0, 3};
  const std::int32_t suffixes[] = {4, 2, 6, 5};
  pq::encode_delta_binary_packed(prefixes, 4, expect);
  pq::encode_delta_binary_packed(suffixes, 4, expect);
  const std::string tail = "axislebabbleyhood";
  expect.insert(expect.end(), tail.begin(), tail.end());
  EXPECT_EQ(enc, expect);
  pq::DeltaByteArrayDecoder d;
  ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
  pq::BinaryOut out;
  ASSERT_EQ(*d.get_batch(out, 2), 2u);
  pq::BinaryOut out2;  // the previous value carries over to another output
  ASSERT_EQ(*d.get_batch(out2, 5), 2u);
  EXPECT_EQ(strings_of(out), (std::vector<std::string>{"axis", "axle"}));
  EXPECT_EQ(strings_of(out2), (std::vector<std::string>{"babble", "babyhood"}));
  EXPECT_EQ(d.bytes_consumed(), enc.size());
}

TEST(ParquetDeltaByteArray, RoundTripsAndBatches) {
  std::mt19937_64 rng(20);
  for (std::size_t n : lengths_with_random(rng)) {
    const auto s = random_strings(rng, n, true);
    const auto views = views_of(s);
    Bytes enc;
    pq::encode_delta_byte_array(views.data(), n, enc);
    pq::DeltaByteArrayDecoder d;
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    ASSERT_EQ(d.total_count(), n);
    std::vector<std::string> got, expect;
    std::size_t pos = 0;
    while (pos < n) {
      const std::size_t k = std::min<std::size_t>(n - pos, rng() % 600 + 1);
      if (rng() % 3 == 0) {
        ASSERT_EQ(*d.skip(k), k);
      } else {
        pq::BinaryOut out;
        ASSERT_EQ(*d.get_batch(out, k), k);
        const auto part = strings_of(out);
        got.insert(got.end(), part.begin(), part.end());
        expect.insert(expect.end(), s.begin() + static_cast<std::ptrdiff_t>(pos), s.begin() + static_cast<std::ptrdiff_t>(pos + k));
      }
      pos += k;
    }
    EXPECT_EQ(got, expect);
    pq::BinaryOut rest;
    EXPECT_EQ(*d.get_batch(rest, 1), 0u);
  }
}

TEST(ParquetDeltaByteArray, FixedLength) {
  std::mt19937_64 rng(21);
  const std::size_t width = 6, n = 1000;
  std::vector<std::string> s;
  for (std::size_t i = 0; i < n; ++i) {
    std::string x = i > 0 && rng() % 2 ? s.back().substr(0, rng() % width) : std::string();
    while (x.size() < width) x.push_back(static_cast<char>('a' + rng() % 3));
    s.push_back(x);
  }
  const auto views = views_of(s);
  Bytes enc;
  pq::encode_delta_byte_array(views.data(), n, enc);
  pq::DeltaByteArrayDecoder d;
  ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
  Bytes out(n * width);
  std::size_t pos = 0;
  while (pos < n) {
    const std::size_t k = std::min<std::size_t>(n - pos, rng() % 300 + 1);
    if (rng() % 4 == 0) {
      ASSERT_EQ(*d.skip(k), k);
      for (std::size_t i = 0; i < k; ++i) std::memcpy(out.data() + (pos + i) * width, s[pos + i].data(), width);
    } else {
      ASSERT_EQ(*d.get_fixed(out.data() + pos * width, k, width), k);
    }
    pos += k;
  }
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(std::string(reinterpret_cast<const char*>(out.data()) + i * width, width), s[i]);
  // A value of another length is refused.
  ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
  EXPECT_TRUE(is_parse_error(d.get_fixed(out.data(), 10, width + 1)));
}

TEST(ParquetDeltaByteArray, HostileInput) {
  // A prefix longer than the value before it.
  {
    Bytes enc;
    const std::int32_t prefixes[] = {0, 5};
    pq::encode_delta_binary_packed(prefixes, 2, enc);
    const std::vector<std::string> suffix = {"ab", "c"};
    const auto sv = views_of(suffix);
    pq::encode_delta_length_byte_array(sv.data(), 2, enc);
    pq::DeltaByteArrayDecoder d;
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    pq::BinaryOut out;
    auto got = d.get_batch(out, 2);
    ASSERT_TRUE(is_parse_error(got));
    EXPECT_NE(got.error().message().find("prefix length 5"), std::string::npos);
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    EXPECT_TRUE(is_parse_error(d.skip(2)));
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    std::uint8_t fixed[4];
    EXPECT_TRUE(is_parse_error(d.get_fixed(fixed, 2, 2)));
  }
  // A first value with a prefix (there is nothing before it), and a negative prefix.
  for (const std::int32_t first : {1, -1}) {
    Bytes enc;
    pq::encode_delta_binary_packed(&first, 1, enc);
    const std::vector<std::string> suffix = {"ab"};
    const auto sv = views_of(suffix);
    pq::encode_delta_length_byte_array(sv.data(), 1, enc);
    pq::DeltaByteArrayDecoder d;
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    pq::BinaryOut out;
    EXPECT_TRUE(is_parse_error(d.get_batch(out, 1)));
  }
  // Prefix and suffix counts that differ.
  {
    Bytes enc;
    const std::int32_t prefixes[] = {0, 0, 0};
    pq::encode_delta_binary_packed(prefixes, 3, enc);
    const std::vector<std::string> suffix = {"a", "b"};
    const auto sv = views_of(suffix);
    pq::encode_delta_length_byte_array(sv.data(), 2, enc);
    pq::DeltaByteArrayDecoder d;
    EXPECT_TRUE(is_parse_error(d.reset(enc.data(), enc.size())));
  }
  // Prefixes repeat a 4000-byte value 100000 times: the output limit stops it, not the allocator.
  {
    std::vector<std::int32_t> prefixes(100000, 4000);
    prefixes[0] = 0;
    Bytes enc;
    pq::encode_delta_binary_packed(prefixes.data(), prefixes.size(), enc);
    std::vector<std::string> suffix(100000);
    suffix[0] = std::string(4000, 'z');
    const auto sv = views_of(suffix);
    pq::encode_delta_length_byte_array(sv.data(), sv.size(), enc);
    EXPECT_LT(enc.size(), 20000u);  // and the values would take 400 MB
    pq::DeltaByteArrayDecoder d;
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    pq::BinaryOut out(1 << 24);
    auto got = d.get_batch(out, 100000);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), sluice::ErrorCode::kLimitExceeded);
    ASSERT_TRUE(d.reset(enc.data(), enc.size()).ok());
    EXPECT_EQ(*d.skip(100000), 100000u);  // skipping keeps one value, not all of them
  }
  // Cut anywhere.
  std::mt19937_64 rng(22);
  const auto s = random_strings(rng, 300, true);
  const auto views = views_of(s);
  Bytes enc;
  pq::encode_delta_byte_array(views.data(), views.size(), enc);
  for (std::size_t c = 0; c < enc.size(); ++c) {
    const Bytes part = cut(enc, c);
    pq::DeltaByteArrayDecoder d;
    if (!d.reset(part.data(), part.size()).ok()) continue;
    pq::BinaryOut out;
    EXPECT_TRUE(is_parse_error(d.get_batch(out, 300))) << c;
  }
}

// ---------------------------------------------------------------- BYTE_STREAM_SPLIT

TEST(ParquetByteStreamSplit, SpecExample) {
  const Bytes page = {0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6};
  pq::ByteStreamSplitDecoder d;
  ASSERT_TRUE(d.reset(page.data(), page.size(), 4, 3).ok());
  Bytes out(12);
  ASSERT_TRUE(d.get_batch(out.data(), 3).ok());
  EXPECT_EQ(out, (Bytes{0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6}));
  Bytes enc;
  pq::encode_byte_stream_split(out.data(), 3, 4, enc);
  EXPECT_EQ(enc, page);
}

TEST(ParquetByteStreamSplit, RoundTripsAndSubranges) {
  std::mt19937_64 rng(23);
  for (std::size_t width : {1, 2, 3, 4, 5, 8, 12, 16}) {
    for (std::size_t n : lengths_with_random(rng)) {
      Bytes values(n * width);
      for (auto& b : values) b = static_cast<std::uint8_t>(rng());
      Bytes enc;
      pq::encode_byte_stream_split(values.data(), n, width, enc);
      ASSERT_EQ(enc.size(), n * width);
      pq::ByteStreamSplitDecoder d;
      ASSERT_TRUE(d.reset(enc.data(), enc.size(), width, n).ok());
      Bytes out(n * width);
      std::size_t pos = 0;
      while (pos < n) {
        const std::size_t k = std::min<std::size_t>(n - pos, rng() % 100 + 1);
        if (rng() % 3 == 0) {
          ASSERT_TRUE(d.skip(k).ok());
          std::memcpy(out.data() + pos * width, values.data() + pos * width, k * width);
        } else {
          ASSERT_TRUE(d.get_batch(out.data() + pos * width, k).ok());
        }
        pos += k;
      }
      ASSERT_EQ(out, values) << width << " " << n;
      EXPECT_TRUE(is_parse_error(d.get_batch(out.data(), 1)));
    }
  }
  std::vector<double> dv = {1.5, -2.25, 1e300, 0.0};
  Bytes enc;
  pq::encode_byte_stream_split(reinterpret_cast<const std::uint8_t*>(dv.data()), dv.size(), 8, enc);
  pq::ByteStreamSplitDecoder d;
  ASSERT_TRUE(d.reset(enc.data(), enc.size(), 8, 4).ok());
  std::vector<double> back(4);
  ASSERT_TRUE(d.get_values(back.data(), 4).ok());
  EXPECT_EQ(back, dv);
  ASSERT_TRUE(d.reset(enc.data(), enc.size(), 8, 4).ok());
  float f[4];
  EXPECT_EQ(d.get_values(f, 1).error().code(), sluice::ErrorCode::kInvalidArgument);
  EXPECT_TRUE(is_parse_error(d.reset(enc.data(), enc.size(), 8, 5)));
  EXPECT_TRUE(is_parse_error(d.reset(enc.data(), enc.size(), 8, std::numeric_limits<std::size_t>::max())));
  EXPECT_EQ(d.reset(enc.data(), enc.size(), 0, 1).error().code(), sluice::ErrorCode::kInvalidArgument);
}
