// Parquet metadata from untrusted bytes: Thrift compact protocol under limits, then the checks that
// let the readers trust what they get.
#include "parquet/metadata.hpp"

#include <thrift/TConfiguration.h>
#include <thrift/Thrift.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/protocol/TProtocolException.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <utility>

namespace sluice::parquet {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TType;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TTransportException;

constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();

// The compact protocol with every string length and element count checked against the bytes left in
// the input before the generated code allocates for it. Stock TCompactProtocolT reallocs a buffer of
// the declared string length before reading, and lets a list of structs claim up to the container
// limit however few bytes follow; here each element must be backed by at least one byte of input.
// Out-of-input conditions are thrown as TTransportException::END_OF_FILE, so they read as truncation.
class BoundedCompactProtocol final : public TCompactProtocolT<TMemoryBuffer> {
  using Base = TCompactProtocolT<TMemoryBuffer>;

 public:
  BoundedCompactProtocol(std::shared_ptr<TMemoryBuffer> trans, std::int32_t string_limit, std::int32_t container_limit)
      : Base(std::move(trans), string_limit, container_limit) {}

  // These hide the base's, so that skip() (instantiated on this class) uses them too.
  std::uint32_t readListBegin(TType& elem_type, std::uint32_t& size) {
    std::int8_t size_and_type = 0;
    std::uint32_t rsize = readByte(size_and_type);
    std::int64_t n = (static_cast<std::uint8_t>(size_and_type) >> 4) & 0x0f;
    if (n == 15) rsize += readVarint64(n);
    check_count(n, 1, "list");
    elem_type = getTType(static_cast<std::int8_t>(size_and_type & 0x0f));
    size = static_cast<std::uint32_t>(n);
    return rsize;
  }
  std::uint32_t readSetBegin(TType& elem_type, std::uint32_t& size) { return readListBegin(elem_type, size); }
  std::uint32_t readMapBegin(TType& key_type, TType& value_type, std::uint32_t& size) {
    std::int64_t n = 0;
    std::uint32_t rsize = readVarint64(n);
    std::int8_t kv_type = 0;
    if (n != 0) rsize += readByte(kv_type);
    check_count(n, 2, "map");
    key_type = getTType(static_cast<std::int8_t>(static_cast<std::uint8_t>(kv_type) >> 4));
    value_type = getTType(static_cast<std::int8_t>(kv_type & 0x0f));
    size = static_cast<std::uint32_t>(n);
    return rsize;
  }
  std::uint32_t readBinary(std::string& str) {
    // Read as 64 bits: readVarint32 would silently keep the low 32 bits of a longer varint.
    std::int64_t n = 0;
    const std::uint32_t rsize = readVarint64(n);
    if (n < 0) throw TProtocolException(TProtocolException::NEGATIVE_SIZE, "a negative string length");
    if (n > string_limit_)
      throw TProtocolException(TProtocolException::SIZE_LIMIT,
                               "a string of " + std::to_string(n) + " bytes is longer than the limit of " +
                                   std::to_string(string_limit_) + " (ThriftLimits::max_string_bytes)");
    const std::uint32_t left = trans_->available_read();
    if (n > std::int64_t{left})
      throw TTransportException(TTransportException::END_OF_FILE, "a string of " + std::to_string(n) +
                                                                      " bytes runs past the end of the input (" +
                                                                      std::to_string(left) + " bytes left)");
    if (n == 0) {
      str.clear();
      return rsize;
    }
    std::uint32_t len = static_cast<std::uint32_t>(n);
    const std::uint8_t* p = trans_->borrow(nullptr, &len);
    if (p == nullptr) throw TTransportException(TTransportException::END_OF_FILE, "cannot borrow string bytes");
    str.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    trans_->consume(static_cast<std::uint32_t>(n));
    return rsize + static_cast<std::uint32_t>(n);
  }
  std::uint32_t readString(std::string& str) { return readBinary(str); }

  std::uint32_t readListBegin_virt(TType& elem_type, std::uint32_t& size) override {
    return readListBegin(elem_type, size);
  }
  std::uint32_t readSetBegin_virt(TType& elem_type, std::uint32_t& size) override {
    return readSetBegin(elem_type, size);
  }
  std::uint32_t readMapBegin_virt(TType& key_type, TType& value_type, std::uint32_t& size) override {
    return readMapBegin(key_type, value_type, size);
  }
  std::uint32_t readBinary_virt(std::string& str) override { return readBinary(str); }
  std::uint32_t readString_virt(std::string& str) override { return readBinary(str); }
  std::uint32_t skip_virt(TType type) override { return apache::thrift::protocol::skip(*this, type); }

  std::uint32_t bytes_left() const { return trans_->available_read(); }

 private:
  void check_count(std::int64_t n, std::int64_t min_bytes_each, const char* what) {
    if (n < 0) throw TProtocolException(TProtocolException::NEGATIVE_SIZE, std::string("a negative ") + what + " size");
    if (n > container_limit_)
      throw TProtocolException(TProtocolException::SIZE_LIMIT,
                               std::string("a ") + what + " of " + std::to_string(n) +
                                   " elements is longer than the limit of " + std::to_string(container_limit_) +
                                   " (ThriftLimits::max_container_elems)");
    const std::uint32_t left = trans_->available_read();
    if (n * min_bytes_each > std::int64_t{left})
      throw TTransportException(TTransportException::END_OF_FILE,
                                std::string("a ") + what + " of " + std::to_string(n) +
                                    " elements cannot fit in the " + std::to_string(left) + " bytes left");
  }
};

template <class T>
constexpr const char* kThriftName = "Thrift struct";
template <>
constexpr const char* kThriftName<format::FileMetaData> = "FileMetaData";
template <>
constexpr const char* kThriftName<format::FileCryptoMetaData> = "FileCryptoMetaData";
template <>
constexpr const char* kThriftName<format::PageHeader> = "PageHeader";
template <>
constexpr const char* kThriftName<format::ColumnIndex> = "ColumnIndex";
template <>
constexpr const char* kThriftName<format::OffsetIndex> = "OffsetIndex";
template <>
constexpr const char* kThriftName<format::BloomFilterHeader> = "BloomFilterHeader";

// Thrift's own texts may carry the offending byte raw ("don't know what type: \x0e").
std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Generic texts of TProtocolException say nothing about where; ours say what was wrong.
std::string protocol_message(const TProtocolException& e, const ThriftLimits& limits) {
  switch (e.getType()) {
    case TProtocolException::DEPTH_LIMIT:
      return "structures nested deeper than " + std::to_string(limits.max_nesting) + " (ThriftLimits::max_nesting)";
    case TProtocolException::INVALID_DATA:
      if (std::strcmp(e.what(), "TProtocolException: Invalid data") == 0)
        return "a required field is missing or a field is malformed";
      break;
    default:
      break;
  }
  return printable(e.what());
}

Error at_offset(Error e, std::int64_t offset) {
  e.context().byte_offset = offset;
  return e;
}

std::uint32_t read_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

bool magic_is(const std::uint8_t* p, std::string_view magic) { return std::memcmp(p, magic.data(), 4) == 0; }

// Four bytes for a message: printable as text, otherwise as hex.
std::string show4(const std::uint8_t* p) {
  bool text = true;
  for (int i = 0; i < 4; ++i) text = text && p[i] >= 0x20 && p[i] < 0x7f;
  if (text) return "\"" + std::string(reinterpret_cast<const char*>(p), 4) + "\"";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "0x";
  for (int i = 0; i < 4; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

// ---- Schema --------------------------------------------------------------------------------------

struct Leaf {
  std::size_t element = 0;  // index in FileMetaData::schema
  std::string path;         // dotted, without the root
};

bool known_type(format::Type::type t) { return t >= format::Type::BOOLEAN && t <= format::Type::FIXED_LEN_BYTE_ARRAY; }
bool known_repetition(format::FieldRepetitionType::type r) {
  return r >= format::FieldRepetitionType::REQUIRED && r <= format::FieldRepetitionType::REPEATED;
}

Error schema_error(std::size_t i, const format::SchemaElement& e, const std::string& what) {
  return Error(ErrorCode::kParseError,
               "invalid Parquet schema: element " + std::to_string(i) + " ('" + e.name + "') " + what);
}

// Walks the flattened schema tree: checks its shape and collects the leaves in column order.
Status walk_schema(const std::vector<format::SchemaElement>& schema, std::vector<Leaf>* leaves) {
  leaves->clear();
  if (schema.empty()) return Error(ErrorCode::kParseError, "invalid Parquet schema: it has no elements");
  const std::size_t n = schema.size();
  const auto& root = schema[0];
  if (!root.__isset.num_children) {
    return schema_error(0, root, "is the root but has no num_children");
  }
  if (root.num_children < 0 || static_cast<std::uint64_t>(root.num_children) > n - 1) {
    return schema_error(0, root, "declares " + std::to_string(root.num_children) + " children but " +
                                     std::to_string(n - 1) + " elements follow");
  }
  // Per open group: its element index and the children it still expects; innermost last.
  std::vector<std::pair<std::size_t, std::int64_t>> open;
  std::vector<const std::string*> names;  // names of the open groups below the root
  open.emplace_back(0, root.num_children);
  for (std::size_t i = 1; i < n; ++i) {
    while (!open.empty() && open.back().second == 0) {
      open.pop_back();
      if (!names.empty()) names.pop_back();
    }
    const auto& e = schema[i];
    if (open.empty()) {
      return schema_error(i, e, "is left over: the root's " + std::to_string(root.num_children) +
                                    " children and their descendants end before it");
    }
    --open.back().second;
    if (e.__isset.num_children && e.num_children < 0) {
      return schema_error(i, e, "has a negative num_children (" + std::to_string(e.num_children) + ")");
    }
    if (!e.__isset.repetition_type) return schema_error(i, e, "has no repetition_type");
    if (!known_repetition(e.repetition_type)) {
      return schema_error(i, e, "has an unknown repetition_type (" +
                                    std::to_string(static_cast<int>(e.repetition_type)) + ")");
    }
    const bool group = e.__isset.num_children && e.num_children > 0;
    if (group) {
      if (static_cast<std::uint64_t>(e.num_children) > n - i - 1) {
        return schema_error(i, e, "declares " + std::to_string(e.num_children) + " children but only " +
                                      std::to_string(n - i - 1) + " elements follow");
      }
      if (open.size() >= static_cast<std::size_t>(kMaxSchemaDepth)) {
        return Error(ErrorCode::kLimitExceeded, "invalid Parquet schema: element " + std::to_string(i) + " ('" +
                                                    e.name + "') is nested deeper than " +
                                                    std::to_string(kMaxSchemaDepth) + " groups");
      }
      open.emplace_back(i, e.num_children);
      names.push_back(&e.name);
    } else if (e.__isset.type) {
      if (!known_type(e.type)) {
        return schema_error(i, e, "has an unknown physical type (" + std::to_string(static_cast<int>(e.type)) + ")");
      }
      if (e.type == format::Type::FIXED_LEN_BYTE_ARRAY && (!e.__isset.type_length || e.type_length <= 0)) {
        return schema_error(i, e, "is FIXED_LEN_BYTE_ARRAY without a positive type_length");
      }
      std::string path;
      for (const auto* name : names) path += *name + ".";
      path += e.name;
      leaves->push_back(Leaf{i, std::move(path)});
    } else if (!e.__isset.num_children) {
      return schema_error(i, e, "has neither a type nor children");
    }
    // else: a group with num_children = 0, which holds no column.
  }
  while (!open.empty() && open.back().second == 0) open.pop_back();
  if (!open.empty()) {
    const auto& g = schema[open.back().first];
    return schema_error(open.back().first, g,
                        "expects " + std::to_string(open.back().second) + " more children than the schema holds");
  }
  return ok_status();
}

// ---- Row groups and column chunks ----------------------------------------------------------------

Error chunk_error(ErrorCode code, std::size_t rg, std::size_t col, const std::string& path, const std::string& what) {
  ErrorContext ctx;
  ctx.column = static_cast<std::int64_t>(col);
  ctx.column_name = path;
  return Error(code, "invalid Parquet metadata: row group " + std::to_string(rg) + ": " + what, std::move(ctx));
}

// An optional structure stored outside the chunks (page index, bloom filter) must lie in the data
// region too, so reading it later needs no further check than its own parse.
Status check_side_range(bool has_offset, std::int64_t offset, bool has_length, std::int64_t length,
                        std::uint64_t data_end, const char* what, std::size_t rg, std::size_t col,
                        const std::string& path) {
  if (!has_offset) return ok_status();
  if (offset < 4 || static_cast<std::uint64_t>(offset) > data_end) {
    return chunk_error(ErrorCode::kParseError, rg, col, path,
                       std::string(what) + " offset " + std::to_string(offset) + " is outside the data region [4, " +
                           std::to_string(data_end) + ")");
  }
  if (has_length && (length < 0 || static_cast<std::uint64_t>(length) > data_end - static_cast<std::uint64_t>(offset))) {
    return chunk_error(ErrorCode::kParseError, rg, col, path,
                       std::string(what) + " of " + std::to_string(length) + " bytes at offset " +
                           std::to_string(offset) + " does not fit the data region [4, " + std::to_string(data_end) +
                           ")");
  }
  return ok_status();
}

Status check_chunk(const format::ColumnChunk& cc, const format::SchemaElement& leaf, std::uint64_t data_end,
                   std::size_t rg, std::size_t col, const std::string& path) {
  auto fail = [&](const std::string& what) { return chunk_error(ErrorCode::kParseError, rg, col, path, what); };
  if (cc.__isset.crypto_metadata || cc.__isset.encrypted_column_metadata) {
    return chunk_error(ErrorCode::kNotImplemented, rg, col, path,
                       "the column is encrypted; reading encrypted Parquet is not supported");
  }
  if (cc.__isset.file_path && !cc.file_path.empty()) {
    return chunk_error(ErrorCode::kNotImplemented, rg, col, path,
                       "the column's data is in another file ('" + cc.file_path + "'); that is not supported");
  }
  if (!cc.__isset.meta_data) return fail("the column chunk has no meta_data");
  const auto& m = cc.meta_data;
  if (m.type != leaf.type) {
    return fail("the column chunk's type " + type_name(m.type) + " differs from the schema's " + type_name(leaf.type));
  }
  if (m.num_values < 0) return fail("num_values is negative (" + std::to_string(m.num_values) + ")");
  if (m.total_compressed_size < 0) {
    return fail("total_compressed_size is negative (" + std::to_string(m.total_compressed_size) + ")");
  }
  if (m.total_uncompressed_size < 0) {
    return fail("total_uncompressed_size is negative (" + std::to_string(m.total_uncompressed_size) + ")");
  }
  if (m.data_page_offset < 0) return fail("data_page_offset is negative (" + std::to_string(m.data_page_offset) + ")");
  if (m.__isset.dictionary_page_offset && m.dictionary_page_offset < 0) {
    return fail("dictionary_page_offset is negative (" + std::to_string(m.dictionary_page_offset) + ")");
  }
  // A chunk of no values and no bytes may sit anywhere: nothing will be read from it.
  const ByteRange r = chunk_range(cc);
  if (r.length > 0 || m.num_values > 0) {
    if (r.offset < 4) {
      return fail("the column chunk starts at byte " + std::to_string(r.offset) + ", inside the leading magic");
    }
    if (static_cast<std::uint64_t>(r.offset) > data_end ||
        static_cast<std::uint64_t>(r.length) > data_end - static_cast<std::uint64_t>(r.offset)) {
      return fail("the column chunk's " + std::to_string(r.length) + " bytes at offset " + std::to_string(r.offset) +
                  " run past the data region, which ends at byte " + std::to_string(data_end) +
                  " where the footer begins");
    }
    if (m.num_values > 0 && (m.data_page_offset < r.offset || m.data_page_offset >= r.end())) {
      return fail("data_page_offset " + std::to_string(m.data_page_offset) + " is not inside the column chunk [" +
                  std::to_string(r.offset) + ", " + std::to_string(r.end()) + ")");
    }
  }
  SLUICE_TRY(check_side_range(cc.__isset.offset_index_offset, cc.offset_index_offset, cc.__isset.offset_index_length,
                              cc.offset_index_length, data_end, "the offset index", rg, col, path));
  SLUICE_TRY(check_side_range(cc.__isset.column_index_offset, cc.column_index_offset, cc.__isset.column_index_length,
                              cc.column_index_length, data_end, "the column index", rg, col, path));
  SLUICE_TRY(check_side_range(m.__isset.bloom_filter_offset, m.bloom_filter_offset, m.__isset.bloom_filter_length,
                              m.bloom_filter_length, data_end, "the bloom filter", rg, col, path));
  return ok_status();
}

// ---- Names ---------------------------------------------------------------------------------------

std::string number(std::int32_t v) { return std::to_string(v); }

std::string time_unit_name(const format::TimeUnit& u) {
  if (u.__isset.MILLIS) return "MILLIS";
  if (u.__isset.MICROS) return "MICROS";
  if (u.__isset.NANOS) return "NANOS";
  return "UNRECOGNIZED";
}

}  // namespace

// ---- Thrift boundary -----------------------------------------------------------------------------

namespace detail {

template <class T>
Status deserialize(std::span<const std::uint8_t> bytes, T* out, const ThriftLimits& limits,
                   std::uint32_t* consumed, bool* truncated) {
  if (consumed != nullptr) *consumed = 0;
  if (truncated != nullptr) *truncated = false;
  const char* name = kThriftName<T>;
  if (bytes.size() > static_cast<std::uint64_t>(kInt32Max)) {
    return Error(ErrorCode::kLimitExceeded, std::string("a Thrift-encoded ") + name + " of " +
                                                std::to_string(bytes.size()) + " bytes is larger than 2 GiB");
  }
  const auto size = static_cast<std::uint32_t>(bytes.size());
  const auto string_limit = static_cast<std::int32_t>(std::clamp<std::int64_t>(limits.max_string_bytes, 0, kInt32Max));
  const auto container_limit =
      static_cast<std::int32_t>(std::clamp<std::int64_t>(limits.max_container_elems, 0, kInt32Max));
  std::shared_ptr<TMemoryBuffer> trans;
  auto offset = [&]() -> std::int64_t { return trans ? std::int64_t{size} - trans->available_read() : 0; };
  auto fail = [&](ErrorCode code, const std::string& what) {
    return at_offset(Error(code, std::string("Parquet ") + name + ": " + what), offset());
  };
  try {
    // The message size bounds the transport's own accounting; the depth bounds nested structs and
    // skipped unknown fields (each level is a stack frame).
    // (int{...}: a copy, since make_shared's reference would need the constant's definition.)
    auto config = std::make_shared<TConfiguration>(static_cast<int>(size), int{TConfiguration::DEFAULT_MAX_FRAME_SIZE},
                                                   std::max(1, limits.max_nesting));
    // OBSERVE: the buffer reads the caller's bytes in place and never writes them.
    trans = std::make_shared<TMemoryBuffer>(const_cast<std::uint8_t*>(bytes.data()), size, TMemoryBuffer::OBSERVE,
                                            config);
    BoundedCompactProtocol protocol(trans, string_limit, container_limit);
    *out = T();
    out->read(&protocol);
    if (consumed != nullptr) *consumed = static_cast<std::uint32_t>(offset());
    return ok_status();
  } catch (const TTransportException& e) {
    if (truncated != nullptr) *truncated = true;
    std::string what = e.what();
    if (what == "No more data to read." || what == "MaxMessageSize reached") what = "no more data to read";
    return fail(ErrorCode::kParseError, "the input ends inside the structure (" + what + ")");
  } catch (const TProtocolException& e) {
    const bool limit = e.getType() == TProtocolException::SIZE_LIMIT || e.getType() == TProtocolException::DEPTH_LIMIT;
    return fail(limit ? ErrorCode::kLimitExceeded : ErrorCode::kParseError, protocol_message(e, limits));
  } catch (const apache::thrift::TException& e) {
    const std::string_view what = e.what();
    if (what.starts_with("don't know what type:")) {
      return fail(ErrorCode::kParseError, "a field or element type code Thrift does not have");
    }
    return fail(ErrorCode::kParseError, printable(what));
  } catch (const std::bad_alloc&) {
    return fail(ErrorCode::kLimitExceeded, "out of memory");
  } catch (const std::exception& e) {
    return fail(ErrorCode::kParseError, printable(e.what()));
  } catch (...) {
    return fail(ErrorCode::kInternal, "unknown exception from Thrift");
  }
}

template <class T>
Result<std::string> serialize(const T& value) {
  try {
    auto trans = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> protocol(trans);
    value.write(&protocol);
    return trans->getBufferAsString();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, std::string("cannot serialize Parquet ") + kThriftName<T> + ": " + e.what());
  }
}

#define SLUICE_PARQUET_THRIFT_STRUCT(T)                                                                          \
  template Status deserialize<T>(std::span<const std::uint8_t>, T*, const ThriftLimits&, std::uint32_t*, bool*); \
  template Result<std::string> serialize<T>(const T&);
SLUICE_PARQUET_THRIFT_STRUCT(format::FileMetaData)
SLUICE_PARQUET_THRIFT_STRUCT(format::FileCryptoMetaData)
SLUICE_PARQUET_THRIFT_STRUCT(format::PageHeader)
SLUICE_PARQUET_THRIFT_STRUCT(format::ColumnIndex)
SLUICE_PARQUET_THRIFT_STRUCT(format::OffsetIndex)
SLUICE_PARQUET_THRIFT_STRUCT(format::BloomFilterHeader)
#undef SLUICE_PARQUET_THRIFT_STRUCT

}  // namespace detail

// ---- Footer --------------------------------------------------------------------------------------

Status check_leading_magic(std::span<const std::uint8_t> head) {
  if (head.size() < 4) {
    return at_offset(Error(ErrorCode::kParseError, "not a Parquet file: it is shorter than the 4-byte magic \"PAR1\""),
                     0);
  }
  if (magic_is(head.data(), kMagic)) return ok_status();
  if (magic_is(head.data(), kEncryptedMagic)) {
    return at_offset(Error(ErrorCode::kNotImplemented,
                           "the Parquet file is encrypted (\"PARE\"); reading encrypted Parquet is not supported"),
                     0);
  }
  return at_offset(Error(ErrorCode::kParseError,
                         "not a Parquet file: it starts with " + show4(head.data()) + " instead of \"PAR1\""),
                   0);
}

Result<FooterInfo> locate_footer(std::uint64_t file_size, std::span<const std::uint8_t> tail) {
  if (tail.size() < kFooterTrailerBytes) {
    return Error(ErrorCode::kInvalidArgument, "locate_footer needs the file's last 8 bytes at least, got " +
                                                  std::to_string(tail.size()));
  }
  if (tail.size() > file_size) {
    return Error(ErrorCode::kInvalidArgument, "locate_footer got " + std::to_string(tail.size()) +
                                                  " bytes of tail for a file of " + std::to_string(file_size));
  }
  if (file_size < 12) {
    return Error(ErrorCode::kParseError, "not a Parquet file: " + std::to_string(file_size) +
                                             " bytes are fewer than the 12 of magic, footer length and magic");
  }
  const std::uint8_t* end = tail.data() + tail.size();
  const auto magic_at = static_cast<std::int64_t>(file_size - 4);
  if (magic_is(end - 4, kEncryptedMagic)) {
    return at_offset(Error(ErrorCode::kNotImplemented,
                           "the Parquet file's footer is encrypted (\"PARE\"); reading encrypted Parquet is not "
                           "supported"),
                     magic_at);
  }
  if (!magic_is(end - 4, kMagic)) {
    return at_offset(Error(ErrorCode::kParseError,
                           "not a Parquet file: it ends with " + show4(end - 4) + " instead of \"PAR1\""),
                     magic_at);
  }
  const std::uint32_t length = read_le32(end - 8);
  if (length == 0) {
    return at_offset(Error(ErrorCode::kParseError, "invalid Parquet file: the footer length is 0"), magic_at - 4);
  }
  if (length > file_size - 12) {
    return at_offset(Error(ErrorCode::kParseError, "invalid Parquet file: the footer length " + std::to_string(length) +
                                                       " is more than the " + std::to_string(file_size - 12) +
                                                       " bytes between the leading magic and the footer length"),
                     magic_at - 4);
  }
  return FooterInfo{file_size - kFooterTrailerBytes - length, length};
}

Result<format::FileMetaData> parse_file_metadata(std::span<const std::uint8_t> footer, std::uint64_t file_size,
                                                 const ThriftLimits& limits) {
  if (file_size < 12 || footer.size() > file_size - 12) {
    return Error(ErrorCode::kInvalidArgument, "parse_file_metadata: a footer of " + std::to_string(footer.size()) +
                                                  " bytes cannot be in a file of " + std::to_string(file_size));
  }
  const std::uint64_t footer_offset = file_size - kFooterTrailerBytes - footer.size();
  format::FileMetaData md;
  if (auto st = detail::deserialize(footer, &md, limits); !st.ok()) {
    Error e = std::move(st).error();
    if (e.context().byte_offset >= 0) e.context().byte_offset += static_cast<std::int64_t>(footer_offset);
    return e;
  }
  SLUICE_TRY(validate_file_metadata(md, footer_offset));
  return md;
}

Status validate_file_metadata(const format::FileMetaData& md, std::uint64_t data_end) {
  if (md.num_rows < 0) {
    return Error(ErrorCode::kParseError,
                 "invalid Parquet metadata: the file's num_rows is negative (" + std::to_string(md.num_rows) + ")");
  }
  std::vector<Leaf> leaves;
  SLUICE_TRY(walk_schema(md.schema, &leaves));
  for (std::size_t r = 0; r < md.row_groups.size(); ++r) {
    const auto& rg = md.row_groups[r];
    if (rg.num_rows < 0) {
      return Error(ErrorCode::kParseError, "invalid Parquet metadata: row group " + std::to_string(r) +
                                               " has a negative num_rows (" + std::to_string(rg.num_rows) + ")");
    }
    if (rg.columns.size() != leaves.size()) {
      return Error(ErrorCode::kParseError, "invalid Parquet metadata: row group " + std::to_string(r) + " has " +
                                               std::to_string(rg.columns.size()) + " column chunks but the schema has " +
                                               std::to_string(leaves.size()) + " leaf columns");
    }
    for (std::size_t c = 0; c < leaves.size(); ++c) {
      SLUICE_TRY(check_chunk(rg.columns[c], md.schema[leaves[c].element], data_end, r, c, leaves[c].path));
    }
  }
  return ok_status();
}

ByteRange chunk_range(const format::ColumnChunk& chunk) {
  const auto& m = chunk.meta_data;
  // No page starts inside the leading magic, so an offset below 4 means "none": writers put 0 in
  // dictionary_page_offset for no dictionary (dict-page-offset-zero.parquet) and, for a chunk of no
  // values, in data_page_offset beside a real dictionary (column_chunk_key_value_metadata.parquet). A
  // dictionary at or after the data page cannot be the chunk's first page and is ignored.
  auto real = [](std::int64_t offset) { return offset >= 4; };
  std::int64_t start = m.data_page_offset;
  if (m.__isset.dictionary_page_offset && real(m.dictionary_page_offset) &&
      (!real(start) || m.dictionary_page_offset < start)) {
    start = m.dictionary_page_offset;
  }
  return ByteRange{start, m.total_compressed_size};
}

bool writer_undercounts_chunks(std::string_view created_by) {
  constexpr std::string_view kWriter = "parquet-mr";
  if (!created_by.starts_with(kWriter)) return false;
  std::string_view rest = created_by.substr(kWriter.size());
  constexpr std::string_view kVersion = " version ";
  if (!rest.starts_with(kVersion)) return rest.empty() || rest.front() == ' ';  // no version: as old as any
  rest.remove_prefix(kVersion.size());
  // major.minor.patch; a missing or unreadable part counts as 0.
  std::int64_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3 && !rest.empty(); ++i) {
    std::size_t n = 0;
    while (n < rest.size() && n < 9 && rest[n] >= '0' && rest[n] <= '9') {
      parts[i] = parts[i] * 10 + (rest[n] - '0');
      ++n;
    }
    rest.remove_prefix(n);
    if (rest.empty() || rest.front() != '.') break;
    rest.remove_prefix(1);
  }
  const std::int64_t fixed[3] = {1, 2, 9};
  return std::lexicographical_compare(parts, parts + 3, fixed, fixed + 3);
}

ByteRange chunk_read_range(const format::ColumnChunk& chunk, std::string_view created_by, std::uint64_t data_end) {
  ByteRange r = chunk_range(chunk);
  if (writer_undercounts_chunks(created_by) && r.offset >= 0 && r.length >= 0 &&
      static_cast<std::uint64_t>(r.end()) < data_end) {
    r.length += static_cast<std::int64_t>(
        std::min<std::uint64_t>(kUndercountPadding, data_end - static_cast<std::uint64_t>(r.end())));
  }
  return r;
}

std::vector<std::string> leaf_paths(const std::vector<format::SchemaElement>& schema) {
  std::vector<Leaf> leaves;
  std::vector<std::string> out;
  if (!walk_schema(schema, &leaves).ok()) return out;
  out.reserve(leaves.size());
  for (auto& l : leaves) out.push_back(std::move(l.path));
  return out;
}

// ---- Pages, page index, bloom filters ------------------------------------------------------------

Result<format::PageHeader> parse_page_header(std::span<const std::uint8_t> bytes, const ThriftLimits& limits,
                                             std::uint32_t* header_size, bool* needs_more) {
  format::PageHeader h;
  std::uint32_t consumed = 0;
  SLUICE_TRY(detail::deserialize(bytes, &h, limits, &consumed, needs_more));
  if (header_size != nullptr) *header_size = consumed;
  auto fail = [](const std::string& what) {
    return at_offset(Error(ErrorCode::kParseError, "invalid Parquet page header: " + what), 0);
  };
  if (h.compressed_page_size < 0) return fail("compressed_page_size is negative (" + number(h.compressed_page_size) + ")");
  if (h.uncompressed_page_size < 0) {
    return fail("uncompressed_page_size is negative (" + number(h.uncompressed_page_size) + ")");
  }
  switch (h.type) {
    case format::PageType::DATA_PAGE:
      if (!h.__isset.data_page_header) return fail("a DATA_PAGE without data_page_header");
      if (h.data_page_header.num_values < 0) {
        return fail("num_values is negative (" + number(h.data_page_header.num_values) + ")");
      }
      break;
    case format::PageType::DATA_PAGE_V2: {
      if (!h.__isset.data_page_header_v2) return fail("a DATA_PAGE_V2 without data_page_header_v2");
      const auto& v2 = h.data_page_header_v2;
      if (v2.num_values < 0) return fail("num_values is negative (" + number(v2.num_values) + ")");
      if (v2.num_nulls < 0 || v2.num_nulls > v2.num_values) {
        return fail("num_nulls (" + number(v2.num_nulls) + ") is not within [0, num_values = " + number(v2.num_values) +
                    "]");
      }
      if (v2.num_rows < 0) return fail("num_rows is negative (" + number(v2.num_rows) + ")");
      if (v2.definition_levels_byte_length < 0 || v2.repetition_levels_byte_length < 0) {
        return fail("a negative level length (definition " + number(v2.definition_levels_byte_length) +
                    ", repetition " + number(v2.repetition_levels_byte_length) + ")");
      }
      const std::int64_t levels =
          std::int64_t{v2.definition_levels_byte_length} + std::int64_t{v2.repetition_levels_byte_length};
      if (levels > h.compressed_page_size || levels > h.uncompressed_page_size) {
        return fail("the levels' " + std::to_string(levels) + " bytes are more than the page's (compressed " +
                    number(h.compressed_page_size) + ", uncompressed " + number(h.uncompressed_page_size) + ")");
      }
      break;
    }
    case format::PageType::DICTIONARY_PAGE:
      if (!h.__isset.dictionary_page_header) return fail("a DICTIONARY_PAGE without dictionary_page_header");
      if (h.dictionary_page_header.num_values < 0) {
        return fail("the dictionary's num_values is negative (" + number(h.dictionary_page_header.num_values) + ")");
      }
      break;
    default:
      break;  // INDEX_PAGE and types newer than this build: the reader skips them by their size
  }
  return h;
}

Result<format::ColumnIndex> parse_column_index(std::span<const std::uint8_t> bytes, const ThriftLimits& limits) {
  format::ColumnIndex ci;
  SLUICE_TRY(detail::deserialize(bytes, &ci, limits));
  const std::size_t pages = ci.null_pages.size();
  auto fail = [&](const std::string& what) {
    return Error(ErrorCode::kParseError, "invalid Parquet column index: " + what + " (the index has " +
                                             std::to_string(pages) + " pages)");
  };
  if (ci.min_values.size() != pages || ci.max_values.size() != pages) {
    return fail("min_values has " + std::to_string(ci.min_values.size()) + " entries and max_values " +
                std::to_string(ci.max_values.size()));
  }
  if (ci.__isset.null_counts && ci.null_counts.size() != pages) {
    return fail("null_counts has " + std::to_string(ci.null_counts.size()) + " entries");
  }
  if (ci.__isset.nan_counts && ci.nan_counts.size() != pages) {
    return fail("nan_counts has " + std::to_string(ci.nan_counts.size()) + " entries");
  }
  auto histograms_fit = [&](const std::vector<std::int64_t>& h) { return pages == 0 ? h.empty() : h.size() % pages == 0; };
  if (ci.__isset.repetition_level_histograms && !histograms_fit(ci.repetition_level_histograms)) {
    return fail("repetition_level_histograms has " + std::to_string(ci.repetition_level_histograms.size()) +
                " entries, not a multiple of the pages");
  }
  if (ci.__isset.definition_level_histograms && !histograms_fit(ci.definition_level_histograms)) {
    return fail("definition_level_histograms has " + std::to_string(ci.definition_level_histograms.size()) +
                " entries, not a multiple of the pages");
  }
  return ci;
}

Result<format::OffsetIndex> parse_offset_index(std::span<const std::uint8_t> bytes, const ThriftLimits& limits) {
  format::OffsetIndex oi;
  SLUICE_TRY(detail::deserialize(bytes, &oi, limits));
  auto fail = [](std::size_t i, const std::string& what) {
    return Error(ErrorCode::kParseError, "invalid Parquet offset index: page " + std::to_string(i) + ": " + what);
  };
  for (std::size_t i = 0; i < oi.page_locations.size(); ++i) {
    const auto& p = oi.page_locations[i];
    if (p.offset < 0) return fail(i, "negative offset (" + std::to_string(p.offset) + ")");
    if (p.compressed_page_size <= 0) {
      return fail(i, "compressed_page_size is not positive (" + number(p.compressed_page_size) + ")");
    }
    if (i == 0 ? p.first_row_index != 0 : p.first_row_index <= oi.page_locations[i - 1].first_row_index) {
      return fail(i, "first_row_index " + std::to_string(p.first_row_index) +
                         (i == 0 ? " is not 0" : " does not follow the previous page's"));
    }
  }
  if (oi.__isset.unencoded_byte_array_data_bytes &&
      oi.unencoded_byte_array_data_bytes.size() != oi.page_locations.size()) {
    return Error(ErrorCode::kParseError, "invalid Parquet offset index: unencoded_byte_array_data_bytes has " +
                                             std::to_string(oi.unencoded_byte_array_data_bytes.size()) +
                                             " entries for " + std::to_string(oi.page_locations.size()) + " pages");
  }
  return oi;
}

Result<format::BloomFilterHeader> parse_bloom_filter_header(std::span<const std::uint8_t> bytes,
                                                            const ThriftLimits& limits, std::uint32_t* header_size) {
  format::BloomFilterHeader h;
  std::uint32_t consumed = 0;
  SLUICE_TRY(detail::deserialize(bytes, &h, limits, &consumed));
  if (header_size != nullptr) *header_size = consumed;
  if (h.numBytes <= 0) {
    return Error(ErrorCode::kParseError,
                 "invalid Parquet bloom filter header: numBytes is not positive (" + number(h.numBytes) + ")");
  }
  if (!h.algorithm.__isset.BLOCK || !h.hash.__isset.XXHASH || !h.compression.__isset.UNCOMPRESSED) {
    return Error(ErrorCode::kNotImplemented,
                 "a Parquet bloom filter other than split-block, xxHash, uncompressed is not supported");
  }
  return h;
}

// ---- Names ---------------------------------------------------------------------------------------

std::string type_name(format::Type::type t) {
  switch (t) {
    case format::Type::BOOLEAN: return "BOOLEAN";
    case format::Type::INT32: return "INT32";
    case format::Type::INT64: return "INT64";
    case format::Type::INT96: return "INT96";
    case format::Type::FLOAT: return "FLOAT";
    case format::Type::DOUBLE: return "DOUBLE";
    case format::Type::BYTE_ARRAY: return "BYTE_ARRAY";
    case format::Type::FIXED_LEN_BYTE_ARRAY: return "FIXED_LEN_BYTE_ARRAY";
  }
  return number(t);
}

std::string converted_type_name(format::ConvertedType::type t) {
  using C = format::ConvertedType;
  switch (t) {
    case C::UTF8: return "UTF8";
    case C::MAP: return "MAP";
    case C::MAP_KEY_VALUE: return "MAP_KEY_VALUE";
    case C::LIST: return "LIST";
    case C::ENUM: return "ENUM";
    case C::DECIMAL: return "DECIMAL";
    case C::DATE: return "DATE";
    case C::TIME_MILLIS: return "TIME_MILLIS";
    case C::TIME_MICROS: return "TIME_MICROS";
    case C::TIMESTAMP_MILLIS: return "TIMESTAMP_MILLIS";
    case C::TIMESTAMP_MICROS: return "TIMESTAMP_MICROS";
    case C::UINT_8: return "UINT_8";
    case C::UINT_16: return "UINT_16";
    case C::UINT_32: return "UINT_32";
    case C::UINT_64: return "UINT_64";
    case C::INT_8: return "INT_8";
    case C::INT_16: return "INT_16";
    case C::INT_32: return "INT_32";
    case C::INT_64: return "INT_64";
    case C::JSON: return "JSON";
    case C::BSON: return "BSON";
    case C::INTERVAL: return "INTERVAL";
  }
  return number(t);
}

std::string repetition_name(format::FieldRepetitionType::type r) {
  switch (r) {
    case format::FieldRepetitionType::REQUIRED: return "REQUIRED";
    case format::FieldRepetitionType::OPTIONAL: return "OPTIONAL";
    case format::FieldRepetitionType::REPEATED: return "REPEATED";
  }
  return number(r);
}

std::string encoding_name(format::Encoding::type e) {
  using E = format::Encoding;
  switch (e) {
    case E::PLAIN: return "PLAIN";
    case E::PLAIN_DICTIONARY: return "PLAIN_DICTIONARY";
    case E::RLE: return "RLE";
    case E::BIT_PACKED: return "BIT_PACKED";
    case E::DELTA_BINARY_PACKED: return "DELTA_BINARY_PACKED";
    case E::DELTA_LENGTH_BYTE_ARRAY: return "DELTA_LENGTH_BYTE_ARRAY";
    case E::DELTA_BYTE_ARRAY: return "DELTA_BYTE_ARRAY";
    case E::RLE_DICTIONARY: return "RLE_DICTIONARY";
    case E::BYTE_STREAM_SPLIT: return "BYTE_STREAM_SPLIT";
  }
  return number(e);
}

std::string codec_name(format::CompressionCodec::type c) {
  using C = format::CompressionCodec;
  switch (c) {
    case C::UNCOMPRESSED: return "UNCOMPRESSED";
    case C::SNAPPY: return "SNAPPY";
    case C::GZIP: return "GZIP";
    case C::LZO: return "LZO";
    case C::BROTLI: return "BROTLI";
    case C::LZ4: return "LZ4";
    case C::ZSTD: return "ZSTD";
    case C::LZ4_RAW: return "LZ4_RAW";
  }
  return number(c);
}

std::string page_type_name(format::PageType::type p) {
  switch (p) {
    case format::PageType::DATA_PAGE: return "DATA_PAGE";
    case format::PageType::INDEX_PAGE: return "INDEX_PAGE";
    case format::PageType::DICTIONARY_PAGE: return "DICTIONARY_PAGE";
    case format::PageType::DATA_PAGE_V2: return "DATA_PAGE_V2";
  }
  return number(p);
}

std::string boundary_order_name(format::BoundaryOrder::type b) {
  switch (b) {
    case format::BoundaryOrder::UNORDERED: return "UNORDERED";
    case format::BoundaryOrder::ASCENDING: return "ASCENDING";
    case format::BoundaryOrder::DESCENDING: return "DESCENDING";
  }
  return number(b);
}

std::string logical_type_summary(const format::LogicalType& lt) {
  const auto& s = lt.__isset;
  auto flag = [](bool b) { return b ? std::string("true") : std::string("false"); };
  if (s.STRING) return "STRING";
  if (s.MAP) return "MAP";
  if (s.LIST) return "LIST";
  if (s.ENUM) return "ENUM";
  if (s.DECIMAL) {
    return "DECIMAL(precision=" + number(lt.DECIMAL.precision) + ", scale=" + number(lt.DECIMAL.scale) + ")";
  }
  if (s.DATE) return "DATE";
  if (s.TIME) {
    return "TIME(isAdjustedToUTC=" + flag(lt.TIME.isAdjustedToUTC) + ", unit=" + time_unit_name(lt.TIME.unit) + ")";
  }
  if (s.TIMESTAMP) {
    return "TIMESTAMP(isAdjustedToUTC=" + flag(lt.TIMESTAMP.isAdjustedToUTC) +
           ", unit=" + time_unit_name(lt.TIMESTAMP.unit) + ")";
  }
  if (s.INTEGER) {
    return "INTEGER(bitWidth=" + number(lt.INTEGER.bitWidth) + ", isSigned=" + flag(lt.INTEGER.isSigned) + ")";
  }
  if (s.UNKNOWN) return "UNKNOWN";
  if (s.JSON) return "JSON";
  if (s.BSON) return "BSON";
  if (s.UUID) return "UUID";
  if (s.FLOAT16) return "FLOAT16";
  if (s.VARIANT) {
    if (!lt.VARIANT.__isset.specification_version) return "VARIANT";
    return "VARIANT(specification_version=" + number(lt.VARIANT.specification_version) + ")";
  }
  if (s.GEOMETRY) {
    if (!lt.GEOMETRY.__isset.crs) return "GEOMETRY";
    return "GEOMETRY(crs=" + lt.GEOMETRY.crs + ")";
  }
  if (s.GEOGRAPHY) {
    std::string out = "GEOGRAPHY(";
    if (lt.GEOGRAPHY.__isset.crs) out += "crs=" + lt.GEOGRAPHY.crs;
    if (lt.GEOGRAPHY.__isset.algorithm) {
      static constexpr const char* kAlgorithms[] = {"SPHERICAL", "VINCENTY", "THOMAS", "ANDOYER", "KARNEY"};
      const std::int32_t a = lt.GEOGRAPHY.algorithm;
      if (out.back() != '(') out += ", ";
      out += "algorithm=";
      out += a >= 0 && a < 5 ? std::string(kAlgorithms[a]) : number(a);
    }
    if (out.back() == '(') return "GEOGRAPHY";
    return out + ")";
  }
  return "UNRECOGNIZED";
}

}  // namespace sluice::parquet
