// Split-block bloom filters (the Parquet spec's only kind) with their xxHash64 hashing: enough to
// ask whether a value may be in a column chunk, so that `=` and `IN` filters skip row groups.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "parquet/metadata.hpp"

namespace sluice::parquet {

// XXH64 of `data` with `seed` (the spec hashes the PLAIN encoding of a value, seed 0).
std::uint64_t xxhash64(const void* data, std::size_t size, std::uint64_t seed = 0) noexcept;

// The bitset size (a power of two from 32 bytes to 128 MiB) that holds `ndv` distinct values at the
// false positive probability `fpp` (the spec's sizing formula).
std::size_t bloom_filter_bytes(std::size_t ndv, double fpp) noexcept;

// Sets the bits of a value's hash in a bitset of `num_words` 32-bit words (whole 32-byte blocks):
// the writer's side of BloomFilter::might_contain.
void bloom_filter_insert(std::uint32_t* words, std::size_t num_words, std::uint64_t hash) noexcept;

class BloomFilter {
 public:
  // A filter from the bytes at bloom_filter_offset: its Thrift header then numBytes of bitset.
  // `*needed` (if given) is set to the whole filter's size when `bytes` holds only its start.
  static Result<BloomFilter> parse(std::span<const std::uint8_t> bytes, std::size_t* needed = nullptr);

  // False when the value whose hash this is is certainly absent.
  bool might_contain(std::uint64_t hash) const noexcept;

 private:
  std::vector<std::uint32_t> words_;  // 8 per 32-byte block
};

}  // namespace sluice::parquet
