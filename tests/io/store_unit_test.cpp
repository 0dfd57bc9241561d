// The object-store layer without a server: URIs, XML responses, part sizing and the upload sink
// (over an uploader that keeps the parts), redaction.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <future>
#include <map>
#include <mutex>

#include "remote.hpp"
#include "s3_internal.hpp"
#include "sluice/io/http.hpp"
#include "sluice/io/open.hpp"
#include "sluice/io/uri.hpp"
#include "xml.hpp"

namespace sluice::io {
namespace {

TEST(Uri, Schemes) {
  auto u = parse_uri("s3://my-bucket/a/b c.csv");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, Scheme::kS3);
  EXPECT_EQ(u->bucket, "my-bucket");
  EXPECT_EQ(u->key, "a/b c.csv");
  u = parse_uri("gs://bkt");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, Scheme::kGcs);
  EXPECT_EQ(u->key, "");
  u = parse_uri("abfss://data@acct.dfs.core.windows.net/x/y.parquet");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, Scheme::kAzure);
  EXPECT_EQ(u->bucket, "data");
  EXPECT_EQ(u->account, "acct");
  EXPECT_EQ(u->key, "x/y.parquet");
  u = parse_uri("az://data/x");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->account, "");
  u = parse_uri("file:///tmp/x.csv");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, Scheme::kLocal);
  EXPECT_EQ(u->path, "/tmp/x.csv");
  u = parse_uri("relative/x.csv");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->path, "relative/x.csv");
  u = parse_uri("-");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, Scheme::kStdio);
  u = parse_uri("https://example.com/d.parquet?sig=abc");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, Scheme::kHttp);
}

TEST(Uri, Errors) {
  for (const char* bad : {"s3://", "s3:///key", "s3://Upper/k", "s3://ab/k", "ftp://x/y", "az://a--b/k", "file://rel",
                          "s3://b\x01ucket/k", "https:///x", ""}) {
    auto u = parse_uri(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(Http, RedactUrlDropsQueryAndUserInfo) {
  EXPECT_EQ(http::redact_url("https://h/p/k?X-Amz-Signature=abc&X-Amz-Credential=AKID"), "https://h/p/k");
  EXPECT_EQ(http::redact_url("https://user:pass@h:9/p#frag"), "https://h:9/p");
  EXPECT_EQ(http::redact_url("http://h"), "http://h");
}

TEST(Http, RetryableStatuses) {
  for (long s : {408, 429, 500, 502, 503, 504}) EXPECT_TRUE(http::is_retryable_status(s)) << s;
  for (long s : {200, 206, 301, 400, 401, 403, 404, 409, 412, 416, 501}) EXPECT_FALSE(http::is_retryable_status(s)) << s;
}

TEST(Http, ConnectionRefusedIsRetriedThenNamed) {
  http::ClientOptions o;
  o.retry.max_attempts = 3;
  o.retry.base_delay = std::chrono::milliseconds(1);
  o.retry.max_delay = std::chrono::milliseconds(5);
  auto client = http::Client::create(o);
  http::Request req;
  req.url = "http://127.0.0.1:1/bucket/key?X-Amz-Signature=secret";
  auto r = client->send(req, {}, "GetObject");
  ASSERT_FALSE(r.ok());
  const std::string text = r.error().to_string();
  EXPECT_NE(text.find("GetObject GET http://127.0.0.1:1/bucket/key"), std::string::npos) << text;
  EXPECT_NE(text.find("after 3 attempts"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
  EXPECT_EQ(client->requests_sent(), 3u);
  EXPECT_EQ(client->retries(), 2u);
}

TEST(Xml, ListBucketResult) {
  auto doc = xml::parse(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
  <Contents><Key>a&amp;b &lt;c&gt; &#x263A;&#65;</Key><Size>12</Size></Contents>
  <Contents><Key><![CDATA[x<y]]></Key><Size>3</Size></Contents>
  <!-- comment --><IsTruncated>false</IsTruncated><Empty/></ListBucketResult>)");
  ASSERT_TRUE(doc.ok()) << doc.error().to_string();
  EXPECT_EQ(doc->name, "ListBucketResult");
  auto contents = doc->all("Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0]->child_text("Key"), "a&b <c> \xE2\x98\xBA" "A");
  EXPECT_EQ(contents[1]->child_text("Key"), "x<y");
  EXPECT_EQ(doc->child_text("IsTruncated"), "false");
  EXPECT_NE(doc->child("Empty"), nullptr);
  EXPECT_EQ(doc->child("Missing"), nullptr);
}

TEST(Xml, MalformedIsAnErrorNeverACrash) {
  for (const char* bad : {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a x='1></a>",
                          "text", "<a></a><b></b>", "<a><![CDATA[x</a>", "<a>&#99999999;</a>"}) {
    auto r = xml::parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  auto r = xml::parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("deep"), std::string::npos);
}

TEST(Xml, EscapeRoundTrips) {
  const std::string s = "a&b<c>\"d'e";
  auto doc = xml::parse("<x>" + xml::escape(s) + "</x>");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->text, s);
}

TEST(Multipart, PartSizesGrowToReachFiveTebibytes) {
  TransferOptions o;
  EXPECT_EQ(remote::MultipartSink::part_size(o, 1), 8u << 20);
  EXPECT_EQ(remote::MultipartSink::part_size(o, 1000), 8u << 20);
  EXPECT_EQ(remote::MultipartSink::part_size(o, 1001), 16u << 20);
  std::uint64_t total = 0;
  for (int n = 1; n <= 10000; ++n) {
    const std::size_t p = remote::MultipartSink::part_size(o, n);
    EXPECT_LE(p, std::size_t{5} << 30);
    total += p;
  }
  EXPECT_GE(total, std::uint64_t{5} << 40);
  o.equal_parts = true;
  EXPECT_EQ(remote::MultipartSink::part_size(o, 9999), 8u << 20);
  o.part_size = 1 << 20;  // below S3's minimum: raised to 5 MiB
  EXPECT_EQ(remote::MultipartSink::part_size(o, 1), 5u << 20);
}

// Sequential reads over ranged GETs of an object in memory (the GETs complete on threads of their
// own, as the HTTP client's do): read() and read_view() share one cursor across read-ahead blocks,
// views stay valid until the next call, and a GET that comes back short is an error naming where.
TEST(RangeSource, ReadsAndViewsShareTheCursorAcrossBlocks) {
  std::string object(300000 + 17, '\0');
  for (std::size_t i = 0; i < object.size(); ++i) object[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  std::atomic<int> gets{0};
  std::uint64_t cut_at = UINT64_MAX;  // GETs of ranges past this return short
  auto getter = [&](std::uint64_t offset, std::span<std::byte> dst) {
    ++gets;
    return std::async(std::launch::async, [&, offset, dst]() -> Result<std::size_t> {
      const std::uint64_t end = std::min<std::uint64_t>({offset + dst.size(), object.size(), std::max(cut_at, offset)});
      std::memcpy(dst.data(), object.data() + offset, static_cast<std::size_t>(end - offset));
      return static_cast<std::size_t>(end - offset);
    });
  };
  TransferOptions o;
  o.read_block = 64 * 1024;
  o.read_ahead = 2;
  remote::RangeSource src("s3://b/k", object.size(), getter, o);
  ASSERT_TRUE(src.reads_views());
  std::string got;
  std::vector<std::span<const std::byte>> views;
  std::vector<std::string> copies;
  std::vector<std::byte> buf(40000);
  for (int i = 0;; ++i) {
    if (i % 3 == 2) {
      auto n = src.read(buf);
      ASSERT_TRUE(n.ok()) << n.error().to_string();
      if (*n == 0) break;
      got.append(reinterpret_cast<const char*>(buf.data()), *n);
    } else {
      // The previous view is still intact when the next call is made (its block is reused only after).
      if (!views.empty()) {
        ASSERT_EQ(std::string(reinterpret_cast<const char*>(views.back().data()), views.back().size()), copies.back());
      }
      auto v = src.read_view(i % 2 ? 50000 : 7);
      ASSERT_TRUE(v.ok()) << v.error().to_string();
      if (v->empty()) break;
      views.push_back(*v);
      copies.emplace_back(reinterpret_cast<const char*>(v->data()), v->size());
      EXPECT_LE(v->size(), i % 2 ? 50000u : 7u);
      got.append(copies.back());
    }
  }
  EXPECT_EQ(got, object);
  EXPECT_EQ(gets.load(), 5);  // ceil(300017 / 65536): every block fetched once
  auto end = src.read_view(100);
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->empty());

  cut_at = 100000;  // the object "ends early": the block holding byte 100000 comes back short
  remote::RangeSource shorter("s3://b/k", object.size(), getter, o);
  std::uint64_t read = 0;
  Status failed = ok_status();
  for (;;) {
    auto v = shorter.read_view(1 << 20);
    if (!v.ok()) {
      failed = Status(std::move(v).error());
      break;
    }
    ASSERT_FALSE(v->empty()) << "ended without an error";
    read += v->size();
  }
  EXPECT_EQ(read, 65536u);
  EXPECT_EQ(failed.error().code(), ErrorCode::kIoError);
  EXPECT_NE(failed.error().to_string().find("changed or ended early"), std::string::npos) << failed.error().to_string();
  EXPECT_NE(failed.error().to_string().find("100000"), std::string::npos) << failed.error().to_string();
}

// A reader that wants only the start of a large object (a schema's sample, `head`) fetches little:
// read-ahead starts with one small block and one ahead, and grows to its configured blocks and depth
// as blocks are consumed; the whole object still arrives once, in order.
TEST(RangeSource, ReadAheadStartsSmallAndGrows) {
  const std::uint64_t size = std::uint64_t{100} << 20;
  std::mutex mu;
  std::vector<std::pair<std::uint64_t, std::size_t>> gets;  // offset, length
  auto getter = [&](std::uint64_t offset, std::span<std::byte> dst) {
    {
      std::lock_guard lock(mu);
      gets.emplace_back(offset, dst.size());
    }
    return std::async(std::launch::async, [offset, dst]() -> Result<std::size_t> {
      for (std::size_t i = 0; i < dst.size(); ++i) dst[i] = static_cast<std::byte>((offset + i) % 251);
      return dst.size();
    });
  };
  TransferOptions o;  // 8 MiB blocks, 4 ahead
  auto fetched = [&] {
    std::lock_guard lock(mu);
    std::uint64_t n = 0;
    for (const auto& g : gets) n += g.second;
    return n;
  };
  {
    remote::RangeSource src("s3://b/k", size, getter, o);
    std::vector<std::byte> buf(100);
    auto n = src.read(buf);
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, 100u);
    EXPECT_LE(fetched(), std::uint64_t{768} << 10) << "a 100-byte read fetched " << fetched() << " bytes";
  }
  gets.clear();
  remote::RangeSource src("s3://b/k", size, getter, o);
  std::uint64_t pos = 0;
  std::size_t max_pending = 0;
  for (;;) {
    auto v = src.read_view(1 << 20);
    ASSERT_TRUE(v.ok()) << v.error().to_string();
    if (v->empty()) break;
    for (std::size_t i = 0; i < v->size(); i += 4093) ASSERT_EQ((*v)[i], static_cast<std::byte>((pos + i) % 251)) << pos + i;
    pos += v->size();
    std::lock_guard lock(mu);
    std::uint64_t requested = 0;
    for (const auto& g : gets) requested += g.second;
    // (the bytes asked for beyond the cursor: at most read_ahead + 1 blocks)
    max_pending = std::max<std::size_t>(max_pending, static_cast<std::size_t>(requested - pos));
  }
  EXPECT_EQ(pos, size);
  EXPECT_EQ(fetched(), size);  // every byte once
  std::uint64_t expect_at = 0;
  for (std::size_t i = 0; i < gets.size(); ++i) {
    EXPECT_EQ(gets[i].first, expect_at) << i;
    expect_at += gets[i].second;
  }
  ASSERT_GE(gets.size(), 6u);
  EXPECT_EQ(gets[0].second, 256u << 10);
  EXPECT_EQ(gets[1].second, 512u << 10);
  EXPECT_EQ(gets[5].second, o.read_block);  // 256 KiB doubling: 8 MiB by the sixth
  EXPECT_LE(max_pending, (static_cast<std::size_t>(o.read_ahead) + 1) * o.read_block);
}

// An uploader that keeps what it is given and logs the calls (parts arrive on their own threads).
struct UploadLog {
  std::mutex mu;
  std::vector<std::string> calls;  // begin, put_whole, complete, abort (parts apart: their order varies)
  std::map<int, std::string> parts;
  std::string whole;
  int count(const std::string& call) {
    std::lock_guard lock(mu);
    return static_cast<int>(std::count(calls.begin(), calls.end(), call));
  }
  std::string assembled() {
    std::lock_guard lock(mu);
    std::string out;
    int expect = 1;
    for (const auto& [n, data] : parts) {
      if (n != expect++) return "<part " + std::to_string(expect - 1) + " missing>";
      out += data;
    }
    return out;
  }
};

class FakeUploader final : public remote::PartUploader {
 public:
  explicit FakeUploader(std::shared_ptr<UploadLog> log) : log_(std::move(log)) {}
  Status put_whole(std::span<const std::byte> data) override {
    std::lock_guard lock(log_->mu);
    log_->calls.push_back("put_whole");
    log_->whole.assign(reinterpret_cast<const char*>(data.data()), data.size());
    return ok_status();
  }
  Status begin() override { return note("begin"); }
  std::future<Status> upload_part(int number, std::span<const std::byte> data) override {
    {
      std::lock_guard lock(log_->mu);
      log_->parts[number].assign(reinterpret_cast<const char*>(data.data()), data.size());
    }
    std::promise<Status> p;
    p.set_value(ok_status());
    return p.get_future();
  }
  Status complete() override { return note("complete"); }
  void abort() override { (void)note("abort"); }

 private:
  Status note(const char* call) {
    std::lock_guard lock(log_->mu);
    log_->calls.push_back(call);
    return ok_status();
  }
  std::shared_ptr<UploadLog> log_;
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 2654435761u) >> 13);
  return s;
}

struct FakeSink {
  std::shared_ptr<UploadLog> log = std::make_shared<UploadLog>();
  std::unique_ptr<remote::MultipartSink> sink;
  explicit FakeSink(std::size_t part_size = 5 << 20) {
    TransferOptions o;
    o.part_size = part_size;
    sink = std::make_unique<remote::MultipartSink>("fake://b/k", std::make_unique<FakeUploader>(log), o);
  }
  void write(const std::string& data, std::size_t piece) {
    for (std::size_t i = 0; i < data.size(); i += piece)
      ASSERT_TRUE(sink->write(data.data() + i, std::min(piece, data.size() - i)).ok());
  }
};

TEST(Multipart, ASmallOutputHoldsASmallBufferAndGoesInOnePut) {
  FakeSink f;
  EXPECT_EQ(f.sink->buffered_bytes(), 0u);
  const std::string data = pattern(10 << 10);
  f.write(data, 1000);
  EXPECT_EQ(f.sink->buffered_bytes(), 64u << 10);  // not the 5 MiB part
  ASSERT_TRUE(f.sink->finish().ok());
  EXPECT_EQ(f.sink->buffered_bytes(), 0u);
  EXPECT_EQ(f.log->calls, std::vector<std::string>{"put_whole"});
  EXPECT_TRUE(f.log->whole == data);
}

TEST(Multipart, TheFirstBufferDoublesUpToThePartSizeAndLaterOnesAreFullSize) {
  const std::size_t part = 5 << 20;
  FakeSink f(part);
  const std::string data = pattern(4 * part + 123);
  std::uint64_t last = 0;
  for (std::size_t i = 0; i < data.size(); i += 100000) {
    ASSERT_TRUE(f.sink->write(data.data() + i, std::min<std::size_t>(100000, data.size() - i)).ok());
    const std::uint64_t held = f.sink->buffered_bytes();
    if (i + 100000 < part) {
      // While the first part fills: at most twice what was written (and 64 KiB), growing.
      EXPECT_LE(held, std::max<std::uint64_t>(2 * (i + 100000), 64 << 10)) << i;
      EXPECT_GE(held, last);
      last = held;
    }
  }
  EXPECT_LE(f.sink->peak_buffer_bytes(), part * 5);
  ASSERT_TRUE(f.sink->finish().ok());
  EXPECT_EQ(f.log->count("begin"), 1);
  EXPECT_EQ(f.log->count("complete"), 1);
  EXPECT_EQ(f.log->parts.size(), 5u);
  EXPECT_EQ(f.log->parts[1].size(), part);
  EXPECT_TRUE(f.log->assembled() == data);
  EXPECT_EQ(f.sink->buffered_bytes(), 0u);
}

TEST(Multipart, StageSendsTheRestAsTheLastPartAndFreesEveryBuffer) {
  const std::size_t part = 5 << 20;
  for (std::size_t size : {std::size_t{0}, std::size_t{10}, part, 2 * part + 77}) {
    SCOPED_TRACE(size);
    FakeSink f(part);
    const std::string data = pattern(size);
    f.write(data, 1 << 20);
    ASSERT_TRUE(f.sink->stage().ok());
    EXPECT_EQ(f.sink->buffered_bytes(), 0u);
    // Always the multipart path, even below a part; an empty output is one empty part.
    EXPECT_EQ(f.log->calls, std::vector<std::string>{"begin"});
    EXPECT_EQ(f.log->parts.size(), std::max<std::size_t>(1, (size + part - 1) / part));
    auto w = f.sink->write("x", 1);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(f.sink->stage().ok());
    ASSERT_TRUE(f.sink->finish().ok());
    EXPECT_EQ(f.log->calls, (std::vector<std::string>{"begin", "complete"}));
    EXPECT_TRUE(f.log->assembled() == data);
    EXPECT_EQ(f.sink->bytes_written(), size);
    EXPECT_FALSE(f.sink->finish().ok());
  }
}

TEST(Multipart, AbortAndDestructionAfterStageAbortTheUpload) {
  {
    FakeSink f;
    f.write(pattern(100), 100);
    ASSERT_TRUE(f.sink->stage().ok());
    f.sink->abort();
    EXPECT_EQ(f.log->calls, (std::vector<std::string>{"begin", "abort"}));
    EXPECT_FALSE(f.sink->finish().ok());
    EXPECT_EQ(f.log->count("complete"), 0);
  }
  {
    FakeSink f;
    f.write(pattern(7 << 20), 1 << 20);
    ASSERT_TRUE(f.sink->stage().ok());
    f.sink.reset();
    EXPECT_EQ(f.log->calls, (std::vector<std::string>{"begin", "abort"}));
  }
}

TEST(Dates, StoreFormats) {
  EXPECT_EQ(s3::parse_iso8601_ms("1970-01-01T00:00:01.500Z"), 1500);
  EXPECT_EQ(s3::parse_iso8601_ms("2026-11-22T15:42:13.000Z"), 1795362133000);
  EXPECT_EQ(s3::parse_http_date_ms("Sun, 22 Nov 2026 15:42:13 GMT"), 1795362133000);
  EXPECT_EQ(s3::parse_iso8601_ms("garbage"), -1);
  EXPECT_EQ(s3::parse_http_date_ms("Sun, 22 Foo 2026 15:42:13 GMT"), -1);
}

TEST(Open, HttpIsReadOnlyAndUnknownSchemesAreNamed) {
  auto sink = open_sink("https://example.com/x.csv?sig=1");
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.error().to_string().find("sig=1"), std::string::npos);
  auto src = open_source("ftp://host/x");
  ASSERT_FALSE(src.ok());
  EXPECT_NE(src.error().to_string().find("unknown scheme"), std::string::npos);
  auto folder = open_source("s3://bucket/folder/");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::io

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace sluice::io {
namespace {

// An https server (node) with a self-signed certificate for 127.0.0.1, started and stopped by PID.
class TlsServer {
 public:
  bool start(const std::string& dir) {
    cert_ = dir + "/cert.pem";
    const std::string key = dir + "/key.pem";
    const std::string gen = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert_ +
                            " -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1";
    if (std::system(gen.c_str()) != 0) return false;
    const std::string script = dir + "/server.js";
    FILE* f = std::fopen(script.c_str(), "w");
    std::fprintf(f,
                 "const fs=require('fs');require('https').createServer({key:fs.readFileSync('%s'),cert:fs.readFileSync('%s')},"
                 "(q,r)=>{r.end('hello over tls')}).listen(0,'127.0.0.1',function(){console.log(this.address().port)});",
                 key.c_str(), cert_.c_str());
    std::fclose(f);
    int out[2];
    if (pipe(out) != 0) return false;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      const int null_fd = open("/dev/null", O_RDWR);  // not the test's stderr: CTest waits on it
      dup2(null_fd, 2);
      dup2(null_fd, 0);
      execlp("node", "node", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    char buf[32] = {0};
    const ssize_t n = read(out[0], buf, sizeof buf - 1);
    close(out[0]);
    port_ = n > 0 ? std::atoi(buf) : 0;
    return port_ > 0;
  }
  ~TlsServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/x"; }
  const std::string& cert() const { return cert_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string cert_;
};

TEST(Http, TlsIsVerifiedAndTheCaBundleComesFromTheEnvironment) {
  if (std::system("command -v openssl >/dev/null && command -v node >/dev/null") != 0)
    GTEST_SKIP() << "openssl or node is not installed";
  const std::string dir = std::filesystem::temp_directory_path() / ("sluice-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    TlsServer server;
    ASSERT_TRUE(server.start(dir));
    http::Request req;
    req.url = server.url();
    // Verification is on: a self-signed certificate is refused, once (not a retryable failure).
    auto strict = http::Client::create();
    auto r = strict->send(req, {}, "GET");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find("certificate"), std::string::npos) << r.error().message();
    EXPECT_EQ(strict->requests_sent(), 1u);
    // Trusting it through the environment, as curl and the AWS tools do.
    setenv("SSL_CERT_FILE", server.cert().c_str(), 1);
    auto trusting = http::Client::create();
    unsetenv("SSL_CERT_FILE");
    r = trusting->send(req, {}, "GET");
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "hello over tls");
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::io
