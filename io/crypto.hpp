// Hashes, HMAC and encodings for request signing, on OpenSSL's libcrypto (EVP). Private to sluice_io.
// Failures of libcrypto itself (allocation, a broken provider) abort: no signature can be made then.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sluice/core/error.hpp"

namespace sluice::io::crypto {

using Digest256 = std::array<std::uint8_t, 32>;

Digest256 sha256(std::string_view bytes);
Digest256 sha256(std::span<const std::byte> bytes);
// Lowercase hex of the SHA-256 of bytes (the form SigV4 uses everywhere).
std::string sha256_hex(std::string_view bytes);

// SHA-256 over data given in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view bytes);
  void update(std::span<const std::byte> bytes);
  // The digest of everything given so far; the object then starts over, empty.
  Digest256 finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Digest256 hmac_sha256(std::string_view key, std::string_view data);
Digest256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);

// Base64 of the MD5 of bytes: the value of a Content-MD5 header.
std::string md5_base64(std::string_view bytes);

// CRC-32C (Castagnoli, as iSCSI and S3's flexible checksums use it), continuing from `crc` (0 to
// start). SSE4.2's crc32 instruction where the CPU has it (~8 GB/s), else tables (~1 GB/s).
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);
// Base64 of the CRC-32C's four bytes, most significant first: the value of x-amz-checksum-crc32c.
std::string crc32c_base64(std::string_view bytes);
namespace detail {
std::uint32_t crc32c_tables(std::string_view bytes, std::uint32_t crc = 0);  // the portable path (tests)
}

std::string hex_lower(std::span<const std::uint8_t> bytes);
std::string hex_lower(std::string_view bytes);

// Standard alphabet with '=' padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);
// Strict: the length must be a multiple of 4, padding only at the end, no whitespace.
Result<std::string> base64_decode(std::string_view text);

// Overwrites memory that held key material (not optimised away).
void cleanse(std::string& s) noexcept;

}  // namespace sluice::io::crypto
