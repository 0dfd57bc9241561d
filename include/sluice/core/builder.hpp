// Builders append values into growing buffers and finish into an ArrayData. For hot loops the codecs
// write buffers directly; builders serve everything else (tests, nested data, small outputs).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/core/array.hpp"

namespace sluice {

// A validity bitmap that is only materialised once a null is appended.
class ValidityBuilder {
 public:
  void append(bool valid) {
    if (!valid && !bits_) materialise();
    if (bits_) {
      ensure(length_ + 1);
      bit::set_to(bits_->mutable_data(), length_, valid);
    }
    if (!valid) ++nulls_;
    ++length_;
  }
  void append_valid(std::int64_t n) {
    if (bits_) {
      ensure(length_ + n);
      for (std::int64_t i = 0; i < n; ++i) bit::set(bits_->mutable_data(), length_ + i);
    }
    length_ += n;
  }
  std::int64_t length() const { return length_; }
  std::int64_t null_count() const { return nulls_; }
  BufferPtr finish() {
    BufferPtr out = std::move(bits_);
    if (out) out->resize(bit::bytes_for(length_));
    length_ = nulls_ = 0;
    return out;
  }

 private:
  void materialise() {
    bits_ = Buffer::allocate(0);
    ensure(length_ + 1);
    for (std::int64_t i = 0; i < length_; ++i) bit::set(bits_->mutable_data(), i);
  }
  void ensure(std::int64_t nbits) {
    const std::int64_t bytes = bit::bytes_for(nbits);
    if (bytes > bits_->size()) bits_->resize(bytes > bits_->size() * 2 ? bytes : bits_->size() * 2);
  }
  BufferPtr bits_;
  std::int64_t length_ = 0;
  std::int64_t nulls_ = 0;
};

class ArrayBuilder {
 public:
  explicit ArrayBuilder(TypePtr type) : type_(std::move(type)) {}
  virtual ~ArrayBuilder() = default;
  virtual void append_null() = 0;
  virtual ArrayPtr finish() = 0;
  std::int64_t length() const { return validity_.length(); }
  const TypePtr& type() const { return type_; }

 protected:
  ArrayPtr make(std::vector<BufferPtr> buffers) {
    auto a = std::make_shared<ArrayData>();
    a->type = type_;
    a->length = validity_.length();
    a->null_count = validity_.null_count();
    buffers.insert(buffers.begin(), validity_.finish());
    a->buffers = std::move(buffers);
    return a;
  }
  TypePtr type_;
  ValidityBuilder validity_;
};

class NullBuilder final : public ArrayBuilder {
 public:
  NullBuilder() : ArrayBuilder(null_type()) {}
  // validity_ only keeps length() right (a list<null> builder reads it for offsets); it never
  // materialises a bitmap, a null array has none.
  void append_null() override {
    ++n_;
    validity_.append_valid(1);
  }
  ArrayPtr finish() override {
    auto a = std::make_shared<ArrayData>();
    a->type = type_;
    a->length = a->null_count = n_;
    n_ = 0;
    validity_.finish();
    return a;
  }
  std::int64_t size() const { return n_; }

 private:
  std::int64_t n_ = 0;
};

// Fixed-width values of C type T: integers, floats, date32, time, timestamp, duration, float16
// (uint16 bits), decimal128 (__int128, little-endian two's complement as Arrow).
template <class T>
class FixedWidthBuilder final : public ArrayBuilder {
 public:
  explicit FixedWidthBuilder(TypePtr type) : ArrayBuilder(std::move(type)), values_(Buffer::allocate(0)) {}
  void append(T v) {
    grow(1);
    values_->mutable_data_as<T>()[validity_.length()] = v;
    validity_.append(true);
  }
  void append_null() override {
    grow(1);
    values_->mutable_data_as<T>()[validity_.length()] = T{};
    validity_.append(false);
  }
  ArrayPtr finish() override {
    values_->resize(validity_.length() * static_cast<std::int64_t>(sizeof(T)));
    auto a = make({std::move(values_)});
    values_ = Buffer::allocate(0);
    return a;
  }

 private:
  void grow(std::int64_t n) {
    const std::int64_t need = (validity_.length() + n) * static_cast<std::int64_t>(sizeof(T));
    if (need > values_->size()) values_->resize(need > values_->size() * 2 ? need : values_->size() * 2);
  }
  BufferPtr values_;
};

class BooleanBuilder final : public ArrayBuilder {
 public:
  BooleanBuilder() : ArrayBuilder(boolean()), bits_(Buffer::allocate(0)) {}
  void append(bool v) {
    grow();
    bit::set_to(bits_->mutable_data(), validity_.length(), v);
    validity_.append(true);
  }
  void append_null() override {
    grow();
    bit::clear(bits_->mutable_data(), validity_.length());
    validity_.append(false);
  }
  ArrayPtr finish() override {
    bits_->resize(bit::bytes_for(validity_.length()));
    auto a = make({std::move(bits_)});
    bits_ = Buffer::allocate(0);
    return a;
  }

 private:
  void grow() {
    const std::int64_t need = bit::bytes_for(validity_.length() + 1);
    if (need > bits_->size()) bits_->resize(need > bits_->size() * 2 ? need : bits_->size() * 2);
  }
  BufferPtr bits_;
};

// string (UTF-8) or binary, 64-bit offsets.
class BinaryBuilder final : public ArrayBuilder {
 public:
  explicit BinaryBuilder(TypePtr type = utf8()) : ArrayBuilder(std::move(type)) { reset(); }
  void append(std::string_view v) {
    const std::int64_t at = data_size_;
    if (at + static_cast<std::int64_t>(v.size()) > data_->size())
      data_->resize(std::max<std::int64_t>(at + static_cast<std::int64_t>(v.size()), data_->size() * 2), false);
    if (!v.empty()) std::memcpy(data_->mutable_data() + at, v.data(), v.size());
    data_size_ += static_cast<std::int64_t>(v.size());
    push_offset();
    validity_.append(true);
  }
  void append_null() override {
    push_offset();
    validity_.append(false);
  }
  ArrayPtr finish() override {
    offsets_->resize((validity_.length() + 1) * 8);
    data_->resize(data_size_);
    auto a = make({std::move(offsets_), std::move(data_)});
    reset();
    return a;
  }

 private:
  void reset() {
    offsets_ = Buffer::allocate(64);
    data_ = Buffer::allocate(0);
    data_size_ = 0;
    offsets_->mutable_data_as<std::int64_t>()[0] = 0;
  }
  void push_offset() {
    const std::int64_t need = (validity_.length() + 2) * 8;
    if (need > offsets_->size()) offsets_->resize(std::max(need, offsets_->size() * 2));
    offsets_->mutable_data_as<std::int64_t>()[validity_.length() + 1] = data_size_;
  }
  BufferPtr offsets_;
  BufferPtr data_;
  std::int64_t data_size_ = 0;
};

class FixedSizeBinaryBuilder final : public ArrayBuilder {
 public:
  explicit FixedSizeBinaryBuilder(TypePtr type) : ArrayBuilder(std::move(type)), data_(Buffer::allocate(0)) {}
  // `v` must be exactly byte_width bytes.
  void append(std::string_view v) {
    const int w = type_->byte_width;
    grow();
    std::memcpy(data_->mutable_data() + validity_.length() * w, v.data(), std::min<std::size_t>(v.size(), w));
    validity_.append(true);
  }
  void append_null() override {
    grow();
    std::memset(data_->mutable_data() + validity_.length() * type_->byte_width, 0, type_->byte_width);
    validity_.append(false);
  }
  ArrayPtr finish() override {
    data_->resize(validity_.length() * type_->byte_width);
    auto a = make({std::move(data_)});
    data_ = Buffer::allocate(0);
    return a;
  }

 private:
  void grow() {
    const std::int64_t need = (validity_.length() + 1) * type_->byte_width;
    if (need > data_->size()) data_->resize(std::max(need, data_->size() * 2));
  }
  BufferPtr data_;
};

std::unique_ptr<ArrayBuilder> make_builder(const TypePtr& type);

// list<child>: append child values through child(), then close the element with append(true).
class ListBuilder final : public ArrayBuilder {
 public:
  explicit ListBuilder(TypePtr type)
      : ArrayBuilder(type), child_(make_builder(type->children.at(0).type)) { reset(); }
  ArrayBuilder& child() { return *child_; }
  template <class B>
  B& child_as() { return static_cast<B&>(*child_); }
  // Closes the current element: all child values appended since the last close belong to it.
  void append_valid() {
    push_offset();
    validity_.append(true);
  }
  void append_null() override {
    push_offset();
    validity_.append(false);
  }
  ArrayPtr finish() override {
    offsets_->resize((validity_.length() + 1) * 8);
    auto a = make({std::move(offsets_)});
    a->children.push_back(child_->finish());
    reset();
    return a;
  }

 private:
  void reset() {
    offsets_ = Buffer::allocate(64);
    offsets_->mutable_data_as<std::int64_t>()[0] = 0;
  }
  void push_offset() {
    const std::int64_t need = (validity_.length() + 2) * 8;
    if (need > offsets_->size()) offsets_->resize(std::max(need, offsets_->size() * 2));
    offsets_->mutable_data_as<std::int64_t>()[validity_.length() + 1] = child_->length();
  }
  std::unique_ptr<ArrayBuilder> child_;
  BufferPtr offsets_;
};

// struct: append each child's value, then append_valid(); append_null() appends nulls to children.
class StructBuilder final : public ArrayBuilder {
 public:
  explicit StructBuilder(TypePtr type) : ArrayBuilder(type) {
    for (const auto& f : type->children) children_.push_back(make_builder(f.type));
  }
  ArrayBuilder& child(std::size_t i) { return *children_.at(i); }
  template <class B>
  B& child_as(std::size_t i) { return static_cast<B&>(*children_.at(i)); }
  std::size_t num_children() const { return children_.size(); }
  void append_valid() { validity_.append(true); }
  void append_null() override {
    for (auto& c : children_) c->append_null();
    validity_.append(false);
  }
  ArrayPtr finish() override {
    auto a = make({});
    for (auto& c : children_) a->children.push_back(c->finish());
    return a;
  }

 private:
  std::vector<std::unique_ptr<ArrayBuilder>> children_;
};

// map<key, value>: append keys and values through keys()/values() in pairs, then append_valid().
class MapBuilder final : public ArrayBuilder {
 public:
  explicit MapBuilder(TypePtr type) : ArrayBuilder(type), entries_(type->children.at(0).type) { reset(); }
  ArrayBuilder& keys() { return entries_.child(0); }
  ArrayBuilder& values() { return entries_.child(1); }
  template <class B>
  B& keys_as() { return static_cast<B&>(keys()); }
  template <class B>
  B& values_as() { return static_cast<B&>(values()); }
  void append_valid() {
    close_entries();
    validity_.append(true);
  }
  void append_null() override {
    close_entries();
    validity_.append(false);
  }
  ArrayPtr finish() override {
    offsets_->resize((validity_.length() + 1) * 4);
    auto a = make({std::move(offsets_)});
    a->children.push_back(entries_.finish());
    reset();
    return a;
  }

 private:
  void close_entries() {
    while (entries_.length() < keys().length()) entries_.append_valid();
    const std::int64_t need = (validity_.length() + 2) * 4;
    if (need > offsets_->size()) offsets_->resize(std::max(need, offsets_->size() * 2));
    offsets_->mutable_data_as<std::int32_t>()[validity_.length() + 1] = static_cast<std::int32_t>(entries_.length());
  }
  void reset() {
    offsets_ = Buffer::allocate(64);
    offsets_->mutable_data_as<std::int32_t>()[0] = 0;
  }
  StructBuilder entries_;
  BufferPtr offsets_;
};

inline std::unique_ptr<ArrayBuilder> make_builder(const TypePtr& type) {
  switch (type->id) {
    case TypeId::kNull: return std::make_unique<NullBuilder>();
    case TypeId::kBool: return std::make_unique<BooleanBuilder>();
    case TypeId::kInt8: return std::make_unique<FixedWidthBuilder<std::int8_t>>(type);
    case TypeId::kInt16: return std::make_unique<FixedWidthBuilder<std::int16_t>>(type);
    case TypeId::kInt32: case TypeId::kDate32: return std::make_unique<FixedWidthBuilder<std::int32_t>>(type);
    case TypeId::kInt64: case TypeId::kTimestamp: case TypeId::kDuration:
      return std::make_unique<FixedWidthBuilder<std::int64_t>>(type);
    case TypeId::kUInt8: return std::make_unique<FixedWidthBuilder<std::uint8_t>>(type);
    case TypeId::kUInt16: case TypeId::kFloat16: return std::make_unique<FixedWidthBuilder<std::uint16_t>>(type);
    case TypeId::kUInt32: return std::make_unique<FixedWidthBuilder<std::uint32_t>>(type);
    case TypeId::kUInt64: return std::make_unique<FixedWidthBuilder<std::uint64_t>>(type);
    case TypeId::kFloat32: return std::make_unique<FixedWidthBuilder<float>>(type);
    case TypeId::kFloat64: return std::make_unique<FixedWidthBuilder<double>>(type);
    case TypeId::kDecimal128: return std::make_unique<FixedWidthBuilder<__int128>>(type);
    case TypeId::kTime:
      if (type->value_width() == 4) return std::make_unique<FixedWidthBuilder<std::int32_t>>(type);
      return std::make_unique<FixedWidthBuilder<std::int64_t>>(type);
    case TypeId::kString: case TypeId::kBinary: return std::make_unique<BinaryBuilder>(type);
    case TypeId::kFixedSizeBinary: return std::make_unique<FixedSizeBinaryBuilder>(type);
    case TypeId::kList: return std::make_unique<ListBuilder>(type);
    case TypeId::kStruct: return std::make_unique<StructBuilder>(type);
    case TypeId::kMap: return std::make_unique<MapBuilder>(type);
  }
  return nullptr;
}

}  // namespace sluice
