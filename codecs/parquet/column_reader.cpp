#include "parquet/column_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace sluice::parquet {
namespace {

using format::Encoding;
using format::PageType;
using format::Type;

int physical_width(const LeafInfo& leaf) {
  switch (leaf.physical) {
    case Type::INT32: case Type::FLOAT: return 4;
    case Type::INT64: case Type::DOUBLE: return 8;
    case Type::INT96: return 12;
    case Type::FIXED_LEN_BYTE_ARRAY: return leaf.type_length;
    default: return 0;
  }
}

// Grows an owned buffer to hold `bytes`, doubling, keeping its contents (new bytes zeroed if asked).
void ensure(BufferPtr& b, std::int64_t bytes, bool zero = false) {
  if (!b) {
    b = Buffer::allocate(bytes, zero);
    return;
  }
  if (bytes > b->size()) b->resize(bytes, zero);
}

}  // namespace

ColumnChunkReader::ColumnChunkReader(const LeafInfo& leaf, const format::ColumnMetaData& meta, BufferPtr bytes,
                                     std::int64_t file_offset, const ReadOptions& options, std::string path)
    : leaf_(leaf),
      meta_(meta),
      bytes_(std::move(bytes)),
      file_offset_(file_offset),
      options_(options),
      path_(std::move(path)),
      codec_(static_cast<Codec>(meta.codec)),
      width_(physical_width(leaf)) {
  flat_optional_ = leaf.max_def == 1 && leaf.max_rep == 0 && leaf.path.size() == 1;
  limits_.max_string_bytes = options.max_thrift_string_bytes;
  limits_.max_container_elems = options.max_thrift_container_elems;
}

Error ColumnChunkReader::error(ErrorCode code, std::string message, std::int64_t offset) const {
  ErrorContext ctx(path_);
  ctx.column_name = leaf_.dotted;
  ctx.byte_offset = offset;
  return Error(code, std::move(message), ctx);
}

Result<std::span<const std::uint8_t>> ColumnChunkReader::page_body(const format::PageHeader& h,
                                                                    const std::uint8_t* raw, std::size_t raw_size,
                                                                    std::size_t skip, std::size_t uncompressed) {
  (void)h;
  if (codec_ == Codec::UNCOMPRESSED) return std::span<const std::uint8_t>(raw + skip, raw_size - skip);
  if (raw_size - skip == 0 && uncompressed == 0) return std::span<const std::uint8_t>();
  // Decompressed ahead (plan_ahead): entries for pages before this one were skipped over.
  const std::int64_t body = raw + skip - bytes_->data();
  while (!ahead_.empty() && ahead_.front().body < body) ahead_.erase(ahead_.begin());
  if (!ahead_.empty() && ahead_.front().body == body &&
      ahead_.front().buf->size() == static_cast<std::int64_t>(uncompressed)) {
    page_ = std::move(ahead_.front().buf);
    ahead_.erase(ahead_.begin());
    return std::span<const std::uint8_t>(page_->data(), uncompressed);
  }
  if (static_cast<std::int64_t>(uncompressed) > options_.max_page_bytes)
    return error(ErrorCode::kLimitExceeded,
                 "a page of " + std::to_string(uncompressed) + " uncompressed bytes is larger than the limit of " +
                     std::to_string(options_.max_page_bytes),
                 page_offset_);
  // The previous data page's buffer is reused (nothing refers to it once its values are decoded;
  // a dictionary page keeps its own): no allocation and a cache-warm destination per page.
  BufferPtr buf;
  if (page_ && page_.use_count() == 1 && page_->capacity() >= static_cast<std::int64_t>(uncompressed)) {
    buf = std::move(page_);
    buf->resize(static_cast<std::int64_t>(uncompressed), false);
  } else {
    buf = Buffer::allocate(static_cast<std::int64_t>(uncompressed), false);
  }
  Status st = decompress(codec_, {raw + skip, raw_size - skip}, {buf->mutable_data(), uncompressed});
  if (!st.ok()) {
    return error(st.error().code(), std::string(codec_name(codec_)) + " page: " + st.error().message(),
                 page_offset_ + static_cast<std::int64_t>(skip));
  }
  page_ = std::move(buf);
  return std::span<const std::uint8_t>(page_->data(), uncompressed);
}

void ColumnChunkReader::plan_ahead(std::int64_t rows, std::int64_t* budget, std::vector<SnappyPage>& pages) {
  // Pages smaller than this are left to read(): pairing them gains less than the second header parse.
  constexpr std::int64_t kMinBody = 4096;
  ahead_.clear();
  if (codec_ != Codec::SNAPPY || at_end_) return;
  // Level entries the next `rows` rows need beyond those at hand: at least one per row (exactly one
  // where the column is not repeated), so every page planned is one the batch reads.
  std::int64_t need = rows - page_left_ - static_cast<std::int64_t>(pending_end_ - pending_);
  const std::int64_t size = bytes_->size();
  std::int64_t pos = pos_, seen = values_seen_;
  // The current page's buffer, once nothing of it is left to decode (values of pending level entries
  // are still read from it), as page_body() would reuse it.
  BufferPtr reuse = page_left_ == 0 && pending_ == pending_end_ && page_ && page_.use_count() == 1 ? page_ : nullptr;
  while (need > 0 && pos < size && seen < meta_.num_values && *budget > 0) {
    std::uint32_t header_size = 0;
    auto parsed = parse_page_header({bytes_->data() + pos, static_cast<std::size_t>(size - pos)}, limits_, &header_size);
    if (!parsed.ok()) return;
    const format::PageHeader& h = *parsed;
    const std::int64_t body = pos + header_size, compressed = h.compressed_page_size;
    if (compressed < 0 || compressed > size - body || compressed > options_.max_page_bytes ||
        h.uncompressed_page_size < 0 || h.uncompressed_page_size > options_.max_page_bytes)
      return;
    std::int64_t skip = 0, out = h.uncompressed_page_size, values = 0;
    if (h.type == PageType::DATA_PAGE_V2) {
      const auto& d = h.data_page_header_v2;
      skip = std::int64_t{d.repetition_levels_byte_length} + d.definition_levels_byte_length;
      if (d.num_values < 0 || d.repetition_levels_byte_length < 0 || d.definition_levels_byte_length < 0 ||
          skip > compressed || skip > out || (d.__isset.is_compressed && !d.is_compressed))
        return;
      out -= skip;
      values = d.num_values;
    } else if (h.type == PageType::DATA_PAGE) {
      if (h.data_page_header.num_values < 0) return;
      values = h.data_page_header.num_values;
    } else if (h.type != PageType::DICTIONARY_PAGE) {
      return;
    }
    // A small data page: the chunk's pages are likely all small; parsing their headers twice costs
    // more than pairing would gain.
    if (compressed - skip < kMinBody && h.type != PageType::DICTIONARY_PAGE) return;
    if (compressed - skip >= kMinBody && out > 0) {
      BufferPtr buf;
      if (reuse && reuse->capacity() >= out) {
        buf = std::move(reuse);
        page_.reset();
        buf->resize(out, false);
      } else {
        buf = Buffer::allocate(out, false);
      }
      pages.push_back({{bytes_->data() + body + skip, static_cast<std::size_t>(compressed - skip)},
                       {buf->mutable_data(), static_cast<std::size_t>(out)}});
      ahead_.push_back({body + skip, std::move(buf), pages.size() - 1});
      *budget -= out;
    }
    need -= values;
    seen += values;
    pos = body + compressed;
  }
}

void ColumnChunkReader::ahead_done(std::span<const SnappyPage> pages) {
  std::erase_if(ahead_, [&](const Ahead& a) { return a.entry >= pages.size() || !pages[a.entry].ok; });
}

Status ColumnChunkReader::load_dictionary(const format::PageHeader& h, const std::uint8_t* body,
                                          std::int64_t size) {
  if (has_dictionary_) return error(ErrorCode::kParseError, "a second dictionary page in one column chunk", page_offset_);
  const auto& d = h.dictionary_page_header;
  if (d.num_values < 0) return error(ErrorCode::kParseError, "dictionary page with a negative value count", page_offset_);
  if (d.encoding != Encoding::PLAIN && d.encoding != Encoding::PLAIN_DICTIONARY)
    return error(ErrorCode::kNotImplemented, "dictionary page encoded as " + encoding_name(d.encoding), page_offset_);
  Status st;
  if (leaf_.physical == Type::BYTE_ARRAY) {
    std::shared_ptr<const void> keeper = page_ ? std::shared_ptr<const void>(page_) : std::shared_ptr<const void>(bytes_);
    st = binary_dict_.decode_plain(body, static_cast<std::size_t>(size), static_cast<std::uint64_t>(d.num_values),
                                   std::move(keeper), 0);
  } else if (width_ > 0) {
    st = fixed_dict_.decode_plain(body, static_cast<std::size_t>(size), static_cast<std::uint64_t>(d.num_values),
                                  static_cast<std::size_t>(width_), 0);
  } else {
    return error(ErrorCode::kNotImplemented, "a dictionary for " + type_name(leaf_.physical) + " values", page_offset_);
  }
  if (!st.ok()) return error(st.error().code(), st.error().message(), page_offset_);
  dict_page_ = page_;
  page_.reset();
  has_dictionary_ = true;
  return ok_status();
}

Status ColumnChunkReader::start_values(Encoding::type encoding, const std::uint8_t* data, std::size_t size,
                                       std::int64_t offset, std::int64_t num_values) {
  (void)num_values;
  Status st;
  const bool byte_array = leaf_.physical == Type::BYTE_ARRAY;
  switch (encoding) {
    case Encoding::PLAIN:
      plain_.reset(data, size, 0);
      value_encoding_ = ValueEncoding::kPlain;
      return ok_status();
    case Encoding::PLAIN_DICTIONARY:
    case Encoding::RLE_DICTIONARY:
      if (!has_dictionary_)
        return error(ErrorCode::kParseError, "a dictionary-encoded page without a dictionary page", offset);
      st = reset_dictionary_indices(indices_, data, size, 0);
      value_encoding_ = ValueEncoding::kDictionary;
      break;
    case Encoding::RLE: {
      if (leaf_.physical != Type::BOOLEAN) break;
      auto lp = read_length_prefixed(data, size, 0);
      if (!lp.ok()) {
        st = std::move(lp).error();
        break;
      }
      rle_bool_.reset(lp->data, lp->size, 4);
      value_encoding_ = ValueEncoding::kRleBool;
      return ok_status();
    }
    case Encoding::DELTA_BINARY_PACKED:
      // INT32 too goes through 64-bit arithmetic: writers that take the deltas of 32-bit values in
      // 64 bits (DuckDB) store miniblocks up to 33 bits wide; the values come out right modulo 2^32
      // either way.
      if (leaf_.physical != Type::INT32 && leaf_.physical != Type::INT64) break;
      st = delta64_.reset(data, size, 0);
      value_encoding_ = ValueEncoding::kDeltaBinaryPacked;
      if (st.ok()) return st;
      break;
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      if (!byte_array) break;
      st = delta_length_.reset(data, size, 0);
      value_encoding_ = ValueEncoding::kDeltaLength;
      if (st.ok()) return st;
      break;
    case Encoding::DELTA_BYTE_ARRAY:
      if (!byte_array && leaf_.physical != Type::FIXED_LEN_BYTE_ARRAY) break;
      st = delta_bytes_.reset(data, size, 0);
      value_encoding_ = ValueEncoding::kDeltaByteArray;
      if (st.ok()) return st;
      break;
    case Encoding::BYTE_STREAM_SPLIT:
      if (width_ <= 0 || leaf_.physical == Type::INT96) break;
      st = bss_.reset(data, size, static_cast<std::size_t>(width_), size / static_cast<std::size_t>(width_), 0);
      value_encoding_ = ValueEncoding::kByteStreamSplit;
      if (st.ok()) return st;
      break;
    default: break;
  }
  if (!st.ok()) return error(st.error().code(), st.error().message(), offset);
  if (value_encoding_ == ValueEncoding::kDictionary) return ok_status();
  return error(ErrorCode::kNotImplemented,
               "values encoded as " + encoding_name(encoding) + " for a " + type_name(leaf_.physical) + " column",
               offset);
}

Status ColumnChunkReader::next_page(bool* got) {
  *got = false;
  const std::int64_t size = bytes_->size();
  while (!at_end_) {
    if (pos_ >= size || values_seen_ >= meta_.num_values) {
      at_end_ = true;
      break;
    }
    std::uint32_t header_size = 0;
    const std::int64_t header_offset = file_offset_ + pos_;
    auto parsed = parse_page_header({bytes_->data() + pos_, static_cast<std::size_t>(size - pos_)}, limits_, &header_size);
    if (!parsed.ok()) {
      Error e = std::move(parsed).error();
      return error(e.code(), "page header: " + e.message(), header_offset);
    }
    const format::PageHeader h = std::move(parsed).value();
    const std::int64_t body = pos_ + header_size;
    const std::int64_t compressed = h.compressed_page_size;
    if (compressed > size - body)
      return error(ErrorCode::kParseError,
                   "a page of " + std::to_string(compressed) + " bytes runs past the end of its column chunk (" +
                       std::to_string(size - body) + " bytes left)",
                   header_offset);
    if (compressed > options_.max_page_bytes || h.uncompressed_page_size > options_.max_page_bytes)
      return error(ErrorCode::kLimitExceeded,
                   "a page of " + std::to_string(std::max<std::int64_t>(compressed, h.uncompressed_page_size)) +
                       " bytes is larger than the limit of " + std::to_string(options_.max_page_bytes),
                   header_offset);
    const std::uint8_t* raw = bytes_->data() + body;
    pos_ = body + compressed;
    page_offset_ = file_offset_ + body;
    if (options_.verify_checksums && h.__isset.crc) {
      const auto crc = static_cast<std::uint32_t>(
          ::crc32(0L, raw, static_cast<uInt>(compressed)));
      if (crc != static_cast<std::uint32_t>(h.crc))
        return error(ErrorCode::kParseError, "page checksum mismatch: the header says " +
                                                 std::to_string(static_cast<std::uint32_t>(h.crc)) + ", the page is " +
                                                 std::to_string(crc),
                     header_offset);
    }
    switch (h.type) {
      case PageType::DICTIONARY_PAGE: {
        SLUICE_ASSIGN_OR_RETURN(auto b, page_body(h, raw, static_cast<std::size_t>(compressed), 0,
                                                  static_cast<std::size_t>(h.uncompressed_page_size)));
        SLUICE_TRY(load_dictionary(h, b.data(), static_cast<std::int64_t>(b.size())));
        continue;
      }
      case PageType::DATA_PAGE: {
        const auto& d = h.data_page_header;
        if (d.num_values < 0) return error(ErrorCode::kParseError, "data page with a negative value count", header_offset);
        SLUICE_ASSIGN_OR_RETURN(auto b, page_body(h, raw, static_cast<std::size_t>(compressed), 0,
                                                  static_cast<std::size_t>(h.uncompressed_page_size)));
        const std::uint8_t* p = b.data();
        std::size_t left = b.size();
        const auto n = static_cast<std::uint64_t>(d.num_values);
        auto levels = [&](std::int16_t max_level, Encoding::type enc, RleBitPackedDecoder& rle,
                          LegacyBitPackedDecoder& bp, bool* legacy, const char* what) -> Status {
          if (max_level == 0) return ok_status();
          const int w = bit_width_of(static_cast<std::uint64_t>(max_level));
          Status st;
          if (enc == Encoding::BIT_PACKED) {
            *legacy = true;
            st = bp.reset(p, left, w, n, 0);
            if (st.ok()) {
              p += bp.byte_size();
              left -= bp.byte_size();
            }
          } else if (enc == Encoding::RLE) {
            *legacy = false;
            auto lp = read_length_prefixed(p, left, 0);
            if (!lp.ok()) {
              st = std::move(lp).error();
            } else {
              st = rle.reset(lp->data, lp->size, w, 4);
              if (&rle == &def_rle_ && flat_optional_) def_bits_.reset(lp->data, lp->size, 4);
              p += lp->consumed;
              left -= lp->consumed;
            }
          } else {
            return error(ErrorCode::kNotImplemented,
                         std::string(what) + " levels encoded as " + encoding_name(enc), page_offset_);
          }
          if (!st.ok()) return error(st.error().code(), std::string(what) + " levels: " + st.error().message(), page_offset_);
          return ok_status();
        };
        SLUICE_TRY(levels(leaf_.max_rep, d.repetition_level_encoding, rep_rle_, rep_bp_, &rep_legacy_, "repetition"));
        SLUICE_TRY(levels(leaf_.max_def, d.definition_level_encoding, def_rle_, def_bp_, &def_legacy_, "definition"));
        SLUICE_TRY(start_values(d.encoding, p, left, page_offset_ + static_cast<std::int64_t>(b.size() - left),
                                d.num_values));
        page_left_ = d.num_values;
        break;
      }
      case PageType::DATA_PAGE_V2: {
        const auto& d = h.data_page_header_v2;
        if (d.num_values < 0) return error(ErrorCode::kParseError, "data page with a negative value count", header_offset);
        const std::int64_t rl = d.repetition_levels_byte_length, dl = d.definition_levels_byte_length;
        if (rl < 0 || dl < 0 || rl + dl > compressed || rl + dl > h.uncompressed_page_size)
          return error(ErrorCode::kParseError, "data page v2 level lengths do not fit the page", header_offset);
        rep_legacy_ = def_legacy_ = false;
        if (leaf_.max_rep > 0) {
          Status st = rep_rle_.reset(raw, static_cast<std::size_t>(rl), bit_width_of(static_cast<std::uint64_t>(leaf_.max_rep)), 0);
          if (!st.ok()) return error(st.error().code(), st.error().message(), page_offset_);
        }
        if (leaf_.max_def > 0) {
          Status st = def_rle_.reset(raw + rl, static_cast<std::size_t>(dl), bit_width_of(static_cast<std::uint64_t>(leaf_.max_def)), 0);
          if (!st.ok()) return error(st.error().code(), st.error().message(), page_offset_);
          if (flat_optional_) def_bits_.reset(raw + rl, static_cast<std::size_t>(dl), 0);
        }
        const auto skip = static_cast<std::size_t>(rl + dl);
        const auto values_size = static_cast<std::size_t>(h.uncompressed_page_size - rl - dl);
        std::span<const std::uint8_t> b;
        const bool compressed_values = !d.__isset.is_compressed || d.is_compressed;
        if (!compressed_values || codec_ == Codec::UNCOMPRESSED) {
          b = {raw + skip, static_cast<std::size_t>(compressed) - skip};
        } else if (static_cast<std::size_t>(compressed) == skip) {
          // No value bytes at all (a page of nulls): nothing to decompress.
          b = {};
        } else {
          SLUICE_ASSIGN_OR_RETURN(b, page_body(h, raw, static_cast<std::size_t>(compressed), skip, values_size));
        }
        SLUICE_TRY(start_values(d.encoding, b.data(), b.size(), page_offset_ + rl + dl, d.num_values));
        page_left_ = d.num_values;
        break;
      }
      default:
        continue;  // index pages and page types of later versions carry nothing to read
    }
    values_seen_ += page_left_;
    if (page_left_ == 0) continue;
    *got = true;
    return ok_status();
  }
  return ok_status();
}

// Decodes up to `want` level entries of the current page into the pending buffers.
Status ColumnChunkReader::fill_pending(std::int64_t want) {
  const auto k = static_cast<std::size_t>(std::min(want, page_left_));
  // A column with no levels of a kind has nothing to decode for it: read() never looks at them.
  auto decode = [&](std::int16_t max_level, RleBitPackedDecoder& rle, LegacyBitPackedDecoder& bp, bool legacy,
                    std::vector<std::int16_t>& out, const char* what) -> Status {
    if (max_level == 0) return ok_status();
    out.resize(k);
    auto got = legacy ? bp.get_batch(out.data(), k) : rle.get_batch(out.data(), k);
    if (!got.ok()) return error(got.error().code(), std::string(what) + " levels: " + got.error().message(), page_offset_);
    if (*got != k)
      return error(ErrorCode::kParseError,
                   std::string("the page's ") + what + " levels end before its " + std::to_string(page_left_) +
                       " values",
                   page_offset_);
    std::int16_t mx = 0;
    for (std::size_t i = 0; i < k; ++i) mx = std::max(mx, out[i]);
    if (mx > max_level)
      return error(ErrorCode::kParseError,
                   std::string(what) + " level " + std::to_string(mx) + " is above the column's maximum " +
                       std::to_string(max_level),
                   page_offset_);
    return ok_status();
  };
  SLUICE_TRY(decode(leaf_.max_rep, rep_rle_, rep_bp_, rep_legacy_, pend_rep_, "repetition"));
  SLUICE_TRY(decode(leaf_.max_def, def_rle_, def_bp_, def_legacy_, pend_def_, "definition"));
  page_left_ -= static_cast<std::int64_t>(k);
  pending_ = 0;
  pending_end_ = k;
  return ok_status();
}

Status ColumnChunkReader::decode_values(std::int64_t n, LeafChunk* out) {
  if (n == 0) return ok_status();
  const auto un = static_cast<std::size_t>(n);
  Status st;
  auto short_page = [&]() {
    return error(ErrorCode::kParseError, "the page has fewer values than its definition levels say", page_offset_);
  };
  if (leaf_.physical == Type::BOOLEAN) {
    ensure(out->bits, bit::bytes_for(out->values + n) + 8, true);
    if (value_encoding_ == ValueEncoding::kPlain) {
      st = plain_.get_booleans(out->bits->mutable_data(), out->values, un);
    } else if (value_encoding_ == ValueEncoding::kRleBool) {
      auto got = rle_bool_.get_batch(out->bits->mutable_data(), out->values, un);
      if (!got.ok()) st = std::move(got).error();
      else if (*got != un) return short_page();
    } else {
      return error(ErrorCode::kNotImplemented, "this encoding of BOOLEAN values", page_offset_);
    }
  } else if (leaf_.physical == Type::BYTE_ARRAY) {
    Result<std::size_t> got = un;
    switch (value_encoding_) {
      case ValueEncoding::kPlain: st = plain_.get_byte_arrays(out->binary, un); break;
      case ValueEncoding::kDictionary: got = binary_dict_.gather(indices_, out->binary, un); break;
      case ValueEncoding::kDeltaLength: got = delta_length_.get_batch(out->binary, un); break;
      case ValueEncoding::kDeltaByteArray: got = delta_bytes_.get_batch(out->binary, un); break;
      default: return error(ErrorCode::kInternal, "no value decoder", page_offset_);
    }
    if (!got.ok()) st = std::move(got).error();
    else if (*got != un) return short_page();
  } else {
    const auto w = static_cast<std::int64_t>(width_);
    ensure(out->fixed, (out->values + n) * w);
    std::uint8_t* dst = out->fixed->mutable_data() + out->values * w;
    Result<std::size_t> got = un;
    switch (value_encoding_) {
      case ValueEncoding::kPlain: st = plain_.get_fixed(dst, un, static_cast<std::size_t>(w)); break;
      case ValueEncoding::kDictionary: got = fixed_dict_.gather(indices_, dst, un); break;
      case ValueEncoding::kDeltaBinaryPacked:
        if (leaf_.physical == Type::INT32) {
          wide_.resize(un);
          got = delta64_.get_batch(wide_.data(), un);
          auto* o = reinterpret_cast<std::int32_t*>(dst);
          for (std::size_t i = 0; got.ok() && i < *got; ++i) o[i] = static_cast<std::int32_t>(wide_[i]);
        } else {
          got = delta64_.get_batch(reinterpret_cast<std::int64_t*>(dst), un);
        }
        break;
      case ValueEncoding::kDeltaByteArray: got = delta_bytes_.get_fixed(dst, un, static_cast<std::size_t>(w)); break;
      case ValueEncoding::kByteStreamSplit: st = bss_.get_batch(dst, un); break;
      default: return error(ErrorCode::kInternal, "no value decoder", page_offset_);
    }
    if (!got.ok()) st = std::move(got).error();
    else if (*got != un) return short_page();
  }
  if (!st.ok()) return error(st.error().code(), st.error().message(), page_offset_);
  out->values += n;
  return ok_status();
}

Status ColumnChunkReader::read_flat_optional(std::int64_t rows, LeafChunk* out) {
  out->validity = Buffer::allocate(bit::bytes_for(rows) + 8, true);
  std::uint8_t* bits = out->validity->mutable_data();
  while (out->rows < rows) {
    if (page_left_ == 0) {
      bool got = false;
      SLUICE_TRY(next_page(&got));
      if (!got) break;
    }
    const std::int64_t k = std::min(rows - out->rows, page_left_);
    Result<std::size_t> got = std::size_t{0};
    if (def_legacy_) {
      // Legacy BIT_PACKED levels (MSB first): through int16 levels.
      pend_def_.resize(static_cast<std::size_t>(k));
      got = def_bp_.get_batch(pend_def_.data(), static_cast<std::size_t>(k));
      if (got.ok())
        for (std::size_t i = 0; i < *got; ++i) bit::set_to(bits, out->rows + static_cast<std::int64_t>(i), pend_def_[i] == 1);
    } else {
      got = def_bits_.get_batch(bits, out->rows, static_cast<std::size_t>(k));
    }
    if (!got.ok()) return error(got.error().code(), "definition levels: " + got.error().message(), page_offset_);
    if (static_cast<std::int64_t>(*got) != k)
      return error(ErrorCode::kParseError,
                   "the page's definition levels end before its " + std::to_string(page_left_) + " values",
                   page_offset_);
    const std::int64_t present = count_set_bits(bits, out->rows, k);
    SLUICE_TRY(decode_values(present, out));
    out->nulls += k - present;
    page_left_ -= k;
    out->rows += k;
    out->entries += k;
  }
  return ok_status();
}

Status ColumnChunkReader::read(std::int64_t rows, LeafChunk* out) {
  Status st = read_rows(rows, out);
  row_ += out->rows;
  return st;
}

Status ColumnChunkReader::read_rows(std::int64_t rows, LeafChunk* out) {
  out->validity.reset();
  out->nulls = 0;
  out->def.clear();
  out->rep.clear();
  out->entries = out->rows = out->values = 0;
  out->fixed.reset();
  out->bits.reset();
  (void)out->binary.finish();
  const bool repeated = leaf_.max_rep > 0;
  if (!repeated && width_ > 0) out->fixed = Buffer::allocate(rows * width_, false);
  if (flat_optional_) return read_flat_optional(rows, out);
  while (true) {
    if (pending_ == pending_end_) {
      if (!repeated && out->rows >= rows) break;
      if (page_left_ == 0) {
        bool got = false;
        SLUICE_TRY(next_page(&got));
        if (!got) break;
      }
      SLUICE_TRY(fill_pending(repeated ? std::max<std::int64_t>(rows, 4096) : rows - out->rows));
    }
    // Hand out pending entries: all of them for a flat column (they were sized to the rows asked
    // for); for a repeated one, up to the start of the row after the last one asked for.
    std::size_t end = pending_end_;
    bool row_boundary = false;
    if (repeated) {
      for (std::size_t i = pending_; i < pending_end_; ++i) {
        if (pend_rep_[i] == 0) {
          if (out->rows == rows) {
            end = i;
            row_boundary = true;
            break;
          }
          ++out->rows;
        } else if (out->entries == 0 && i == pending_) {
          return error(ErrorCode::kParseError, "the column chunk's first level entry does not start a row",
                       page_offset_);
        }
      }
    }
    const std::size_t k = end - pending_;
    std::int64_t present = static_cast<std::int64_t>(k);
    if (leaf_.max_def > 0) {
      present = 0;
      const std::int16_t* d = pend_def_.data() + pending_;
      for (std::size_t i = 0; i < k; ++i) present += d[i] == leaf_.max_def;
      out->def.insert(out->def.end(), d, d + k);
    }
    if (repeated) out->rep.insert(out->rep.end(), pend_rep_.begin() + pending_, pend_rep_.begin() + end);
    SLUICE_TRY(decode_values(present, out));
    out->entries += static_cast<std::int64_t>(k);
    if (!repeated) out->rows += static_cast<std::int64_t>(k);
    pending_ = end;
    if (row_boundary) break;
  }
  return ok_status();
}

void ColumnChunkReader::set_page_locations(std::vector<format::PageLocation> pages) {
  if (leaf_.max_rep != 0) return;
  std::int64_t last_offset = -1, last_row = -1;
  for (const auto& p : pages) {
    const std::int64_t at = p.offset - file_offset_;
    if (at <= last_offset || at < 0 || at >= bytes_->size() || p.first_row_index <= last_row) return;
    last_offset = at;
    last_row = p.first_row_index;
  }
  pages_ = std::move(pages);
}

Status ColumnChunkReader::skip(std::int64_t rows) {
  if (!pages_.empty() && pending_ == pending_end_ && rows > 0) {
    // The dictionary (if any) comes before the first data page: read up to there first.
    if (pos_ == 0) {
      bool got = false;
      SLUICE_TRY(next_page(&got));
    }
    const std::int64_t target = row_ + rows;
    std::size_t k = 0;
    while (k + 1 < pages_.size() && pages_[k + 1].first_row_index <= target) ++k;
    const std::int64_t page_row = pages_[k].first_row_index;
    const std::int64_t current_page_end = row_ + page_left_;
    if (page_row > row_ && page_row >= current_page_end) {
      // Jump to page k: every page before it (and what is left of the current one) is never read.
      pos_ = pages_[k].offset - file_offset_;
      page_left_ = 0;
      values_seen_ = page_row;  // entries are rows in a column that is not repeated
      at_end_ = false;
      row_ = page_row;
      rows = target - page_row;
    }
  }
  LeafChunk scratch;
  return read(rows, &scratch);
}

}  // namespace sluice::parquet
