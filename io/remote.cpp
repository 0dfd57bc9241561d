#include "remote.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace sluice::io::remote {

namespace {
constexpr std::size_t kMinPart = std::size_t{5} << 20;
constexpr std::size_t kMaxPart = std::size_t{5} << 30;
constexpr int kMaxParts = 10000;
// The first part's buffer starts this small (or at the first write's size) and doubles.
constexpr std::size_t kFirstBuffer = std::size_t{64} << 10;
// The first block of a sequential read (see RangeSource::next_block_bytes_).
constexpr std::size_t kFirstReadBlock = std::size_t{256} << 10;
// One coalesced GET never spans more than this (then it is split into read_block pieces anyway).
constexpr std::uint64_t kMaxCoalesced = std::uint64_t{64} << 20;
}  // namespace

std::int64_t total_from_content_range(std::string_view v) {
  const auto slash = v.rfind('/');
  if (slash == std::string_view::npos || slash + 1 >= v.size() || v[slash + 1] == '*') return -1;
  char* end = nullptr;
  const std::string s(v.substr(slash + 1));
  const long long n = std::strtoll(s.c_str(), &end, 10);
  return (end && *end == 0 && n >= 0) ? n : -1;
}

Status check_listed_size(std::optional<std::string_view> content_range, std::uint64_t listed, const std::string& uri) {
  if (!content_range) return ok_status();
  const std::int64_t total = total_from_content_range(*content_range);
  if (total < 0 || static_cast<std::uint64_t>(total) == listed) return ok_status();
  return Error(ErrorCode::kIoError,
               "the object changed while it was read: it has " + std::to_string(total) + " bytes, the listing said " +
                   std::to_string(listed),
               ErrorContext(uri));
}

// ---- RangeSource ---------------------------------------------------------------------------------

RangeSource::RangeSource(std::string uri, std::uint64_t size, RangeGetter get, TransferOptions options)
    : uri_(std::move(uri)), size_(size), get_(std::move(get)), options_(options) {
  options_.read_block = std::max<std::size_t>(options_.read_block, 64 * 1024);
  options_.read_ahead = std::max(options_.read_ahead, 0);
}

RangeSource::~RangeSource() {
  for (auto& b : ahead_)
    if (b.pending.valid()) b.pending.wait();  // the transfers write into our buffers
}

Error RangeSource::short_read(std::uint64_t offset) const {
  ErrorContext ctx(uri_);
  ctx.byte_offset = static_cast<std::int64_t>(offset);
  return Error(ErrorCode::kIoError, "the object changed or ended early while it was read (short ranged GET)", ctx);
}

Result<std::size_t> RangeSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset >= size_ || dst.empty()) return std::size_t{0};
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(dst.size(), size_ - offset));
  const std::size_t block = options_.read_block;
  std::vector<std::future<Result<std::size_t>>> parts;
  std::vector<std::size_t> lengths;
  for (std::size_t done = 0; done < want; done += block) {
    const std::size_t n = std::min(block, want - done);
    parts.push_back(get_(offset + done, dst.subspan(done, n)));
    lengths.push_back(n);
  }
  std::optional<Error> first_error;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto r = parts[i].get();
    if (!r.ok()) {
      if (!first_error) first_error = std::move(r).error();
    } else if (*r != lengths[i] && !first_error) {
      first_error = short_read(offset + i * block + *r);
    }
  }
  if (first_error) return std::move(*first_error);
  return want;
}

Result<std::vector<BufferPtr>> RangeSource::read_ranges(std::span<const ByteRange> ranges) {
  // Sort by offset (keeping the caller's order for the result), merge neighbours closer than the gap.
  std::vector<std::size_t> order(ranges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return ranges[a].offset < ranges[b].offset; });
  struct Merged {
    std::uint64_t begin, end;
    BufferPtr buffer;
    std::future<Result<std::size_t>> pending;  // unused: pieces are below
  };
  std::vector<Merged> merged;
  std::vector<std::size_t> owner(ranges.size());
  for (std::size_t idx : order) {
    const auto& r = ranges[idx];
    if (r.offset > size_ || r.length > size_ - r.offset) return short_read(r.offset);
    if (!merged.empty() && r.offset <= merged.back().end + options_.coalesce_gap &&
        std::max(merged.back().end, r.offset + r.length) - merged.back().begin <= kMaxCoalesced) {
      merged.back().end = std::max(merged.back().end, r.offset + r.length);
    } else {
      merged.push_back({r.offset, r.offset + r.length, nullptr, {}});
    }
    owner[idx] = merged.size() - 1;
  }
  struct Piece {
    std::future<Result<std::size_t>> done;
    std::size_t length;
    std::uint64_t offset;
  };
  std::vector<Piece> pieces;
  for (auto& m : merged) {
    const std::uint64_t len = m.end - m.begin;
    m.buffer = Buffer::allocate(static_cast<std::int64_t>(len), false);
    auto* base = reinterpret_cast<std::byte*>(m.buffer->mutable_data());
    for (std::uint64_t done = 0; done < len; done += options_.read_block) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(options_.read_block, len - done));
      pieces.push_back({get_(m.begin + done, {base + done, n}), n, m.begin + done});
    }
  }
  std::optional<Error> first_error;
  for (auto& p : pieces) {
    auto r = p.done.get();
    if (!r.ok()) {
      if (!first_error) first_error = std::move(r).error();
    } else if (*r != p.length && !first_error) {
      first_error = short_read(p.offset + *r);
    }
  }
  if (first_error) return std::move(*first_error);
  std::vector<BufferPtr> out(ranges.size());
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto& m = merged[owner[i]];
    out[i] = Buffer::wrap(m.buffer->data() + (ranges[i].offset - m.begin), static_cast<std::int64_t>(ranges[i].length),
                          m.buffer);
  }
  return out;
}

void RangeSource::fill_read_ahead() {
  const std::size_t want = std::min(static_cast<std::size_t>(options_.read_ahead) + 1, consumed_ + 2);
  while (ahead_.size() < want && next_fetch_ < size_) {
    Block b;
    b.offset = next_fetch_;
    if (next_block_bytes_ == 0) next_block_bytes_ = std::min(options_.read_block, kFirstReadBlock);
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(next_block_bytes_, size_ - next_fetch_));
    next_block_bytes_ = std::min(options_.read_block, next_block_bytes_ * 2);
    // Buffers of blocks read are reused, and none is zeroed: the GET writes every byte it counts.
    while (!spare_.empty() && spare_.back().second < n) spare_.pop_back();  // (from the ramp's smaller blocks)
    if (!spare_.empty()) {
      b.data = std::move(spare_.back().first);
      b.capacity = spare_.back().second;
      spare_.pop_back();
    } else {
      b.data.reset(new std::byte[n]);
      b.capacity = n;
    }
    b.size = n;
    b.pending = get_(b.offset, {b.data.get(), n});
    next_fetch_ += n;
    ahead_.push_back(std::move(b));
  }
}

Result<RangeSource::Block*> RangeSource::current_block() {
  // A block read to its end (by a view still in use until this call) makes room for the next.
  if (!ahead_.empty() && ahead_.front().ready && pos_ >= ahead_.front().offset + ahead_.front().size) {
    Block& done = ahead_.front();
    if (spare_.size() < 2) spare_.emplace_back(std::move(done.data), done.capacity);
    ahead_.pop_front();
    ++consumed_;
  }
  if (pos_ >= size_) return static_cast<Block*>(nullptr);
  // A cursor moved by someone else's read_at does not exist: read() owns pos_ alone.
  if (ahead_.empty() || ahead_.front().offset > pos_ || pos_ >= ahead_.front().offset + ahead_.front().size) {
    for (auto& b : ahead_)
      if (b.pending.valid()) b.pending.wait();
    ahead_.clear();
    next_fetch_ = pos_;
    next_block_bytes_ = 0;
    consumed_ = 0;
  }
  fill_read_ahead();
  Block& b = ahead_.front();
  if (!b.ready) {
    auto r = b.pending.get();
    if (!r.ok()) {
      ahead_.pop_front();
      return std::move(r).error();
    }
    if (*r != b.size) return short_read(b.offset + *r);
    b.ready = true;
  }
  return &b;
}

Result<std::span<const std::byte>> RangeSource::read_view(std::size_t max_bytes) {
  if (max_bytes == 0) return std::span<const std::byte>();
  SLUICE_ASSIGN_OR_RETURN(Block * b, current_block());
  if (b == nullptr) return std::span<const std::byte>();
  const std::size_t skip = static_cast<std::size_t>(pos_ - b->offset);
  const std::size_t n = std::min(max_bytes, b->size - skip);
  pos_ += n;
  return std::span<const std::byte>(b->data.get() + skip, n);
}

Result<std::size_t> RangeSource::read(std::span<std::byte> dst) {
  SLUICE_ASSIGN_OR_RETURN(const auto view, read_view(dst.size()));
  if (!view.empty()) std::memcpy(dst.data(), view.data(), view.size());
  return view.size();
}

// ---- MultipartSink -------------------------------------------------------------------------------

MultipartSink::MultipartSink(std::string uri, std::unique_ptr<PartUploader> uploader, TransferOptions options)
    : uri_(std::move(uri)), uploader_(std::move(uploader)), options_(options) {
  options_.part_size = std::clamp(options_.part_size, kMinPart, kMaxPart);
  options_.parts_in_flight = std::max(options_.parts_in_flight, 1);
}

MultipartSink::~MultipartSink() {
  if (!done_) abort();
}

std::size_t MultipartSink::part_size(const TransferOptions& options, int number) {
  const std::size_t base = std::clamp(options.part_size, kMinPart, kMaxPart);
  if (options.equal_parts) return base;
  const int doublings = std::min((number - 1) / 1000, 20);
  return static_cast<std::size_t>(std::min<std::uint64_t>(std::uint64_t{base} << doublings, kMaxPart));
}

std::vector<std::byte> MultipartSink::take_buffer(std::size_t capacity) {
  std::vector<std::byte> b;
  if (!spare_.empty()) {
    b = std::move(spare_.back());
    spare_.pop_back();
  }
  if (b.size() < capacity) {
    b.clear();
    b.shrink_to_fit();
    b.resize(capacity);
  }
  return b;
}

// current_ is full (or absent) and `want` more bytes are coming.
void MultipartSink::grow_current(std::size_t want) {
  const std::size_t target = part_size(options_, next_part_);
  if (current_.empty() && next_part_ > 1) {
    // Past the first part the output is large: full-size buffers, from the pool when one is free.
    current_ = take_buffer(target);
  } else {
    const std::size_t size = std::min(target, std::max({kFirstBuffer, 2 * current_.size(), current_fill_ + want}));
    std::vector<std::byte> bigger(size);
    if (current_fill_ > 0) std::memcpy(bigger.data(), current_.data(), current_fill_);
    current_ = std::move(bigger);
  }
  note_buffers();
}

void MultipartSink::release_buffers() {
  std::vector<std::byte>().swap(current_);  // not `current_ = {}`: that keeps the capacity
  current_fill_ = 0;
  spare_.clear();
  spare_.shrink_to_fit();
}

std::uint64_t MultipartSink::buffered_bytes() const {
  std::uint64_t held = current_.capacity();
  for (const auto& f : in_flight_) held += f.buffer.capacity();
  for (const auto& b : spare_) held += b.capacity();
  return held;
}

void MultipartSink::note_buffers() {
  peak_buffer_bytes_ = std::max<std::size_t>(peak_buffer_bytes_, static_cast<std::size_t>(buffered_bytes()));
}

Status MultipartSink::fail(Error error) {
  abort();
  return error;
}

Status MultipartSink::wait_oldest() {
  InFlight f = std::move(in_flight_.front());
  in_flight_.pop_front();
  Status st = f.done.get();
  spare_.push_back(std::move(f.buffer));
  return st;
}

Status MultipartSink::wait_all() {
  while (!in_flight_.empty()) SLUICE_TRY(wait_oldest());
  return ok_status();
}

Status MultipartSink::submit_current() {
  if (next_part_ > kMaxParts) {
    return Error(ErrorCode::kLimitExceeded,
                 "the output needs more than 10,000 parts; raise the part size (now " +
                     std::to_string(options_.part_size >> 20) + " MiB)",
                 ErrorContext(uri_));
  }
  if (!started_) {
    SLUICE_TRY(uploader_->begin());
    started_ = true;
  }
  while (static_cast<int>(in_flight_.size()) >= options_.parts_in_flight) SLUICE_TRY(wait_oldest());
  InFlight f;
  f.buffer = std::move(current_);
  std::vector<std::byte>().swap(current_);  // the next write takes a buffer
  const std::span<const std::byte> data(f.buffer.data(), current_fill_);
  // The part's checksum (MD5 at ~600 MB/s) and its submission run on their own thread, so the caller
  // fills the next buffer meanwhile; the request itself then waits on the HTTP client's loop.
  PartUploader* uploader = uploader_.get();
  const int number = next_part_++;
  f.done = std::async(std::launch::async, [uploader, number, data] { return uploader->upload_part(number, data).get(); });
  in_flight_.push_back(std::move(f));
  current_fill_ = 0;
  note_buffers();
  return ok_status();
}

Status MultipartSink::write(std::span<const std::byte> data) {
  if (done_ || staged_)
    return Error(ErrorCode::kInvalidArgument, staged_ && !done_ ? "write after stage" : "write after finish or abort",
                 ErrorContext(uri_));
  while (!data.empty()) {
    if (current_fill_ == current_.size()) grow_current(data.size());
    const std::size_t n = std::min(data.size(), current_.size() - current_fill_);
    std::memcpy(current_.data() + current_fill_, data.data(), n);
    current_fill_ += n;
    written_ += n;
    data = data.subspan(n);
    if (current_fill_ == current_.size() && current_fill_ >= part_size(options_, next_part_)) {
      Status st = submit_current();
      if (!st.ok()) return fail(std::move(st).error());
    }
  }
  return ok_status();
}

Status MultipartSink::stage() {
  if (done_ || staged_)
    return Error(ErrorCode::kInvalidArgument, "stage after stage, finish or abort", ErrorContext(uri_));
  // What is buffered goes as the last part; an empty output as one empty part (S3 completes no
  // upload without a part; an uploader that cannot store an empty part skips it).
  if (current_fill_ > 0 || next_part_ == 1) {
    Status st = submit_current();
    if (!st.ok()) return fail(std::move(st).error());
  }
  Status st = wait_all();
  if (!st.ok()) return fail(std::move(st).error());
  release_buffers();
  staged_ = true;
  return ok_status();
}

Status MultipartSink::finish() {
  if (done_) return Error(ErrorCode::kInvalidArgument, "finish after finish or abort", ErrorContext(uri_));
  if (staged_) {
    Status st = uploader_->complete();
    if (!st.ok()) return fail(std::move(st).error());
  } else if (!started_) {
    Status st = uploader_->put_whole({current_.data(), current_fill_});
    if (!st.ok()) return fail(std::move(st).error());
  } else {
    if (current_fill_ > 0) {
      Status st = submit_current();
      if (!st.ok()) return fail(std::move(st).error());
    }
    Status st = wait_all();
    if (!st.ok()) return fail(std::move(st).error());
    st = uploader_->complete();
    if (!st.ok()) return fail(std::move(st).error());
  }
  done_ = true;
  release_buffers();
  return ok_status();
}

void MultipartSink::abort() {
  if (done_) return;
  done_ = true;
  while (!in_flight_.empty()) (void)wait_oldest();  // the transfers read our buffers
  if (started_) uploader_->abort();
  release_buffers();
}

}  // namespace sluice::io::remote
