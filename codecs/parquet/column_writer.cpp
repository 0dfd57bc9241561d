#include "parquet/column_writer.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <limits>
#include <map>
#include <span>
#include <string_view>
#include <type_traits>

#include <zlib.h>

#include "parquet/bloom.hpp"
#include "parquet/compression.hpp"
#include "parquet/encoding/encoding.hpp"
#include "text/format.hpp"

namespace sluice::parquet {
namespace {

using format::Type;

constexpr std::int64_t kMaxPiece = 16384;  // level entries handled at once, between page-size checks
// Bytes kept free in front of a page's PLAIN values, where v1 levels go so that levels and values are
// compressed together without copying the values.
constexpr std::size_t kGap = 8192;

// A growable byte buffer that does not zero what it grows into (the values are written right after).
class ByteBuf {
 public:
  ByteBuf() = default;
  ByteBuf(const ByteBuf&) = delete;
  ByteBuf& operator=(const ByteBuf&) = delete;
  ByteBuf(ByteBuf&& o) noexcept : data_(o.data_), size_(o.size_), cap_(o.cap_) {
    o.data_ = nullptr;
    o.size_ = o.cap_ = 0;
  }
  ByteBuf& operator=(ByteBuf&& o) noexcept {
    if (this != &o) {
      std::free(data_);
      data_ = o.data_;
      size_ = o.size_;
      cap_ = o.cap_;
      o.data_ = nullptr;
      o.size_ = o.cap_ = 0;
    }
    return *this;
  }
  ~ByteBuf() { std::free(data_); }
  std::uint8_t* data() noexcept { return data_; }
  const std::uint8_t* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return cap_; }
  void resize(std::size_t n) {
    reserve(n);
    size_ = n;
  }
  void reserve(std::size_t n) {
    if (n <= cap_) return;
    const std::size_t cap = std::max(n, cap_ + cap_ / 2);
    auto* p = static_cast<std::uint8_t*>(std::realloc(data_, cap));
    if (p == nullptr) throw std::bad_alloc();
    data_ = p;
    cap_ = cap;
  }
  // Grows by n bytes and returns where they start.
  std::uint8_t* extend(std::size_t n) {
    const std::size_t at = size_;
    resize(size_ + n);
    return data_ + at;
  }
  void append(const void* p, std::size_t n) {
    if (n) std::memcpy(extend(n), p, n);
  }
  void release() {
    std::free(data_);
    data_ = nullptr;
    size_ = cap_ = 0;
  }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0, cap_ = 0;
};

// A column chunk's encoded pages as the buffers they were compressed into, in file order. Emptied
// buffers are kept as spares for the next pages (no allocation, no fresh page faults once warm).
class PageList {
 public:
  std::int64_t size() const noexcept { return size_; }
  std::int64_t held() const noexcept {
    std::int64_t n = 0;
    for (const auto& b : segments_) n += static_cast<std::int64_t>(b.capacity());
    for (const auto& b : spare_) n += static_cast<std::int64_t>(b.capacity());
    return n;
  }
  void push(ByteBuf&& b) {
    size_ += static_cast<std::int64_t>(b.size());
    segments_.push_back(std::move(b));
  }
  void push_copy(const void* p, std::size_t n) {
    ByteBuf b = take_spare(n);
    b.append(p, n);
    push(std::move(b));
  }
  // An empty buffer: a spare one whose capacity fits `want` without much waste, else a new one.
  ByteBuf take_spare(std::size_t want = 0) {
    for (std::size_t i = spare_.size(); i-- > 0;) {
      const std::size_t cap = spare_[i].capacity();
      if (cap >= want && (want == 0 || cap - want <= want / 2 + (std::size_t{64} << 10))) {
        ByteBuf b = std::move(spare_[i]);
        spare_.erase(spare_.begin() + static_cast<std::ptrdiff_t>(i));
        b.resize(0);
        return b;
      }
    }
    return ByteBuf();
  }
  // The buffers, for writing elsewhere; the list is left empty (its spares stay).
  std::vector<ByteBuf> take_segments() {
    std::vector<ByteBuf> out = std::move(segments_);
    segments_.clear();
    size_ = 0;
    return out;
  }
  Status write_to(io::Sink& sink) const {
    for (const auto& b : segments_)
      if (b.size()) SLUICE_TRY(sink.write(b.data(), b.size()));
    return ok_status();
  }
  // Empties the list; its buffers become spares, up to `keep` bytes of them.
  void drop_spares() { std::vector<ByteBuf>().swap(spare_); }
  void clear(std::int64_t keep) {
    std::int64_t kept = 0;
    for (const auto& b : spare_) kept += static_cast<std::int64_t>(b.capacity());
    for (auto& b : segments_) {
      if (b.capacity() < (std::size_t{64} << 10) || kept + static_cast<std::int64_t>(b.capacity()) > keep ||
          spare_.size() >= 256)
        continue;
      kept += static_cast<std::int64_t>(b.capacity());
      spare_.push_back(std::move(b));
    }
    segments_.clear();
    size_ = 0;
  }

 private:
  std::vector<ByteBuf> segments_, spare_;
  std::int64_t size_ = 0;
};

// Compresses `in` into `out` (sized to fit, not zeroed first).
Status compress_into(Codec codec, std::span<const std::uint8_t> in, ByteBuf& out, int level) {
  const std::size_t bound = max_compressed_size(codec, in.size());
  out.resize(bound);
  SLUICE_ASSIGN_OR_RETURN(const std::size_t n,
                          compress(codec, in, std::span<std::uint8_t>(out.data(), bound), level));
  out.resize(n);
  return ok_status();
}

// Dictionaries start small: a writer may hold many column chunks at once (one file per partition).
constexpr std::size_t kInitialSlots = 64;

// Open-addressing hash of 64-bit keys to dense indexes in insertion order.
class FixedDict {
 public:
  FixedDict() { rehash(kInitialSlots); }
  std::size_t size() const { return values_.size(); }
  const std::vector<std::uint64_t>& values() const { return values_; }
  // Emptied, its memory given back (a dictionary can grow large; the next chunk starts small).
  void clear() {
    std::vector<std::uint64_t>().swap(values_);
    std::vector<std::int32_t>().swap(slots_);
    rehash(kInitialSlots);
  }
  std::size_t memory() const { return slots_.capacity() * 4 + values_.capacity() * 8; }
  std::uint32_t insert(std::uint64_t key) {
    std::size_t s = slot_of(key);
    while (true) {
      const std::int32_t at = slots_[s];
      if (at < 0) break;
      if (values_[static_cast<std::size_t>(at)] == key) return static_cast<std::uint32_t>(at);
      s = (s + 1) & mask_;
    }
    const auto index = static_cast<std::int32_t>(values_.size());
    slots_[s] = index;
    values_.push_back(key);
    if (values_.size() * 2 > slots_.size()) rehash(slots_.size() * 2);
    return static_cast<std::uint32_t>(index);
  }

 private:
  std::size_t slot_of(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  void rehash(std::size_t n) {
    slots_.assign(n, -1);
    mask_ = n - 1;
    shift_ = 64 - std::countr_zero(n);
    for (std::size_t i = 0; i < values_.size(); ++i) {
      std::size_t s = slot_of(values_[i]);
      while (slots_[s] >= 0) s = (s + 1) & mask_;
      slots_[s] = static_cast<std::int32_t>(i);
    }
  }
  std::vector<std::int32_t> slots_;
  std::vector<std::uint64_t> values_;
  std::size_t mask_ = 0;
  int shift_ = 0;
};

// Byte strings to dense indexes; the strings are kept in an arena.
class BinaryDict {
 public:
  BinaryDict() { rehash(kInitialSlots); }
  std::size_t size() const { return lens_.size(); }
  std::size_t arena_bytes() const { return arena_.size(); }
  void clear() {
    std::vector<std::uint8_t>().swap(arena_);
    std::vector<std::size_t>().swap(starts_);
    std::vector<std::uint32_t>().swap(lens_);
    std::vector<std::uint64_t>().swap(hashes_);
    std::vector<std::int32_t>().swap(slots_);
    rehash(kInitialSlots);
  }
  std::size_t memory() const {
    return arena_.capacity() + starts_.capacity() * 8 + lens_.capacity() * 4 + hashes_.capacity() * 8 +
           slots_.capacity() * 4;
  }
  std::uint32_t insert(const std::uint8_t* p, std::uint32_t n, std::uint64_t h) {
    std::size_t s = static_cast<std::size_t>(h) & mask_;
    while (true) {
      const std::int32_t at = slots_[s];
      if (at < 0) break;
      const auto a = static_cast<std::size_t>(at);
      if (hashes_[a] == h && lens_[a] == n && (n == 0 || std::memcmp(arena_.data() + starts_[a], p, n) == 0))
        return static_cast<std::uint32_t>(at);
      s = (s + 1) & mask_;
    }
    const auto index = static_cast<std::int32_t>(lens_.size());
    slots_[s] = index;
    starts_.push_back(arena_.size());
    lens_.push_back(n);
    hashes_.push_back(h);
    arena_.insert(arena_.end(), p, p + n);
    if (lens_.size() * 2 > slots_.size()) rehash(slots_.size() * 2);
    return static_cast<std::uint32_t>(index);
  }
  std::string_view value(std::size_t i) const {
    return {reinterpret_cast<const char*>(arena_.data() + starts_[i]), lens_[i]};
  }

 private:
  void rehash(std::size_t n) {
    slots_.assign(n, -1);
    mask_ = n - 1;
    for (std::size_t i = 0; i < lens_.size(); ++i) {
      std::size_t s = static_cast<std::size_t>(hashes_[i]) & mask_;
      while (slots_[s] >= 0) s = (s + 1) & mask_;
      slots_[s] = static_cast<std::int32_t>(i);
    }
  }
  std::vector<std::uint8_t> arena_;
  std::vector<std::size_t> starts_;
  std::vector<std::uint32_t> lens_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::int32_t> slots_;
  std::size_t mask_ = 0;
};

// A set of 64-bit hashes (the bloom filter's input).
class HashSet {
 public:
  std::size_t size() const { return count_; }
  void clear() {
    std::vector<std::uint64_t>().swap(slots_);
    count_ = 0;
    has_zero_ = false;
  }
  std::size_t memory() const { return slots_.capacity() * 8; }
  void insert(std::uint64_t h) {
    if (h == 0) {
      count_ += !has_zero_;
      has_zero_ = true;
      return;
    }
    if ((count_ + 1) * 2 > slots_.size()) grow();
    std::size_t s = static_cast<std::size_t>(h) & (slots_.size() - 1);
    while (slots_[s] != 0) {
      if (slots_[s] == h) return;
      s = (s + 1) & (slots_.size() - 1);
    }
    slots_[s] = h;
    ++count_;
  }
  template <class F>
  void for_each(F f) const {
    if (has_zero_) f(std::uint64_t{0});
    for (auto h : slots_)
      if (h != 0) f(h);
  }

 private:
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(1024, old.size() * 2), 0);
    for (auto h : old) {
      if (h == 0) continue;
      std::size_t s = static_cast<std::size_t>(h) & (slots_.size() - 1);
      while (slots_[s] != 0) s = (s + 1) & (slots_.size() - 1);
      slots_[s] = h;
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t count_ = 0;
  bool has_zero_ = false;
};

// Compares two PLAIN values of the same column in its statistics order (NaN never reaches here).
int compare_values(StatsOrder order, std::string_view a, std::string_view b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  auto load = [](std::string_view s, auto zero) {
    decltype(zero) v;
    std::memcpy(&v, s.data(), sizeof v);
    return v;
  };
  switch (order) {
    case StatsOrder::kBool: return cmp(a[0] != 0, b[0] != 0);
    case StatsOrder::kSigned32: return cmp(load(a, std::int32_t{}), load(b, std::int32_t{}));
    case StatsOrder::kSigned64: return cmp(load(a, std::int64_t{}), load(b, std::int64_t{}));
    case StatsOrder::kUnsigned32: return cmp(load(a, std::uint32_t{}), load(b, std::uint32_t{}));
    case StatsOrder::kUnsigned64: return cmp(load(a, std::uint64_t{}), load(b, std::uint64_t{}));
    case StatsOrder::kFloat: return cmp(load(a, float{}), load(b, float{}));
    case StatsOrder::kDouble: return cmp(load(a, double{}), load(b, double{}));
    case StatsOrder::kFloat16:
      return cmp(text::half_to_double(load(a, std::uint16_t{})), text::half_to_double(load(b, std::uint16_t{})));
    case StatsOrder::kSignedBytes: {
      if (a.empty() || b.empty()) return cmp(a.size(), b.size());
      const auto sa = static_cast<std::int8_t>(a[0]), sb = static_cast<std::int8_t>(b[0]);
      if (sa != sb) return cmp(sa, sb);
      const int c = std::memcmp(a.data() + 1, b.data() + 1, std::min(a.size(), b.size()) - 1);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case StatsOrder::kBytes: {
      const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
      if (c != 0) return c < 0 ? -1 : 1;
      return cmp(a.size(), b.size());
    }
    case StatsOrder::kNone: return 0;
  }
  return 0;
}

// Min/max (PLAIN bytes) and counts of a page or a chunk.
struct Stats {
  bool has = false;
  std::string min, max;
  std::int64_t nulls = 0;

  void clear() {
    has = false;
    min.clear();
    max.clear();
    nulls = 0;
  }
  void merge(StatsOrder order, std::string_view lo, std::string_view hi) {
    if (!has) {
      min.assign(lo);
      max.assign(hi);
      has = true;
      return;
    }
    if (compare_values(order, lo, min) < 0) min.assign(lo);
    if (compare_values(order, hi, max) > 0) max.assign(hi);
  }
  void merge(StatsOrder order, const Stats& o) {
    nulls += o.nulls;
    if (o.has) merge(order, o.min, o.max);
  }
};

// The min and max a statistic records: floats' zeros signed as the spec asks, long byte strings
// truncated (a max truncated upwards, or dropped when that is impossible).
struct Bounds {
  std::string min, max;
  bool has_min = false, has_max = false;
  bool min_exact = true, max_exact = true;
};

Bounds bounds_of(StatsOrder order, const Stats& s, std::int64_t limit) {
  Bounds b;
  if (!s.has) return b;
  b.min = s.min;
  b.max = s.max;
  b.has_min = b.has_max = true;
  if (order == StatsOrder::kFloat) {
    float lo, hi;
    std::memcpy(&lo, b.min.data(), 4);
    std::memcpy(&hi, b.max.data(), 4);
    if (lo == 0.0f) lo = -0.0f;
    if (hi == 0.0f) hi = 0.0f;
    std::memcpy(b.min.data(), &lo, 4);
    std::memcpy(b.max.data(), &hi, 4);
  } else if (order == StatsOrder::kDouble) {
    double lo, hi;
    std::memcpy(&lo, b.min.data(), 8);
    std::memcpy(&hi, b.max.data(), 8);
    if (lo == 0.0) lo = -0.0;
    if (hi == 0.0) hi = 0.0;
    std::memcpy(b.min.data(), &lo, 8);
    std::memcpy(b.max.data(), &hi, 8);
  } else if (order == StatsOrder::kFloat16) {
    auto fix = [](std::string& v, bool negative) {
      std::uint16_t h;
      std::memcpy(&h, v.data(), 2);
      if ((h & 0x7FFF) == 0) h = negative ? 0x8000 : 0x0000;
      std::memcpy(v.data(), &h, 2);
    };
    fix(b.min, true);
    fix(b.max, false);
  } else if (order == StatsOrder::kBytes && limit > 0) {
    const auto n = static_cast<std::size_t>(limit);
    if (b.min.size() > n) {
      // A prefix is below every string it starts; cut at a UTF-8 character boundary.
      std::size_t cut = n;
      while (cut > 0 && (static_cast<unsigned char>(b.min[cut]) & 0xC0) == 0x80) --cut;
      b.min.resize(cut);
      b.min_exact = false;
    }
    if (b.max.size() > n) {
      // The prefix with its last byte below 0x7F (ASCII) raised by one is above every string it
      // starts and stays valid UTF-8.
      std::size_t k = n;
      while (k > 0 && static_cast<unsigned char>(b.max[k - 1]) >= 0x7F) --k;
      if (k == 0) {
        b.has_max = false;
      } else {
        b.max.resize(k);
        b.max[k - 1] = static_cast<char>(b.max[k - 1] + 1);
      }
      b.max_exact = false;
    }
  }
  return b;
}

format::Statistics to_thrift(StatsOrder order, const Stats& s, std::int64_t limit, std::optional<std::int64_t> distinct) {
  format::Statistics t;
  t.__set_null_count(s.nulls);
  if (distinct) t.__set_distinct_count(*distinct);
  const Bounds b = bounds_of(order, s, limit);
  if (b.has_min && b.has_max) {
    t.__set_min_value(b.min);
    t.__set_max_value(b.max);
    t.__set_is_min_value_exact(b.min_exact);
    t.__set_is_max_value_exact(b.max_exact);
    // The deprecated fields for the orders old readers get right (signed comparison).
    if (order == StatsOrder::kSigned32 || order == StatsOrder::kSigned64 || order == StatsOrder::kFloat ||
        order == StatsOrder::kDouble || order == StatsOrder::kBool) {
      t.__set_min(b.min);
      t.__set_max(b.max);
    }
  }
  return t;
}


// The first 8 bytes of s as a big-endian number (zero-padded): ordered as the bytes are, so only
// strings with equal keys need comparing further.
inline std::uint64_t prefix_key(std::string_view s) noexcept {
  std::uint64_t k = 0;
  if (s.size() >= 8) {
    std::memcpy(&k, s.data(), 8);
  } else if (!s.empty()) {
    std::memcpy(&k, s.data(), s.size());
  }
  return __builtin_bswap64(k);
}

// A page encoded but not yet compressed and appended to its chunk.
struct PendingPage {
  ByteBuf data;                       // [start, size): what is compressed (v1: levels and values)
  std::size_t start = 0;
  std::vector<std::uint8_t> levels;   // v2: the levels, written as they are
  format::PageHeader header;          // all but the compressed size and CRC
  ByteBuf out;                        // compressed
  std::string header_bytes;
};

}  // namespace

struct ChunkBytes::Impl {
  std::vector<std::uint8_t> dict_page;
  std::vector<ByteBuf> pages;
};
ChunkBytes::ChunkBytes() : impl_(std::make_unique<Impl>()) {}
ChunkBytes::~ChunkBytes() = default;
ChunkBytes::ChunkBytes(ChunkBytes&&) noexcept = default;
ChunkBytes& ChunkBytes::operator=(ChunkBytes&&) noexcept = default;
Status ChunkBytes::write_to(io::Sink& sink) const {
  if (!impl_->dict_page.empty()) SLUICE_TRY(sink.write(impl_->dict_page.data(), impl_->dict_page.size()));
  for (const auto& b : impl_->pages)
    if (b.size()) SLUICE_TRY(sink.write(b.data(), b.size()));
  return ok_status();
}

class ColumnChunkWriter::Impl {
 public:
  Impl(const WriteLeaf& leaf, const WriteOptions& options)
      : leaf_(leaf), options_(options), dictionary_(leaf.dictionary) {
    switch (leaf.physical) {
      case Type::INT32: case Type::FLOAT: width_ = 4; break;
      case Type::INT64: case Type::DOUBLE: width_ = 8; break;
      case Type::FIXED_LEN_BYTE_ARRAY: width_ = leaf.type_length; break;
      default: width_ = 0; break;
    }
    level_bits_def_ = bit_width_of(static_cast<std::uint64_t>(leaf.max_def));
    level_bits_rep_ = bit_width_of(static_cast<std::uint64_t>(leaf.max_rep));
    dict_active_ = dictionary_;
    page_values_.resize(kGap);
  }

  Status append(const LeafLevels& lv, std::int64_t first_row) {
    first_row_ = first_row;
    const ArrayData& values = *lv.values;
    std::int64_t l = 0;      // level entry
    std::int64_t v = 0;      // present value (index into positions when nested)
    const bool nested = leaf_.max_rep > 0;
    while (l < lv.count) {
      std::int64_t want = std::min<std::int64_t>(lv.count - l, piece_entries());
      const std::int64_t row_room = std::max<std::int64_t>(1, options_.page_rows - page_rows_);
      if (!nested) want = std::min<std::int64_t>(want, row_room);
      std::int64_t end = l + want;
      std::int64_t rows = 0;
      if (nested) {
        // Whole rows, no more than the page has room for (page_rows holds for nested columns too),
        // and about `want` entries (more when one row has more).
        end = l;
        while (end < lv.count) {
          if (lv.rep[static_cast<std::size_t>(end)] == 0) {
            if (rows == row_room || (rows > 0 && end - l >= want)) break;
            ++rows;
          }
          ++end;
        }
      } else {
        rows = end - l;
      }
      // Levels of the piece, and how many of its entries hold values.
      std::int64_t present = end - l;
      if (leaf_.max_def > 0) {
        const std::int16_t* d = lv.def.data() + l;
        page_def_.insert(page_def_.end(), d, d + (end - l));
        present = 0;
        for (std::int64_t k = 0; k < end - l; ++k) present += d[k] == leaf_.max_def;
      }
      if (nested) page_rep_.insert(page_rep_.end(), lv.rep.data() + l, lv.rep.data() + end);
      SLUICE_TRY(add_values(values, lv, l, end, v, present));
      v += present;
      page_levels_ += end - l;
      page_rows_ += rows;
      page_values_n_ += present;
      page_stats_.nulls += (end - l) - present;
      l = end;
      if (dict_active_ && dict_bytes() > options_.dictionary_page_bytes) {
        SLUICE_TRY(flush_page());
        dict_active_ = false;  // the rest of the chunk in the leaf's encoding
      } else if (page_rows_ >= options_.page_rows || page_estimate() >= options_.page_bytes) {
        SLUICE_TRY(flush_page());
      }
    }
    return ok_status();
  }

  Status close() {
    SLUICE_TRY(flush_page());
    if (dict_used_) SLUICE_TRY(build_dictionary_page());
    build_bloom();
    return ok_status();
  }

  // Writes the chunk to `sink`, or (sink null) hands its bytes to `out` for writing later.
  Status write(io::Sink* sink, std::int64_t file_offset, format::ColumnChunk& cc, ChunkBytes* out) {
    // Whatever the caller left: the detached pages first (they are older), then the rest.
    for (int round = 0; round < 2; ++round) {
      for (std::size_t i = 0; i < detached_.size(); ++i) SLUICE_TRY(compress_detached(i));
      commit_detached();
      detach_pages();
    }
    const std::int64_t dict_size = static_cast<std::int64_t>(dict_page_.size());
    const std::int64_t pages_size = pages_.size();
    if (sink) {
      if (dict_size) SLUICE_TRY(sink->write(dict_page_.data(), dict_page_.size()));
      SLUICE_TRY(pages_.write_to(*sink));
    } else {
      out->impl_->dict_page = std::move(dict_page_);
      dict_page_.clear();
      out->impl_->pages = pages_.take_segments();
    }
    const std::int64_t data_offset = file_offset + dict_size;

    format::ColumnMetaData md;
    md.__set_type(leaf_.physical);
    std::vector<format::Encoding::type> encodings;
    auto add_encoding = [&](format::Encoding::type e) {
      if (std::find(encodings.begin(), encodings.end(), e) == encodings.end()) encodings.push_back(e);
    };
    if (dict_used_) add_encoding(format::Encoding::PLAIN);  // the dictionary page
    for (const auto& [e, n] : data_encodings_) add_encoding(static_cast<format::Encoding::type>(e));
    if (leaf_.max_def > 0 || leaf_.max_rep > 0) add_encoding(format::Encoding::RLE);
    md.__set_encodings(encodings);
    md.__set_path_in_schema(leaf_.path);
    md.__set_codec(static_cast<format::CompressionCodec::type>(leaf_.codec));
    md.__set_num_values(chunk_levels_);
    md.__set_total_uncompressed_size(uncompressed_bytes_ + header_bytes_ + dict_uncompressed_);
    md.__set_total_compressed_size(pages_size + dict_size);
    md.__set_data_page_offset(data_offset);
    if (dict_size) md.__set_dictionary_page_offset(file_offset);
    if (leaf_.statistics && leaf_.order != StatsOrder::kNone) {
      std::optional<std::int64_t> distinct;
      if (dict_used_ && !fell_back_) distinct = static_cast<std::int64_t>(dict_count());
      md.__set_statistics(to_thrift(leaf_.order, chunk_stats_, truncation_limit(), distinct));
    } else if (leaf_.statistics) {
      format::Statistics s;
      s.__set_null_count(chunk_stats_.nulls);
      md.__set_statistics(s);
    }
    if (geo_stats_ && geo_valid_) {
      // Types always (empty when every value is null); a box where some value has an x and a y,
      // with z and m where some value has them.
      format::GeospatialStatistics g;
      g.__set_geospatial_types(geo_.types);
      if (geo_.has(0) && geo_.has(1)) {
        format::BoundingBox b;
        b.__set_xmin(geo_.min[0]);
        b.__set_xmax(geo_.max[0]);
        b.__set_ymin(geo_.min[1]);
        b.__set_ymax(geo_.max[1]);
        if (geo_.has(2)) b.__set_zmin(geo_.min[2]), b.__set_zmax(geo_.max[2]);
        if (geo_.has(3)) b.__set_mmin(geo_.min[3]), b.__set_mmax(geo_.max[3]);
        g.__set_bbox(b);
      }
      md.__set_geospatial_statistics(g);
    }
    std::vector<format::PageEncodingStats> es;
    if (dict_used_) {
      format::PageEncodingStats p;
      p.__set_page_type(format::PageType::DICTIONARY_PAGE);
      p.__set_encoding(format::Encoding::PLAIN);
      p.__set_count(1);
      es.push_back(p);
    }
    for (const auto& [e, n] : data_encodings_) {
      format::PageEncodingStats p;
      p.__set_page_type(options_.page_version == 2 ? format::PageType::DATA_PAGE_V2 : format::PageType::DATA_PAGE);
      p.__set_encoding(static_cast<format::Encoding::type>(e));
      p.__set_count(n);
      es.push_back(p);
    }
    md.__set_encoding_stats(es);
    cc.__set_file_offset(file_offset);
    cc.__set_meta_data(md);

    // The page index, with offsets in the file.
    offset_index_ = format::OffsetIndex();
    for (auto loc : locations_) {
      loc.offset += data_offset;
      offset_index_.page_locations.push_back(loc);
    }
    column_index_.reset();
    if (leaf_.statistics && leaf_.order != StatsOrder::kNone && options_.page_index) {
      format::ColumnIndex ci;
      bool ok = true;
      int asc = 1, desc = 1;
      const std::string* prev_min = nullptr;
      const std::string* prev_max = nullptr;
      std::vector<Bounds> bounds;
      bounds.reserve(page_stats_list_.size());
      for (const auto& s : page_stats_list_) bounds.push_back(bounds_of(leaf_.order, s, truncation_limit()));
      for (std::size_t i = 0; i < page_stats_list_.size() && ok; ++i) {
        const Stats& s = page_stats_list_[i];
        const bool null_page = page_value_counts_[i] == 0;
        ci.null_pages.push_back(null_page);
        ci.null_counts.push_back(s.nulls);
        if (null_page) {
          ci.min_values.emplace_back();
          ci.max_values.emplace_back();
          continue;
        }
        const Bounds& b = bounds[i];
        if (!b.has_min || !b.has_max) {
          ok = false;  // only NaN, or a max that cannot be truncated: no column index for this chunk
          break;
        }
        ci.min_values.push_back(b.min);
        ci.max_values.push_back(b.max);
        if (prev_min) {
          if (compare_values(leaf_.order, *prev_min, s.min) > 0 || compare_values(leaf_.order, *prev_max, s.max) > 0) asc = 0;
          if (compare_values(leaf_.order, *prev_min, s.min) < 0 || compare_values(leaf_.order, *prev_max, s.max) < 0) desc = 0;
        }
        prev_min = &s.min;
        prev_max = &s.max;
      }
      if (ok) {
        ci.__isset.null_counts = true;
        ci.__set_boundary_order(asc ? format::BoundaryOrder::ASCENDING
                                    : desc ? format::BoundaryOrder::DESCENDING : format::BoundaryOrder::UNORDERED);
        column_index_ = std::move(ci);
      }
    }
    reset_chunk();
    return ok_status();
  }

  // (the dictionary counts while it is being built, before its page exists)
  // Byte strings' min/max are truncated; fixed-width values never (a shorter value is not one).
  std::int64_t truncation_limit() const {
    return leaf_.physical == Type::BYTE_ARRAY ? options_.max_statistics_bytes : 0;
  }

  std::int64_t data_bytes() const {
    return uncompressed_bytes_ + (dict_page_.empty() ? dict_bytes() : dict_uncompressed_) + page_estimate();
  }
  std::int64_t held_bytes() const {
    std::int64_t pending = 0;
    for (const auto& p : pending_) pending += static_cast<std::int64_t>(p.data.capacity() + p.out.capacity());
    for (const auto& p : detached_) pending += static_cast<std::int64_t>(p.data.capacity() + p.out.capacity());
    for (const auto& p : spare_pages_) pending += static_cast<std::int64_t>(p.data.capacity() + p.out.capacity());
    return pending + pages_.held() + static_cast<std::int64_t>(page_values_.capacity() + scratch_.capacity() + page_indices_.capacity() * 4 +
                                     page_def_.capacity() * 2 + page_rep_.capacity() * 2 + page_bools_.capacity() +
                                     dict_page_.capacity() + body_.capacity() + compressed_.capacity() +
                                     fixed_dict_.memory() + binary_dict_.memory() + bloom_hashes_.memory());
  }

  // Between row groups: every buffer kept for reuse is freed (a caller holding many writers).
  void release_memory() {
    pages_.drop_spares();
    std::vector<PendingPage>().swap(spare_pages_);
    std::vector<std::uint8_t>().swap(body_);
    std::vector<std::uint8_t>().swap(compressed_);
    std::vector<std::uint8_t>().swap(joined_);
    std::vector<std::uint8_t>().swap(page_bools_);
    std::vector<std::uint32_t>().swap(page_indices_);
    std::vector<std::int16_t>().swap(page_def_);
    std::vector<std::int16_t>().swap(page_rep_);
    page_values_.release();
    page_values_.resize(kGap);
    scratch_.release();
  }

  const std::vector<std::uint8_t>& bloom() const { return bloom_; }
  const std::optional<format::ColumnIndex>& column_index() const { return column_index_; }
  const format::OffsetIndex& offset_index() const { return offset_index_; }

 private:
  // ---- values ----

  std::int64_t piece_entries() const {
    if (width_ == 0 && leaf_.physical == Type::BYTE_ARRAY) {
      // Strings: about a page's bytes at most, by the average length so far.
      if (chunk_value_bytes_ == 0 || chunk_values_ == 0) return 1024;
      const std::int64_t avg = std::max<std::int64_t>(1, chunk_value_bytes_ / chunk_values_);
      return std::clamp<std::int64_t>(options_.page_bytes / avg, 1, kMaxPiece);
    }
    // Fixed width (booleans an eighth of a byte): about the room left in the page, so that a page
    // ends near page_bytes whatever the width (kMaxPiece wide values can be many pages' worth).
    const std::int64_t room = std::clamp<std::int64_t>(options_.page_bytes - page_estimate(), 1, kMaxPiece * 8);
    if (leaf_.physical == Type::BOOLEAN) return std::clamp<std::int64_t>(room * 8, 1, kMaxPiece);
    return std::clamp<std::int64_t>(room / std::max(1, width_), 1, kMaxPiece);
  }

  std::size_t dict_count() const { return width_ > 0 && leaf_.physical != Type::FIXED_LEN_BYTE_ARRAY ? fixed_dict_.size() : binary_dict_.size(); }
  std::int64_t dict_bytes() const {
    if (!dict_used_ && !dict_active_) return 0;
    if (leaf_.physical == Type::BYTE_ARRAY)
      return static_cast<std::int64_t>(binary_dict_.arena_bytes() + 4 * binary_dict_.size());
    if (leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY) return static_cast<std::int64_t>(binary_dict_.arena_bytes());
    return static_cast<std::int64_t>(fixed_dict_.size()) * width_;
  }

  // Calls f(position) for each present value of entries [l, end) (v: the first one's index).
  template <class F>
  void for_each_present(const LeafLevels& lv, std::int64_t l, std::int64_t end, std::int64_t v, std::int64_t present,
                        F&& f) const {
    if (leaf_.max_rep > 0) {
      const std::int64_t* p = lv.positions.data() + v;
      for (std::int64_t k = 0; k < present; ++k) f(p[k]);
    } else if (present == end - l) {
      for (std::int64_t k = l; k < end; ++k) f(k);
    } else {
      const std::int16_t* d = lv.def.data();
      for (std::int64_t k = l; k < end; ++k)
        if (d[k] == leaf_.max_def) f(k);
    }
  }

  // The present values of entries [l, end) into the page: converted to their physical form,
  // dictionary-encoded or appended in PLAIN, their min/max into the page's statistics.
  Status add_values(const ArrayData& a, const LeafLevels& lv, std::int64_t l, std::int64_t end, std::int64_t v,
                    std::int64_t present) {
    if (present == 0 || leaf_.conversion == WriteConversion::kNull) return ok_status();
    chunk_values_ += present;
    if (leaf_.physical == Type::BOOLEAN) {
      const std::uint8_t* bits = a.buffers.at(1)->data();
      const std::int64_t off = a.offset;
      const std::size_t at = page_bools_.size();
      page_bools_.resize(at + static_cast<std::size_t>(present));
      std::uint8_t* out = page_bools_.data() + at;
      std::uint8_t any_true = 0, any_false = 0;
      for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
        const std::uint8_t b = (bits[(off + p) >> 3] >> ((off + p) & 7)) & 1;
        *out++ = b;
        any_true |= b;
        any_false |= b ^ 1;
      });
      const char lo = any_false ? 0 : 1, hi = any_true ? 1 : 0;
      page_stats_.merge(leaf_.order, std::string_view(&lo, 1), std::string_view(&hi, 1));
      return ok_status();
    }
    if (leaf_.physical == Type::BYTE_ARRAY) return add_byte_arrays(a, lv, l, end, v, present);
    // Fixed width: gather the physical values.
    const auto w = static_cast<std::size_t>(width_);
    // PLAIN values go straight to the page; dictionary candidates to scratch first.
    std::uint8_t* const first = dict_active_ ? (scratch_.resize(static_cast<std::size_t>(present) * w), scratch_.data())
                                             : page_values_.extend(static_cast<std::size_t>(present) * w);
    std::uint8_t* out = first;
    const std::int64_t off = a.offset;
    switch (leaf_.conversion) {
      case WriteConversion::kSame: {
        const std::uint8_t* src = a.buffers.at(1)->data() + off * width_;
        if (leaf_.max_rep == 0 && present == end - l) {
          std::memcpy(out, src + l * width_, static_cast<std::size_t>(present) * w);
        } else {
          for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
            std::memcpy(out, src + p * width_, w);
            out += w;
          });
        }
        break;
      }
      case WriteConversion::kInt8:
      case WriteConversion::kInt16:
      case WriteConversion::kUInt8:
      case WriteConversion::kUInt16: {
        const std::uint8_t* src = a.buffers.at(1)->data();
        const auto conv = leaf_.conversion;
        auto* o = reinterpret_cast<std::int32_t*>(out);
        for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
          const std::int64_t i = off + p;
          std::int32_t x;
          if (conv == WriteConversion::kInt8) x = reinterpret_cast<const std::int8_t*>(src)[i];
          else if (conv == WriteConversion::kUInt8) x = src[i];
          else if (conv == WriteConversion::kInt16) x = detail::load_le<std::int16_t>(src + 2 * i);
          else x = detail::load_le<std::uint16_t>(src + 2 * i);
          std::memcpy(o++, &x, 4);
        });
        break;
      }
      case WriteConversion::kSecondsToMillis32:
      case WriteConversion::kSecondsToMillis64: {
        const bool narrow = leaf_.conversion == WriteConversion::kSecondsToMillis32;
        const std::uint8_t* src = a.buffers.at(1)->data();
        bool overflow = false;
        std::int64_t bad = 0;
        for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
          const std::int64_t s = narrow ? detail::load_le<std::int32_t>(src + 4 * (off + p))
                                        : detail::load_le<std::int64_t>(src + 8 * (off + p));
          std::int64_t ms;
          if (__builtin_mul_overflow(s, std::int64_t{1000}, &ms) ||
              (narrow && (ms < INT32_MIN || ms > INT32_MAX))) {
            if (!overflow) bad = p;
            overflow = true;
            ms = 0;
          }
          if (narrow) {
            const auto x = static_cast<std::int32_t>(ms);
            std::memcpy(out, &x, 4);
            out += 4;
          } else {
            std::memcpy(out, &ms, 8);
            out += 8;
          }
        });
        if (overflow)
          return value_error("value at array position " + std::to_string(bad) + " overflows as milliseconds");
        break;
      }
      case WriteConversion::kDecimal32:
      case WriteConversion::kDecimal64:
      case WriteConversion::kDecimalFixed: {
        const std::uint8_t* src = a.buffers.at(1)->data();
        const auto conv = leaf_.conversion;
        bool overflow = false;
        for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
          __int128 x;
          std::memcpy(&x, src + 16 * (off + p), 16);
          if (conv == WriteConversion::kDecimal32) {
            overflow |= x < INT32_MIN || x > INT32_MAX;
            const auto y = static_cast<std::int32_t>(x);
            std::memcpy(out, &y, 4);
          } else if (conv == WriteConversion::kDecimal64) {
            overflow |= x < INT64_MIN || x > INT64_MAX;
            const auto y = static_cast<std::int64_t>(x);
            std::memcpy(out, &y, 8);
          } else {
            // Big-endian two's complement in `w` bytes (w <= 16); the value must fit.
            const int extra_bits = 128 - 8 * static_cast<int>(w);
            if (extra_bits > 0) {
              const __int128 back = static_cast<__int128>(static_cast<unsigned __int128>(x) << extra_bits) >> extra_bits;
              overflow |= back != x;
            }
            auto u = static_cast<unsigned __int128>(x);
            for (std::size_t k = 0; k < w; ++k) out[w - 1 - k] = static_cast<std::uint8_t>(u >> (8 * k));
          }
          out += w;
        });
        if (overflow) return value_error("a decimal value does not fit its precision's storage");
        break;
      }
      default:
        return value_error("internal: unexpected conversion");
    }
    const std::uint8_t* vals = first;
    fixed_stats(vals, static_cast<std::size_t>(present));
    if (leaf_.bloom_filter) {
      for (std::int64_t i = 0; i < present; ++i) bloom_hashes_.insert(xxhash64(vals + i * width_, w));
    }
    if (dict_active_) {
      const std::size_t at = page_indices_.size();
      page_indices_.resize(at + static_cast<std::size_t>(present));
      std::uint32_t* idx = page_indices_.data() + at;
      if (leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY) {
        for (std::int64_t i = 0; i < present; ++i) {
          const std::uint8_t* p = vals + i * width_;
          idx[i] = binary_dict_.insert(p, static_cast<std::uint32_t>(w), xxhash64(p, w));
        }
      } else if (width_ == 4) {
        for (std::int64_t i = 0; i < present; ++i) idx[i] = fixed_dict_.insert(detail::load_le<std::uint32_t>(vals + 4 * i));
      } else {
        for (std::int64_t i = 0; i < present; ++i) idx[i] = fixed_dict_.insert(detail::load_le<std::uint64_t>(vals + 8 * i));
      }
      dict_used_ = true;
    }
    return ok_status();
  }

  Status add_byte_arrays(const ArrayData& a, const LeafLevels& lv, std::int64_t l, std::int64_t end, std::int64_t v,
                         std::int64_t present) {
    const std::int64_t* offs = a.buffers.at(1)->data_as<std::int64_t>() + a.offset;
    const std::uint8_t* data = a.buffers.size() > 2 && a.buffers[2] ? a.buffers[2]->data() : nullptr;
    // Min/max as positions; bytes appended in PLAIN (4-byte length, bytes) or as dictionary indexes.
    std::int64_t min_p = -1, max_p = -1;
    std::string_view mn, mx;
    std::uint64_t min_key = 0, max_key = 0;
    bool too_long = false;
    std::int64_t bytes = 0;
    if (dict_active_) page_indices_.reserve(page_indices_.size() + static_cast<std::size_t>(present));
    // PLAIN: room for the piece's values at once (their bytes are at most those of the entries'
    // range: no lists here, or the positions' own range).
    std::uint8_t* cursor = nullptr;
    if (!dict_active_) {
      std::int64_t upper = 0;
      if (leaf_.max_rep == 0) {
        upper = offs[end] - offs[l];
      } else {
        for_each_present(lv, l, end, v, present, [&](std::int64_t p) { upper += offs[p + 1] - offs[p]; });
      }
      // (and 32 bytes of slack for the short-string copies)
      cursor = page_values_.extend(static_cast<std::size_t>(upper) + 4 * static_cast<std::size_t>(present) + 32);
    }
    const std::int64_t data_len = a.buffers.size() > 2 && a.buffers[2] ? a.buffers[2]->size() : 0;
    // One loop per combination, so the per-value work has no tests of settings in it.
    auto run = [&](auto dict, auto bloom) {
      constexpr bool kDict = decltype(dict)::value;
      constexpr bool kBloom = decltype(bloom)::value;
      for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
        const std::int64_t b = offs[p], e = offs[p + 1];
        const std::int64_t n = e - b;
        if (n > static_cast<std::int64_t>(INT32_MAX) - 64) [[unlikely]] {
          too_long = true;
          return;
        }
        const std::string_view s(reinterpret_cast<const char*>(data ? data + b : nullptr), static_cast<std::size_t>(n));
        bytes += n;
        const std::uint64_t key = prefix_key(s);
        if (min_p < 0) [[unlikely]] {
          min_p = max_p = p;
          mn = mx = s;
          min_key = max_key = key;
        } else {
          if (key < min_key || (key == min_key && s < mn)) [[unlikely]] {
            mn = s;
            min_p = p;
            min_key = key;
          }
          if (key > max_key || (key == max_key && s > mx)) [[unlikely]] {
            mx = s;
            max_p = p;
            max_key = key;
          }
        }
        const auto* ptr = reinterpret_cast<const std::uint8_t*>(s.data());
        if constexpr (kDict || kBloom) {
          const std::uint64_t h = xxhash64(ptr, s.size());
          if constexpr (kBloom) bloom_hashes_.insert(h);
          if constexpr (kDict) page_indices_.push_back(binary_dict_.insert(ptr, static_cast<std::uint32_t>(s.size()), h));
        }
        if constexpr (!kDict) {
          detail::store_le<std::uint32_t>(cursor, static_cast<std::uint32_t>(n));
          if (n <= 32 && b + 32 <= data_len) {
            // Short strings: 32 bytes copied whatever the length (the page has room past its end).
            std::memcpy(cursor + 4, ptr, 16);
            std::memcpy(cursor + 20, ptr + 16, 16);
          } else if (n != 0) {
            std::memcpy(cursor + 4, ptr, static_cast<std::size_t>(n));
          }
          cursor += 4 + n;
        }
      });
    };
    using T = std::true_type;
    using F = std::false_type;
    if (dict_active_) {
      if (leaf_.bloom_filter) run(T{}, T{});
      else run(T{}, F{});
    } else {
      if (leaf_.bloom_filter) run(F{}, T{});
      else run(F{}, F{});
    }
    if (!dict_active_) page_values_.resize(static_cast<std::size_t>(cursor - page_values_.data()));
    if (too_long) return value_error("a value longer than a Parquet page can hold (2 GiB)");
    if (dict_active_) dict_used_ = true;
    chunk_value_bytes_ += bytes;
    page_stats_.merge(leaf_.order, mn, mx);
    if (geo_stats_ && geo_valid_) {
      // A GEOMETRY's bounds and types (a value that is not WKB: none for the chunk).
      for_each_present(lv, l, end, v, present, [&](std::int64_t p) {
        const std::string_view s(reinterpret_cast<const char*>(data ? data + offs[p] : nullptr),
                                 static_cast<std::size_t>(offs[p + 1] - offs[p]));
        if (geo_valid_ && !text::add_wkb_bounds(geo_, s)) geo_valid_ = false;
      });
    }
    return ok_status();
  }

  // Min/max of n PLAIN values in scratch into the page statistics.
  void fixed_stats(const std::uint8_t* vals, std::size_t n) {
    auto typed = [&](auto zero, bool is_float) {
      using T = decltype(zero);
      // Start at the first value that is not NaN; NaN never wins a comparison after that.
      std::size_t i = 0;
      T lo{}, hi{};
      for (; i < n; ++i) {
        std::memcpy(&lo, vals + i * sizeof(T), sizeof(T));
        if (!is_float || lo == lo) break;
      }
      const bool any = i < n;
      hi = lo;
      for (; i < n; ++i) {
        T x;
        std::memcpy(&x, vals + i * sizeof(T), sizeof(T));
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
      }
      if (!any) return;
      page_stats_.merge(leaf_.order, std::string_view(reinterpret_cast<const char*>(&lo), sizeof(T)),
                        std::string_view(reinterpret_cast<const char*>(&hi), sizeof(T)));
    };
    switch (leaf_.order) {
      case StatsOrder::kSigned32: typed(std::int32_t{}, false); break;
      case StatsOrder::kSigned64: typed(std::int64_t{}, false); break;
      case StatsOrder::kUnsigned32: typed(std::uint32_t{}, false); break;
      case StatsOrder::kUnsigned64: typed(std::uint64_t{}, false); break;
      case StatsOrder::kFloat: typed(float{}, true); break;
      case StatsOrder::kDouble: typed(double{}, true); break;
      case StatsOrder::kFloat16:
      case StatsOrder::kSignedBytes:
      case StatsOrder::kBytes: {
        const auto w = static_cast<std::size_t>(width_);
        std::int64_t lo = -1, hi = -1;
        for (std::size_t i = 0; i < n; ++i) {
          const std::string_view x(reinterpret_cast<const char*>(vals + i * w), w);
          if (leaf_.order == StatsOrder::kFloat16) {
            std::uint16_t h;
            std::memcpy(&h, x.data(), 2);
            if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) continue;  // NaN
          }
          if (lo < 0) {
            lo = hi = static_cast<std::int64_t>(i);
            continue;
          }
          if (compare_values(leaf_.order, x, {reinterpret_cast<const char*>(vals + lo * width_), w}) < 0) lo = static_cast<std::int64_t>(i);
          if (compare_values(leaf_.order, x, {reinterpret_cast<const char*>(vals + hi * width_), w}) > 0) hi = static_cast<std::int64_t>(i);
        }
        if (lo >= 0)
          page_stats_.merge(leaf_.order, {reinterpret_cast<const char*>(vals + lo * width_), w},
                            {reinterpret_cast<const char*>(vals + hi * width_), w});
        break;
      }
      default: break;
    }
  }

  // ---- pages ----

  std::int64_t page_estimate() const {
    std::int64_t est = static_cast<std::int64_t>(page_values_.size() - kGap) + static_cast<std::int64_t>(page_bools_.size() / 8);
    if (!page_indices_.empty()) {
      const int bits = std::max(1, bit_width_of(dict_count() > 0 ? dict_count() - 1 : 0));
      est += static_cast<std::int64_t>(page_indices_.size()) * bits / 8;
    }
    est += (static_cast<std::int64_t>(page_def_.size()) * level_bits_def_ +
            static_cast<std::int64_t>(page_rep_.size()) * level_bits_rep_) / 8;
    return est;
  }

  // Whether the dictionary is worth keeping, judged on the chunk's first page: the dictionary and the
  // indexes must take at most 80 % of the page's PLAIN bytes. If not, the page's indexes are turned
  // back into PLAIN values and the chunk goes on without a dictionary (no dictionary page at all).
  void judge_dictionary() {
    if (!dict_active_ || !dict_used_ || !locations_.empty() || page_indices_.empty()) return;
    const std::size_t n = page_indices_.size();
    const int bits = std::max(1, bit_width_of(dict_count() - 1));
    const std::int64_t dict_cost = dict_bytes() + static_cast<std::int64_t>((n * static_cast<std::size_t>(bits) + 7) / 8);
    std::int64_t plain = 0;
    if (leaf_.physical == Type::BYTE_ARRAY) {
      for (std::uint32_t i : page_indices_) plain += 4 + static_cast<std::int64_t>(binary_dict_.value(i).size());
    } else {
      plain = static_cast<std::int64_t>(n) * width_;
    }
    if (dict_cost * 5 <= plain * 4) return;
    // Back to PLAIN.
    page_values_.resize(kGap);
    if (leaf_.physical == Type::BYTE_ARRAY || leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY) {
      page_values_.reserve(kGap + static_cast<std::size_t>(plain));
      for (std::uint32_t i : page_indices_) {
        const std::string_view v = binary_dict_.value(i);
        if (leaf_.physical == Type::BYTE_ARRAY) {
          const auto len = static_cast<std::uint32_t>(v.size());
          detail::store_le<std::uint32_t>(page_values_.extend(4), len);
        }
        page_values_.append(v.data(), v.size());
      }
    } else {
      const auto& vals = fixed_dict_.values();
      page_values_.resize(kGap + n * static_cast<std::size_t>(width_));
      std::uint8_t* out = page_values_.data() + kGap;
      for (std::size_t k = 0; k < n; ++k) {
        if (width_ == 4) detail::store_le<std::uint32_t>(out + 4 * k, static_cast<std::uint32_t>(vals[page_indices_[k]]));
        else detail::store_le<std::uint64_t>(out + 8 * k, vals[page_indices_[k]]);
      }
    }
    page_indices_.clear();
    fixed_dict_.clear();
    binary_dict_.clear();
    dict_used_ = dict_active_ = false;
  }

  Status flush_page() {
    if (page_levels_ == 0) return ok_status();
    if (page_levels_ > INT32_MAX) return value_error("a page of more than 2^31 values");
    judge_dictionary();
    const bool v2 = options_.page_version == 2;
    const bool dict_page = !page_indices_.empty() || (dict_active_ && page_values_n_ == 0 && dict_used_);
    // Levels.
    levels_.clear();
    std::size_t rep_len = 0, def_len = 0;
    if (leaf_.max_rep > 0) {
      if (v2) encode_rle_bit_packed(page_rep_.data(), page_rep_.size(), level_bits_rep_, levels_);
      else encode_rle_bit_packed_length_prefixed(page_rep_.data(), page_rep_.size(), level_bits_rep_, levels_);
      rep_len = levels_.size();
    }
    if (leaf_.max_def > 0) {
      if (page_values_n_ == page_levels_) {
        // Every entry holds a value: one run of max_def.
        const std::size_t at = levels_.size();
        if (!v2) levels_.resize(at + 4);
        detail::rle_write_repeat(levels_, static_cast<std::uint64_t>(leaf_.max_def),
                                 static_cast<std::uint64_t>(page_levels_), level_bits_def_);
        if (!v2) detail::store_le(levels_.data() + at, static_cast<std::uint32_t>(levels_.size() - at - 4));
      } else if (v2) {
        encode_rle_bit_packed(page_def_.data(), page_def_.size(), level_bits_def_, levels_);
      } else {
        encode_rle_bit_packed_length_prefixed(page_def_.data(), page_def_.size(), level_bits_def_, levels_);
      }
      def_len = levels_.size() - rep_len;
    }
    // Values: PLAIN ones stay in page_values_ (after its gap), others are encoded into body_.
    body_.clear();
    format::Encoding::type encoding = leaf_.encoding;
    bool in_gap_buffer = false;
    if (dict_page) {
      encoding = format::Encoding::RLE_DICTIONARY;
      const int bits = std::max(1, bit_width_of(dict_count() > 0 ? dict_count() - 1 : 0));
      body_.push_back(static_cast<std::uint8_t>(bits));
      encode_rle_bit_packed(page_indices_.data(), page_indices_.size(), bits, body_);
    } else if (leaf_.physical == Type::BOOLEAN) {
      encoding = format::Encoding::PLAIN;
      body_.resize((page_bools_.size() + 7) / 8, 0);
      pack_bits(page_bools_.data(), page_bools_.size(), 1, body_.data());
    } else if (encoding == format::Encoding::PLAIN) {
      in_gap_buffer = true;
    } else {
      SLUICE_TRY(encode_values(encoding));
    }
    // The page waits in pending_ until detach_pages() hands it to compression (which may run on
    // another thread, page by page, while later pages are encoded) and commit_detached() appends it
    // to the chunk in order.
    PendingPage pg = take_pending();
    if (in_gap_buffer) {
      std::swap(pg.data, page_values_);  // the values stay where they are; page_values_ gets a spare
      page_values_.resize(kGap);
    } else {
      pg.data.resize(kGap);
      pg.data.append(body_.data(), body_.size());
    }
    const std::size_t values_size = pg.data.size() - kGap;
    const std::int64_t uncompressed = static_cast<std::int64_t>(levels_.size() + values_size);
    if (uncompressed > INT32_MAX) return value_error("a page larger than 2 GiB");
    // v1: levels and values are compressed together (the levels go in the gap in front of the values);
    // v2: the levels stay apart, uncompressed.
    pg.start = kGap;
    pg.levels.clear();
    if (v2) {
      pg.levels.assign(levels_.begin(), levels_.end());
    } else if (!levels_.empty()) {
      if (levels_.size() <= kGap) {
        pg.start = kGap - levels_.size();
        std::memcpy(pg.data.data() + pg.start, levels_.data(), levels_.size());
      } else {
        joined_.assign(levels_.begin(), levels_.end());
        joined_.insert(joined_.end(), pg.data.data() + kGap, pg.data.data() + pg.data.size());
        pg.data.resize(0);
        pg.data.append(joined_.data(), joined_.size());
        pg.start = 0;
      }
    }
    format::PageHeader& h = pg.header;
    h = format::PageHeader();
    h.__set_uncompressed_page_size(static_cast<std::int32_t>(uncompressed));
    if (v2) {
      h.__set_type(format::PageType::DATA_PAGE_V2);
      format::DataPageHeaderV2 d;
      d.__set_num_values(static_cast<std::int32_t>(page_levels_));
      d.__set_num_nulls(static_cast<std::int32_t>(page_levels_ - page_values_n_));
      d.__set_num_rows(static_cast<std::int32_t>(page_rows_));
      d.__set_encoding(encoding);
      d.__set_definition_levels_byte_length(static_cast<std::int32_t>(def_len));
      d.__set_repetition_levels_byte_length(static_cast<std::int32_t>(rep_len));
      d.__set_is_compressed(leaf_.codec != Codec::UNCOMPRESSED);
      h.__set_data_page_header_v2(d);
    } else {
      h.__set_type(format::PageType::DATA_PAGE);
      format::DataPageHeader d;
      d.__set_num_values(static_cast<std::int32_t>(page_levels_));
      d.__set_encoding(encoding);
      d.__set_definition_level_encoding(format::Encoding::RLE);
      d.__set_repetition_level_encoding(format::Encoding::RLE);
      h.__set_data_page_header(d);
    }
    pending_.push_back(std::move(pg));
    format::PageLocation loc;
    loc.__set_first_row_index(chunk_rows_);
    locations_.push_back(loc);
    uncompressed_bytes_ += uncompressed;
    ++data_encodings_[static_cast<int>(encoding)];

    chunk_stats_.merge(leaf_.order, page_stats_);
    page_stats_list_.push_back(page_stats_);
    page_value_counts_.push_back(page_values_n_);
    chunk_levels_ += page_levels_;
    chunk_rows_ += page_rows_;
    if (!dict_page && dict_used_) fell_back_ = true;

    page_stats_.clear();
    page_def_.clear();
    page_rep_.clear();
    page_values_.resize(kGap);
    page_bools_.clear();
    page_indices_.clear();
    page_levels_ = page_rows_ = page_values_n_ = 0;
    return ok_status();
  }

  PendingPage take_pending() {
    if (spare_pages_.empty()) return PendingPage();
    PendingPage p = std::move(spare_pages_.back());
    spare_pages_.pop_back();
    return p;
  }

 public:
  // The pages encoded since the last call become the detached ones (those committed before).
  void detach_pages() {
    if (!detached_.empty() || pending_.empty()) return;
    std::swap(detached_, pending_);
  }
  std::int64_t pending_bytes() const {
    std::int64_t n = 0;
    for (const auto& p : pending_) n += static_cast<std::int64_t>(p.data.size() - p.start);
    return n;
  }
  std::size_t detached_pages() const { return detached_.size(); }
  std::size_t detached_bytes(std::size_t i) const { return detached_[i].data.size() - detached_[i].start; }

  // Compresses detached page i and serializes its header. Pages of one chunk may be compressed on
  // different threads at once, and while append() encodes more pages: a detached page is touched by
  // nothing else until commit_detached().
  Status compress_detached(std::size_t i) {
    PendingPage& pg = detached_[i];
    const std::span<const std::uint8_t> in(pg.data.data() + pg.start, pg.data.size() - pg.start);
    std::span<const std::uint8_t> payload = in;
    if (leaf_.codec != Codec::UNCOMPRESSED) {
      SLUICE_TRY(compress_into(leaf_.codec, in, pg.out, leaf_.level));
      payload = std::span<const std::uint8_t>(pg.out.data(), pg.out.size());
    }
    const std::size_t body_size = pg.levels.size() + payload.size();
    if (body_size > INT32_MAX) return value_error("a compressed page larger than 2 GiB");
    pg.header.__set_compressed_page_size(static_cast<std::int32_t>(body_size));
    if (options_.page_checksums) {
      uLong crc = crc32(0, nullptr, 0);
      if (!pg.levels.empty()) crc = crc32(crc, pg.levels.data(), static_cast<uInt>(pg.levels.size()));
      crc = crc32(crc, payload.data(), static_cast<uInt>(payload.size()));
      pg.header.__set_crc(static_cast<std::int32_t>(crc));
    }
    SLUICE_ASSIGN_OR_RETURN(pg.header_bytes, detail::serialize(pg.header));
    return ok_status();
  }

  // Appends the compressed detached pages to the chunk, in order.
  void commit_detached() {
    for (auto& pg : detached_) {
      const bool compressed = leaf_.codec != Codec::UNCOMPRESSED;
      const std::size_t payload_size = compressed ? pg.out.size() : pg.data.size() - pg.start;
      format::PageLocation& loc = locations_[committed_++];
      loc.__set_offset(pages_.size());
      loc.__set_compressed_page_size(
          static_cast<std::int32_t>(pg.header_bytes.size() + pg.levels.size() + payload_size));
      ByteBuf head;
      head.append(pg.header_bytes.data(), pg.header_bytes.size());
      head.append(pg.levels.data(), pg.levels.size());
      pages_.push(std::move(head));
      if (compressed && pg.out.capacity() - payload_size <= payload_size / 8 + 4096) {
        pages_.push(std::move(pg.out));  // the compressed buffer itself, no copy
        pg.out = pages_.take_spare(payload_size);
      } else if (compressed) {
        // Compression left most of the buffer unused: keep an exact copy, reuse the buffer.
        pages_.push_copy(pg.out.data(), payload_size);
      } else {
        pages_.push_copy(pg.data.data() + pg.start, payload_size);
      }
      header_bytes_ += static_cast<std::int64_t>(pg.header_bytes.size());
      if (spare_pages_.size() < 4 && pg.data.capacity() <= (std::size_t{8} << 20)) {
        pg.data.resize(0);
        spare_pages_.push_back(std::move(pg));
      }
    }
    detached_.clear();
  }

 private:
  // The page's values (PLAIN in page_values_) in a non-dictionary encoding, into body_.
  Status encode_values(format::Encoding::type encoding) {
    const std::uint8_t* p = page_values_.data() + kGap;
    const auto n = static_cast<std::size_t>(page_values_n_);
    switch (encoding) {
      case format::Encoding::PLAIN:
        body_.insert(body_.end(), page_values_.data() + kGap, page_values_.data() + page_values_.size());
        return ok_status();
      case format::Encoding::DELTA_BINARY_PACKED:
        if (width_ == 4) {
          ints32_.resize(n);
          if (n) std::memcpy(ints32_.data(), p, n * 4);
          encode_delta_binary_packed(ints32_.data(), n, body_);
        } else {
          ints64_.resize(n);
          if (n) std::memcpy(ints64_.data(), p, n * 8);
          encode_delta_binary_packed(ints64_.data(), n, body_);
        }
        return ok_status();
      case format::Encoding::BYTE_STREAM_SPLIT:
        encode_byte_stream_split(p, n, static_cast<std::size_t>(width_), body_);
        return ok_status();
      case format::Encoding::DELTA_LENGTH_BYTE_ARRAY:
      case format::Encoding::DELTA_BYTE_ARRAY: {
        views_.clear();
        views_.reserve(n);
        if (leaf_.physical == Type::BYTE_ARRAY) {
          std::size_t at = 0;
          for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t len = detail::load_le<std::uint32_t>(p + at);
            views_.push_back(ByteArrayView{p + at + 4, len});
            at += 4 + len;
          }
        } else {
          for (std::size_t i = 0; i < n; ++i)
            views_.push_back(ByteArrayView{p + i * static_cast<std::size_t>(width_), static_cast<std::uint32_t>(width_)});
        }
        if (encoding == format::Encoding::DELTA_LENGTH_BYTE_ARRAY) encode_delta_length_byte_array(views_.data(), n, body_);
        else encode_delta_byte_array(views_.data(), n, body_);
        return ok_status();
      }
      default:
        return value_error("internal: unexpected encoding");
    }
  }

  Status build_dictionary_page() {
    body_.clear();
    const std::size_t n = dict_count();
    if (leaf_.physical == Type::BYTE_ARRAY || leaf_.physical == Type::FIXED_LEN_BYTE_ARRAY) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::string_view s = binary_dict_.value(i);
        if (leaf_.physical == Type::BYTE_ARRAY) detail::append_le<std::uint32_t>(body_, static_cast<std::uint32_t>(s.size()));
        body_.insert(body_.end(), s.begin(), s.end());
      }
    } else {
      const auto& vals = fixed_dict_.values();
      body_.resize(n * static_cast<std::size_t>(width_));
      for (std::size_t i = 0; i < n; ++i) {
        if (width_ == 4) detail::store_le<std::uint32_t>(body_.data() + 4 * i, static_cast<std::uint32_t>(vals[i]));
        else detail::store_le<std::uint64_t>(body_.data() + 8 * i, vals[i]);
      }
    }
    if (body_.size() > INT32_MAX) return value_error("a dictionary page larger than 2 GiB");
    if (leaf_.codec != Codec::UNCOMPRESSED) {
      SLUICE_TRY(compress(leaf_.codec, body_, compressed_, leaf_.level));
    } else {
      compressed_.assign(body_.begin(), body_.end());
    }
    format::PageHeader h;
    h.__set_type(format::PageType::DICTIONARY_PAGE);
    h.__set_uncompressed_page_size(static_cast<std::int32_t>(body_.size()));
    h.__set_compressed_page_size(static_cast<std::int32_t>(compressed_.size()));
    if (options_.page_checksums)
      h.__set_crc(static_cast<std::int32_t>(crc32(0, compressed_.data(), static_cast<uInt>(compressed_.size()))));
    format::DictionaryPageHeader d;
    d.__set_num_values(static_cast<std::int32_t>(n));
    d.__set_encoding(format::Encoding::PLAIN);
    h.__set_dictionary_page_header(d);
    SLUICE_ASSIGN_OR_RETURN(const std::string header, detail::serialize(h));
    dict_page_.assign(header.begin(), header.end());
    dict_page_.insert(dict_page_.end(), compressed_.begin(), compressed_.end());
    dict_uncompressed_ = static_cast<std::int64_t>(header.size() + body_.size());
    return ok_status();
  }

  void build_bloom() {
    bloom_.clear();
    if (!leaf_.bloom_filter || leaf_.physical == Type::BOOLEAN || leaf_.conversion == WriteConversion::kNull) return;
    const std::size_t bytes = bloom_filter_bytes(bloom_hashes_.size(), options_.bloom_filter_fpp);
    std::vector<std::uint32_t> words(bytes / 4, 0);
    bloom_hashes_.for_each([&](std::uint64_t h) { bloom_filter_insert(words.data(), words.size(), h); });
    format::BloomFilterHeader header;
    header.__set_numBytes(static_cast<std::int32_t>(bytes));
    format::BloomFilterAlgorithm alg;
    alg.__set_BLOCK(format::SplitBlockAlgorithm());
    header.__set_algorithm(alg);
    format::BloomFilterHash hash;
    hash.__set_XXHASH(format::XxHash());
    header.__set_hash(hash);
    format::BloomFilterCompression comp;
    comp.__set_UNCOMPRESSED(format::Uncompressed());
    header.__set_compression(comp);
    auto s = detail::serialize(header);
    if (!s.ok()) return;  // cannot happen; without a filter the file is still correct
    bloom_.assign(s->begin(), s->end());
    const std::size_t at = bloom_.size();
    bloom_.resize(at + bytes);
    std::memcpy(bloom_.data() + at, words.data(), bytes);
  }

  void reset_chunk() {
    pages_.clear(options_.row_group_bytes);
    dict_page_.clear();
    locations_.clear();
    committed_ = 0;
    page_stats_list_.clear();
    page_value_counts_.clear();
    data_encodings_.clear();
    chunk_stats_.clear();
    geo_ = text::WkbBounds();
    geo_valid_ = true;
    chunk_levels_ = chunk_rows_ = uncompressed_bytes_ = header_bytes_ = dict_uncompressed_ = 0;
    fixed_dict_.clear();
    binary_dict_.clear();
    bloom_hashes_.clear();
    dict_used_ = fell_back_ = false;
    dict_active_ = dictionary_;
    // Large scratch is given back between row groups.
    if (body_.capacity() > (std::size_t{8} << 20)) std::vector<std::uint8_t>().swap(body_);
    if (compressed_.capacity() > (std::size_t{8} << 20)) std::vector<std::uint8_t>().swap(compressed_);
    if (joined_.capacity() > (std::size_t{8} << 20)) std::vector<std::uint8_t>().swap(joined_);
    if (page_values_.capacity() > (std::size_t{8} << 20)) {
      page_values_.release();
      page_values_.resize(kGap);
    }
    if (scratch_.capacity() > (std::size_t{8} << 20)) scratch_.release();
  }

  Error value_error(const std::string& message) const {
    return Error(ErrorCode::kInvalidArgument, "Parquet writer: column '" + leaf_.buffer_dotted + "' (batch from row " +
                                                  std::to_string(first_row_) + "): " + message);
  }

  const WriteLeaf& leaf_;
  const WriteOptions& options_;
  const bool dictionary_;
  int width_ = 0;
  int level_bits_def_ = 0, level_bits_rep_ = 0;
  std::int64_t first_row_ = 0;

  // The page being built.
  std::vector<std::int16_t> page_def_, page_rep_;
  ByteBuf page_values_;   // PLAIN, after kGap bytes
  std::vector<std::uint8_t> page_bools_;    // one byte per value
  std::vector<std::uint32_t> page_indices_;  // dictionary indexes
  std::int64_t page_levels_ = 0, page_rows_ = 0, page_values_n_ = 0;
  Stats page_stats_;

  // The chunk.
  bool dict_active_ = false, dict_used_ = false, fell_back_ = false;
  FixedDict fixed_dict_;
  BinaryDict binary_dict_;
  HashSet bloom_hashes_;
  PageList pages_;  // the data pages: each header (with v2 levels) and body
  std::vector<std::uint8_t> dict_page_, bloom_;
  std::vector<format::PageLocation> locations_;
  std::vector<Stats> page_stats_list_;
  std::vector<std::int64_t> page_value_counts_;
  std::map<int, std::int32_t> data_encodings_;
  Stats chunk_stats_;
  // GEOMETRY columns: Parquet's geospatial statistics (GEOGRAPHY has none: its x range may wrap around
  // the antimeridian, which a plain min/max does not say).
  const bool geo_stats_ = leaf_.statistics && leaf_.type && leaf_.type->extension == Extension::kGeometry;
  text::WkbBounds geo_;
  bool geo_valid_ = true;
  std::int64_t chunk_levels_ = 0, chunk_rows_ = 0, uncompressed_bytes_ = 0, header_bytes_ = 0, dict_uncompressed_ = 0;

  std::vector<PendingPage> pending_;   // encoded, waiting for detach_pages()
  std::vector<PendingPage> detached_;  // being compressed, waiting for commit_detached()
  std::vector<PendingPage> spare_pages_;
  std::size_t committed_ = 0;  // locations_ entries already given their offsets
  std::int64_t chunk_values_ = 0, chunk_value_bytes_ = 0;
  std::optional<format::ColumnIndex> column_index_;
  format::OffsetIndex offset_index_;

  // Scratch.
  ByteBuf scratch_;
  std::vector<std::uint8_t> levels_, body_, joined_, compressed_;
  std::vector<std::int32_t> ints32_;
  std::vector<std::int64_t> ints64_;
  std::vector<ByteArrayView> views_;
};

ColumnChunkWriter::ColumnChunkWriter(const WriteLeaf& leaf, const WriteOptions& options)
    : impl_(std::make_unique<Impl>(leaf, options)) {}
ColumnChunkWriter::~ColumnChunkWriter() = default;
Status ColumnChunkWriter::append(const LeafLevels& levels, std::int64_t first_row) { return impl_->append(levels, first_row); }
Status ColumnChunkWriter::close() { return impl_->close(); }
Status ColumnChunkWriter::write(io::Sink& sink, std::int64_t file_offset, format::ColumnChunk& chunk) {
  return impl_->write(&sink, file_offset, chunk, nullptr);
}
Status ColumnChunkWriter::take(std::int64_t file_offset, format::ColumnChunk& chunk, ChunkBytes& bytes) {
  return impl_->write(nullptr, file_offset, chunk, &bytes);
}
std::int64_t ColumnChunkWriter::data_bytes() const { return impl_->data_bytes(); }
std::int64_t ColumnChunkWriter::held_bytes() const { return impl_->held_bytes(); }
void ColumnChunkWriter::release_memory() { impl_->release_memory(); }
const std::vector<std::uint8_t>& ColumnChunkWriter::bloom_filter() const { return impl_->bloom(); }
const std::optional<format::ColumnIndex>& ColumnChunkWriter::column_index() const { return impl_->column_index(); }
const format::OffsetIndex& ColumnChunkWriter::offset_index() const { return impl_->offset_index(); }
void ColumnChunkWriter::detach_pages() { impl_->detach_pages(); }
std::int64_t ColumnChunkWriter::pending_bytes() const { return impl_->pending_bytes(); }
std::size_t ColumnChunkWriter::detached_pages() const { return impl_->detached_pages(); }
std::size_t ColumnChunkWriter::detached_bytes(std::size_t i) const { return impl_->detached_bytes(i); }
Status ColumnChunkWriter::compress_detached(std::size_t i) { return impl_->compress_detached(i); }
void ColumnChunkWriter::commit_detached() { impl_->commit_detached(); }

}  // namespace sluice::parquet
