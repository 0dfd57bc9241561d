// Microbenchmarks of the Parquet value decoders on generated pages (Google Benchmark). Items/s are
// values decoded per second; bytes/s count the encoded page. Build: the parquet_encoding_bench target
// (not built by default; configure with -DSLUICE_PARQUET_WIP=ON).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "parquet/encoding/encoding.hpp"

namespace pq = sluice::parquet;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr std::size_t kValues = 1 << 20;
constexpr std::size_t kBatch = 4096;  // values per call, as a column reader would ask
// Byte-array outputs are handed off every kRowsPerOut values, as a reader hands off record batches
// (otherwise the benchmark measures growing one 20 MB buffer and its page faults).
constexpr std::size_t kRowsPerOut = 1 << 16;

std::vector<std::uint32_t> random_values(int width, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint32_t> v(kValues);
  const std::uint64_t mask = width == 32 ? 0xFFFFFFFFull : (1ull << width) - 1;
  for (auto& x : v) x = static_cast<std::uint32_t>(rng() & mask);
  return v;
}

void set_counters(benchmark::State& state, std::size_t page_bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kValues));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page_bytes));
}

// Bit-packed dictionary indices (random, so the encoder emits bit-packed runs only).
void BM_RleBitPacked(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0));
  const auto v = random_values(w, 1);
  Bytes page;
  pq::encode_rle_bit_packed(v.data(), v.size(), w, page);
  std::vector<std::uint32_t> out(kBatch);
  for (auto _ : state) {
    pq::RleBitPackedDecoder d;
    (void)d.reset(page.data(), page.size(), w);
    for (std::size_t i = 0; i < kValues; i += kBatch) benchmark::DoNotOptimize(d.get_batch(out.data(), kBatch));
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_RleBitPacked)->Arg(1)->Arg(3)->Arg(8)->Arg(12)->Arg(17)->Arg(20)->Arg(32);

// Definition levels of a nullable column (max level 1, short runs of nulls) into int16_t and bitmaps.
Bytes levels_page(std::vector<std::uint32_t>* values = nullptr) {
  std::mt19937_64 rng(2);
  std::vector<std::uint32_t> v(kValues);
  for (std::size_t i = 0; i < kValues;) {
    const std::size_t len = std::min<std::size_t>(kValues - i, rng() % 64 + 1);
    const std::uint32_t x = rng() % 5 != 0;
    for (std::size_t k = 0; k < len; ++k) v[i + k] = rng() % 8 == 0 ? 1 - x : x;
    i += len;
  }
  Bytes page;
  pq::encode_rle_bit_packed(v.data(), v.size(), 1, page);
  if (values) *values = std::move(v);
  return page;
}

void BM_RleLevelsInt16(benchmark::State& state) {
  const Bytes page = levels_page();
  std::vector<std::int16_t> out(kBatch);
  for (auto _ : state) {
    pq::RleBitPackedDecoder d;
    (void)d.reset(page.data(), page.size(), 1);
    for (std::size_t i = 0; i < kValues; i += kBatch) benchmark::DoNotOptimize(d.get_batch(out.data(), kBatch));
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_RleLevelsInt16);

void BM_RleLevelsBitmap(benchmark::State& state) {
  const Bytes page = levels_page();
  Bytes bits(kValues / 8 + 8);
  for (auto _ : state) {
    pq::RleBooleanDecoder d;
    d.reset(page.data(), page.size());
    for (std::size_t i = 0; i < kValues; i += kBatch) {
      benchmark::DoNotOptimize(d.get_batch(bits.data(), static_cast<std::int64_t>(i), kBatch));
    }
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_RleLevelsBitmap);

// Dictionary-encoded int64 (fused index check and gather).
void BM_DictionaryGatherInt64(benchmark::State& state) {
  const int w = static_cast<int>(state.range(0));
  const auto idx = random_values(w, 3);
  Bytes page = {static_cast<std::uint8_t>(w)};
  pq::encode_rle_bit_packed(idx.data(), idx.size(), w, page);
  const std::uint32_t dict_size = 1u << w;
  std::vector<std::int64_t> dict_values(dict_size);
  for (std::uint32_t i = 0; i < dict_size; ++i) dict_values[i] = i * 1000003;
  pq::FixedDictionary dict;
  (void)dict.decode_plain(reinterpret_cast<const std::uint8_t*>(dict_values.data()), dict_size * 8, dict_size, 8);
  std::vector<std::int64_t> out(kBatch);
  for (auto _ : state) {
    pq::RleBitPackedDecoder d;
    (void)pq::reset_dictionary_indices(d, page.data(), page.size());
    for (std::size_t i = 0; i < kValues; i += kBatch) {
      benchmark::DoNotOptimize(dict.gather(d, reinterpret_cast<std::uint8_t*>(out.data()), kBatch));
    }
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_DictionaryGatherInt64)->Arg(4)->Arg(10)->Arg(16);

void BM_DictionaryGatherString(benchmark::State& state) {
  const int w = 10;
  const auto idx = random_values(w, 4);
  Bytes page = {static_cast<std::uint8_t>(w)};
  pq::encode_rle_bit_packed(idx.data(), idx.size(), w, page);
  std::vector<std::string> strings;
  std::mt19937_64 rng(5);
  for (int i = 0; i < (1 << w); ++i) strings.push_back(std::string(rng() % 16 + 4, static_cast<char>('a' + i % 26)));
  std::vector<pq::ByteArrayView> views;
  for (auto& s : strings) views.push_back({reinterpret_cast<const std::uint8_t*>(s.data()), static_cast<std::uint32_t>(s.size())});
  Bytes dict_page;
  pq::encode_plain_byte_arrays(views.data(), views.size(), dict_page);
  pq::BinaryDictionary dict;
  (void)dict.decode_plain(dict_page.data(), dict_page.size(), views.size(), nullptr);
  for (auto _ : state) {
    pq::RleBitPackedDecoder d;
    (void)pq::reset_dictionary_indices(d, page.data(), page.size());
    pq::BinaryOut out;
    for (std::size_t i = 0; i < kValues; i += kBatch) {
      benchmark::DoNotOptimize(dict.gather(d, out, kBatch));
      if ((i + kBatch) % kRowsPerOut == 0) benchmark::DoNotOptimize(out.finish());
    }
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_DictionaryGatherString);

template <class T>
void BM_DeltaBinaryPacked(benchmark::State& state) {
  // Sorted-ish values (timestamps, ids): small positive deltas with noise of `range` bits.
  const int range = static_cast<int>(state.range(0));
  std::mt19937_64 rng(6);
  std::vector<T> v(kValues);
  std::uint64_t acc = 1000000;
  for (auto& x : v) {
    acc += rng() & ((std::uint64_t{1} << range) - 1);
    x = static_cast<T>(acc);
  }
  Bytes page;
  pq::encode_delta_binary_packed(v.data(), v.size(), page);
  std::vector<T> out(kBatch);
  for (auto _ : state) {
    pq::DeltaBinaryPackedDecoder<T> d;
    (void)d.reset(page.data(), page.size());
    for (std::size_t i = 0; i < kValues; i += kBatch) benchmark::DoNotOptimize(d.get_batch(out.data(), kBatch));
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_DeltaBinaryPacked<std::int32_t>)->Arg(4)->Arg(12)->Arg(20);
BENCHMARK(BM_DeltaBinaryPacked<std::int64_t>)->Arg(4)->Arg(12)->Arg(20)->Arg(40);

void BM_PlainInt64(benchmark::State& state) {
  std::vector<std::int64_t> v(kValues, 7);
  Bytes page;
  pq::encode_plain(v.data(), v.size(), page);
  std::vector<std::int64_t> out(kBatch);
  for (auto _ : state) {
    pq::PlainDecoder d;
    d.reset(page.data(), page.size());
    for (std::size_t i = 0; i < kValues; i += kBatch) benchmark::DoNotOptimize(d.get_values(out.data(), kBatch));
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_PlainInt64);

std::vector<std::string> bench_strings(bool shared) {
  std::mt19937_64 rng(7);
  std::vector<std::string> s(kValues);
  for (std::size_t i = 0; i < kValues; ++i) {
    if (shared) {
      s[i] = "https://example.com/path/" + std::to_string(i / 16) + "/item" + std::to_string(rng() % 1000);
    } else {
      s[i].resize(rng() % 24 + 4);
      for (auto& c : s[i]) c = static_cast<char>('a' + rng() % 26);
    }
  }
  return s;
}

std::vector<pq::ByteArrayView> views_of(const std::vector<std::string>& s) {
  std::vector<pq::ByteArrayView> v;
  v.reserve(s.size());
  for (auto& x : s) v.push_back({reinterpret_cast<const std::uint8_t*>(x.data()), static_cast<std::uint32_t>(x.size())});
  return v;
}

void BM_PlainByteArray(benchmark::State& state) {
  const auto s = bench_strings(false);
  const auto v = views_of(s);
  Bytes page;
  pq::encode_plain_byte_arrays(v.data(), v.size(), page);
  for (auto _ : state) {
    pq::PlainDecoder d;
    d.reset(page.data(), page.size());
    pq::BinaryOut out;
    for (std::size_t i = 0; i < kValues; i += kBatch) {
      benchmark::DoNotOptimize(d.get_byte_arrays(out, kBatch));
      if ((i + kBatch) % kRowsPerOut == 0) benchmark::DoNotOptimize(out.finish());
    }
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_PlainByteArray);

void BM_DeltaLengthByteArray(benchmark::State& state) {
  const auto s = bench_strings(false);
  const auto v = views_of(s);
  Bytes page;
  pq::encode_delta_length_byte_array(v.data(), v.size(), page);
  for (auto _ : state) {
    pq::DeltaLengthByteArrayDecoder d;
    (void)d.reset(page.data(), page.size());
    pq::BinaryOut out;
    for (std::size_t i = 0; i < kValues; i += kBatch) {
      benchmark::DoNotOptimize(d.get_batch(out, kBatch));
      if ((i + kBatch) % kRowsPerOut == 0) benchmark::DoNotOptimize(out.finish());
    }
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_DeltaLengthByteArray);

void BM_DeltaByteArray(benchmark::State& state) {
  const auto s = bench_strings(true);
  const auto v = views_of(s);
  Bytes page;
  pq::encode_delta_byte_array(v.data(), v.size(), page);
  for (auto _ : state) {
    pq::DeltaByteArrayDecoder d;
    (void)d.reset(page.data(), page.size());
    pq::BinaryOut out;
    for (std::size_t i = 0; i < kValues; i += kBatch) {
      benchmark::DoNotOptimize(d.get_batch(out, kBatch));
      if ((i + kBatch) % kRowsPerOut == 0) benchmark::DoNotOptimize(out.finish());
    }
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_DeltaByteArray);

void BM_ByteStreamSplit(benchmark::State& state) {
  const std::size_t width = static_cast<std::size_t>(state.range(0));
  std::mt19937_64 rng(8);
  Bytes values(kValues * width);
  for (auto& b : values) b = static_cast<std::uint8_t>(rng());
  Bytes page;
  pq::encode_byte_stream_split(values.data(), kValues, width, page);
  Bytes out(kBatch * width);
  for (auto _ : state) {
    pq::ByteStreamSplitDecoder d;
    (void)d.reset(page.data(), page.size(), width, kValues);
    for (std::size_t i = 0; i < kValues; i += kBatch) benchmark::DoNotOptimize(d.get_batch(out.data(), kBatch));
    benchmark::ClobberMemory();
  }
  set_counters(state, page.size());
}
BENCHMARK(BM_ByteStreamSplit)->Arg(2)->Arg(4)->Arg(8)->Arg(16);

}  // namespace

BENCHMARK_MAIN();
