#include "crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sluice::io::crypto {
namespace {

[[noreturn]] void crypto_failure(const char* what) {
  std::fprintf(stderr, "sluice: libcrypto failed in %s\n", what);
  std::abort();
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, const void* data, std::size_t size, const char* what) {
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  if (EVP_Digest(data, size, out.data(), &len, md, nullptr) != 1 || len != N) crypto_failure(what);
  return out;
}

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Digest256 sha256(std::string_view bytes) {
  return digest<32>(EVP_sha256(), bytes.data(), bytes.size(), "sha256");
}

Digest256 sha256(std::span<const std::byte> bytes) {
  return digest<32>(EVP_sha256(), bytes.data(), bytes.size(), "sha256");
}

std::string sha256_hex(std::string_view bytes) { return hex_lower(sha256(bytes)); }

struct Sha256::Impl {
  MdCtx ctx;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx.reset(EVP_MD_CTX_new());
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx.get(), EVP_sha256(), nullptr) != 1) crypto_failure("Sha256");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(impl_->ctx.get(), bytes.data(), bytes.size()) != 1) crypto_failure("Sha256::update");
}

void Sha256::update(std::span<const std::byte> bytes) {
  if (EVP_DigestUpdate(impl_->ctx.get(), bytes.data(), bytes.size()) != 1) crypto_failure("Sha256::update");
}

Digest256 Sha256::finish() {
  Digest256 out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) != 1 || len != out.size())
    crypto_failure("Sha256::finish");
  if (EVP_DigestInit_ex(impl_->ctx.get(), EVP_sha256(), nullptr) != 1) crypto_failure("Sha256::finish");
  return out;
}

Digest256 hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
  Digest256 out{};
  std::size_t len = 0;
  // EVP_Q_mac wants a non-null key pointer even for an empty key.
  static const unsigned char kEmpty = 0;
  const unsigned char* k = key.empty() ? &kEmpty : key.data();
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, k, key.size(), reinterpret_cast<const unsigned char*>(data.data()),
                data.size(), out.data(), out.size(), &len) == nullptr ||
      len != out.size())
    crypto_failure("hmac_sha256");
  return out;
}

Digest256 hmac_sha256(std::string_view key, std::string_view data) {
  return hmac_sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()), data);
}

std::string md5_base64(std::string_view bytes) {
  const auto d = digest<16>(EVP_md5(), bytes.data(), bytes.size(), "md5");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

namespace {

// Slicing by 8 over the reflected Castagnoli polynomial.
struct Crc32cTables {
  std::uint32_t t[8][256];
  Crc32cTables() {
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
};

std::uint32_t crc32c_portable(const unsigned char* p, std::size_t n, std::uint32_t c) {
  static const Crc32cTables tables;
  const auto& t = tables.t;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
    w ^= c;
    c = t[7][w & 0xff] ^ t[6][(w >> 8) & 0xff] ^ t[5][(w >> 16) & 0xff] ^ t[4][(w >> 24) & 0xff] ^
        t[3][(w >> 32) & 0xff] ^ t[2][(w >> 40) & 0xff] ^ t[1][(w >> 48) & 0xff] ^ t[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
  return c;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const unsigned char* p, std::size_t n, std::uint32_t c) {
  std::uint64_t c64 = c;
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    c64 = __builtin_ia32_crc32di(c64, w);
    p += 8;
    n -= 8;
  }
  c = static_cast<std::uint32_t>(c64);
  while (n--) c = __builtin_ia32_crc32qi(c, *p++);
  return c;
}
// (__builtin_cpu_init first, as the CSV tokenizer's dispatch does: this runs during static
// initialisation, possibly before libgcc's own constructor.)
const bool kHasSse42 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}();
#endif

}  // namespace

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint32_t c = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  if (kHasSse42) return ~crc32c_sse42(p, bytes.size(), c);
#endif
  return ~crc32c_portable(p, bytes.size(), c);
}

std::uint32_t detail::crc32c_tables(std::string_view bytes, std::uint32_t crc) {
  return ~crc32c_portable(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), ~crc);
}

std::string crc32c_base64(std::string_view bytes) {
  const std::uint32_t c = crc32c(bytes);
  const char be[4] = {static_cast<char>(c >> 24), static_cast<char>(c >> 16), static_cast<char>(c >> 8),
                      static_cast<char>(c)};
  return base64_encode(std::string_view(be, 4));
}

std::string hex_lower(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

std::string hex_lower(std::string_view bytes) {
  return hex_lower(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{p[i]} << 16) | (std::uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = std::uint32_t{p[i]} << 16;
    if (rest == 2) v |= std::uint32_t{p[i + 1]} << 8;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0)
    return Error(ErrorCode::kParseError, "base64: length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int pad = 0;
    if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      if (k >= 4 - pad) {
        v <<= 6;
        continue;
      }
      const int d = base64_value(text[i + k]);
      if (d < 0) {
        ErrorContext ctx;
        ctx.byte_offset = static_cast<std::int64_t>(i + k);
        return Error(ErrorCode::kParseError, "base64: invalid character", std::move(ctx));
      }
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    // Bits that padding leaves over must be zero, so that every byte string has one encoding.
    if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0))
      return Error(ErrorCode::kParseError, "base64: non-zero bits before the padding");
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

void cleanse(std::string& s) noexcept {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

}  // namespace sluice::io::crypto
