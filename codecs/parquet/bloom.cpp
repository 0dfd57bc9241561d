#include "parquet/bloom.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace sluice::parquet {
namespace {

constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (as the rest of the reader)
}
std::uint32_t load32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
std::uint64_t round(std::uint64_t acc, std::uint64_t lane) {
  acc += lane * kP2;
  acc = std::rotl(acc, 31);
  return acc * kP1;
}
std::uint64_t merge(std::uint64_t acc, std::uint64_t v) {
  acc ^= round(0, v);
  return acc * kP1 + kP4;
}

// The eight salts of the split-block filter (parquet-format BloomFilter.md).
constexpr std::uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                                    0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

// The block of a hash, and the bit its key sets in word i of that block.
inline std::uint64_t block_of(std::uint64_t hash, std::uint64_t blocks) noexcept { return ((hash >> 32) * blocks) >> 32; }
inline std::uint32_t bit_of(std::uint32_t key, int i) noexcept { return std::uint32_t{1} << ((key * kSalt[i]) >> 27); }

}  // namespace

std::size_t bloom_filter_bytes(std::size_t ndv, double fpp) noexcept {
  const double bits = -8.0 * static_cast<double>(std::max<std::size_t>(ndv, 1)) / std::log(1 - std::pow(fpp, 1.0 / 8));
  std::size_t bytes = 32;
  while (bytes < (std::size_t{128} << 20) && static_cast<double>(bytes) * 8 < bits) bytes *= 2;
  return bytes;
}

void bloom_filter_insert(std::uint32_t* words, std::size_t num_words, std::uint64_t hash) noexcept {
  std::uint32_t* w = words + block_of(hash, num_words / 8) * 8;
  const auto key = static_cast<std::uint32_t>(hash);
  for (int i = 0; i < 8; ++i) w[i] |= bit_of(key, i);
}

std::uint64_t xxhash64(const void* data, std::size_t size, std::uint64_t seed) noexcept {
  const auto* p = static_cast<const std::uint8_t*>(data);
  const std::uint8_t* end = p + size;
  std::uint64_t h;
  if (size >= 32) {
    std::uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    const std::uint8_t* limit = end - 32;
    do {
      v1 = round(v1, load64(p));
      v2 = round(v2, load64(p + 8));
      v3 = round(v3, load64(p + 16));
      v4 = round(v4, load64(p + 24));
      p += 32;
    } while (p <= limit);
    h = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = seed + kP5;
  }
  h += static_cast<std::uint64_t>(size);
  while (p + 8 <= end) {
    h ^= round(0, load64(p));
    h = std::rotl(h, 27) * kP1 + kP4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= static_cast<std::uint64_t>(load32(p)) * kP1;
    h = std::rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  while (p < end) {
    h ^= static_cast<std::uint64_t>(*p) * kP5;
    h = std::rotl(h, 11) * kP1;
    ++p;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

Result<BloomFilter> BloomFilter::parse(std::span<const std::uint8_t> bytes, std::size_t* needed) {
  std::uint32_t header_size = 0;
  SLUICE_ASSIGN_OR_RETURN(auto header, parse_bloom_filter_header(bytes, ThriftLimits{}, &header_size));
  const auto n = static_cast<std::size_t>(header.numBytes);
  if (n % 32 != 0 || n == 0 || n > (std::size_t{128} << 20))
    return Error(ErrorCode::kParseError, "a bloom filter of " + std::to_string(n) + " bytes (not a multiple of 32 up to 128 MiB)");
  if (needed) *needed = header_size + n;
  if (bytes.size() - header_size < n)
    return Error(ErrorCode::kParseError, "the bloom filter's bitset is cut off");
  BloomFilter f;
  f.words_.resize(n / 4);
  std::memcpy(f.words_.data(), bytes.data() + header_size, n);
  return f;
}

bool BloomFilter::might_contain(std::uint64_t hash) const noexcept {
  const std::uint32_t* w = words_.data() + block_of(hash, words_.size() / 8) * 8;
  const auto key = static_cast<std::uint32_t>(hash);
  for (int i = 0; i < 8; ++i)
    if ((w[i] & bit_of(key, i)) == 0) return false;
  return true;
}

}  // namespace sluice::parquet
