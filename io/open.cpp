#include "sluice/io/open.hpp"

#include "store_internal.hpp"

namespace sluice::io {

namespace {

// A source or sink that keeps the store it came from alive (the store holds the client and the
// credentials its requests use).
class StoreSource final : public Source {
 public:
  StoreSource(ObjectStorePtr store, SourcePtr inner) : store_(std::move(store)), inner_(std::move(inner)) {}
  ~StoreSource() override { inner_.reset(); }
  const std::string& path() const override { return inner_->path(); }
  bool supports_random_access() const override { return inner_->supports_random_access(); }
  Result<std::uint64_t> size() override { return inner_->size(); }
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override { return inner_->read_at(offset, dst); }
  Result<std::vector<BufferPtr>> read_ranges(std::span<const ByteRange> ranges) override { return inner_->read_ranges(ranges); }
  Result<std::size_t> read(std::span<std::byte> dst) override { return inner_->read(dst); }

 private:
  ObjectStorePtr store_;
  SourcePtr inner_;
};

class StoreSink final : public Sink {
 public:
  StoreSink(ObjectStorePtr store, SinkPtr inner) : store_(std::move(store)), inner_(std::move(inner)) {}
  ~StoreSink() override { inner_.reset(); }
  using Sink::write;
  const std::string& path() const override { return inner_->path(); }
  Status write(std::span<const std::byte> data) override { return inner_->write(data); }
  Status stage() override { return inner_->stage(); }
  Status finish() override { return inner_->finish(); }
  void abort() override { inner_->abort(); }
  std::uint64_t bytes_written() const override { return inner_->bytes_written(); }
  std::uint64_t buffered_bytes() const override { return inner_->buffered_bytes(); }

 private:
  ObjectStorePtr store_;
  SinkPtr inner_;
};

}  // namespace

Result<ObjectStorePtr> open_store(const Uri& uri, const IoConfig& config) {
  switch (uri.scheme) {
    case Scheme::kS3:
    case Scheme::kGcs: return s3::open_s3_store(uri, config);
    case Scheme::kAzure: return azure::open_azure_store(uri, config);
    default:
      return Error(ErrorCode::kInvalidArgument, "'" + uri.original + "' is not an object-store URI (s3://, gs://, az://)");
  }
}

Result<SourcePtr> open_source(const std::string& text, const IoConfig& config) {
  SLUICE_ASSIGN_OR_RETURN(Uri uri, parse_uri(text));
  switch (uri.scheme) {
    case Scheme::kStdio: return open_stdin_source();
    case Scheme::kLocal: return open_local_source(uri.path);
    case Scheme::kHttp: return open_http_source(uri.path, config);
    default: break;
  }
  if (uri.key.empty() || uri.key.back() == '/')
    return Error(ErrorCode::kInvalidArgument, "'" + text + "' names a bucket or folder, not an object", ErrorContext(text));
  SLUICE_ASSIGN_OR_RETURN(auto store, open_store(uri, config));
  SLUICE_ASSIGN_OR_RETURN(auto source, store->open_source(uri.key));
  return SourcePtr(std::make_unique<StoreSource>(std::move(store), std::move(source)));
}

Result<SinkPtr> open_sink(const std::string& text, const LocalSinkOptions& options, const IoConfig& config) {
  SLUICE_ASSIGN_OR_RETURN(Uri uri, parse_uri(text));
  switch (uri.scheme) {
    case Scheme::kStdio: return open_stdout_sink();
    case Scheme::kLocal: return open_local_sink(uri.path, options);
    case Scheme::kHttp:
      return Error(ErrorCode::kInvalidArgument, "http(s) URIs are read-only: cannot write to '" + http::redact_url(text) + "'");
    default: break;
  }
  SLUICE_ASSIGN_OR_RETURN(auto store, open_store(uri, config));
  SLUICE_ASSIGN_OR_RETURN(auto sink, store->open_sink(uri.key));
  return SinkPtr(std::make_unique<StoreSink>(std::move(store), std::move(sink)));
}

}  // namespace sluice::io
