// S3 against a real Ceph radosgw (strict SigV4, real multipart checks) started by the CTest fixture
// (tests/io/radosgw.sh). Skips, saying why, where radosgw is not installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "remote.hpp"
#include "sluice/core/builder.hpp"
#include "sluice/dataset.hpp"
#include "sluice/io/open.hpp"
#include "sluice/io/sigv4.hpp"
#include "sluice/io/store.hpp"
#include "xml.hpp"

namespace sluice::io {
namespace {

std::map<std::string, std::string> read_env() {
  std::map<std::string, std::string> out;
  std::ifstream in(SLUICE_RADOSGW_ENV);
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

bool quick() { return std::getenv("SLUICE_TEST_QUICK") != nullptr; }

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::string s(n, '\0');
  std::mt19937_64 rng(seed);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  for (; i < n; ++i) s[i] = static_cast<char>(rng());
  return s;
}

class S3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = read_env();
    if (env_.count("SLUICE_TEST_S3_UNAVAILABLE")) GTEST_SKIP() << env_["SLUICE_TEST_S3_UNAVAILABLE"];
    ASSERT_TRUE(env_.count("SLUICE_TEST_S3_ENDPOINT")) << "no " << SLUICE_RADOSGW_ENV << ": did the radosgw fixture run?";
    endpoint_ = env_["SLUICE_TEST_S3_ENDPOINT"];
    config_.s3.endpoint_url = endpoint_;
    config_.s3.access_key_id = env_["SLUICE_TEST_S3_KEY"];
    config_.s3.secret_access_key = env_["SLUICE_TEST_S3_SECRET"];
    config_.s3.region = "us-east-1";
    config_.transfer.part_size = 5 << 20;
    config_.http.retry.base_delay = std::chrono::milliseconds(20);
    config_.http.retry.max_delay = std::chrono::milliseconds(200);
    // Each test its own bucket, named after it.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
    bucket_ = "t-" + name.substr(0, 50);
    ASSERT_EQ(bucket_request("PUT", bucket_).status / 100, 2) << "could not create bucket " << bucket_;
  }

  // A signed request to the bucket itself (CreateBucket, ListMultipartUploads), outside the store API.
  http::Response bucket_request(const std::string& method, const std::string& bucket, const std::string& query = "") {
    auto client = http::default_client();
    http::Request req;
    req.method = method;
    req.url = endpoint_ + "/" + bucket + (query.empty() ? "" : "?" + query);
    aws::Credentials creds{config_.s3.access_key_id, config_.s3.secret_access_key, "", std::nullopt};
    auto r = client->send(req,
                          [creds](http::Request& q) {
                            aws::SignRequest s{q.method, q.url, q.headers};
                            aws::SigV4Options o;
                            o.region = "us-east-1";
                            o.payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
                            Status st = aws::sign_request(s, creds, o);
                            q.headers = s.headers;
                            return st;
                          },
                          "test");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? *r : http::Response{};
  }

  // Multipart uploads still open in the bucket (ListMultipartUploads).
  int open_uploads() {
    auto r = bucket_request("GET", bucket_, "uploads=");
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = xml::parse(r.body);
    EXPECT_TRUE(doc.ok());
    return doc.ok() ? static_cast<int>(doc->all("Upload").size()) : -1;
  }

  std::string uri(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  ObjectStorePtr store() {
    auto u = parse_uri(uri(""));
    EXPECT_TRUE(u.ok());
    auto s = open_store(*u, config_);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
    return s.ok() ? std::move(*s) : nullptr;
  }

  void put(const std::string& key, const std::string& data, std::size_t piece = 1 << 20) {
    auto sink = open_sink(uri(key), {}, config_);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    for (std::size_t i = 0; i < data.size(); i += piece) {
      auto st = (*sink)->write(data.data() + i, std::min(piece, data.size() - i));
      ASSERT_TRUE(st.ok()) << st.error().to_string();
    }
    auto st = (*sink)->finish();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    EXPECT_EQ((*sink)->bytes_written(), data.size());
  }

  // CSV text written as Parquet (row groups of `rows` rows) under KEY; the row groups written.
  int put_parquet(const std::string& key, const std::string& csv_text, std::int64_t rows) {
    auto reader = csv::CsvReader::open(std::make_unique<MemorySource>(csv_text), {});
    auto sink = open_sink(uri(key), {}, config_);
    if (!reader.ok() || !sink.ok()) return -1;
    parquet::WriteOptions wo;
    wo.row_group_rows = rows;
    auto writer = parquet::ParquetWriter::open(**sink, (*reader)->schema(), wo);
    if (!writer.ok()) return -1;
    for (;;) {
      auto b = (*reader)->next();
      if (!b.ok()) return -1;
      if (!*b) break;
      if (!(*writer)->write(**b).ok()) return -1;
    }
    if (!(*writer)->finish().ok() || !(*sink)->finish().ok()) return -1;
    return static_cast<int>((*writer)->row_groups_written());
  }

  std::string get_sequential(const std::string& key, std::size_t piece = 300000) {
    auto src = open_source(uri(key), config_);
    EXPECT_TRUE(src.ok()) << (src.ok() ? "" : src.error().to_string());
    if (!src.ok()) return {};
    std::string out;
    std::vector<std::byte> buf(piece);
    for (;;) {
      auto n = (*src)->read(buf);
      EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().to_string());
      if (!n.ok() || *n == 0) break;
      out.append(reinterpret_cast<const char*>(buf.data()), *n);
    }
    return out;
  }

  // `size` random bytes up under KEY_PREFIX + size and back down, byte for byte.
  void round_trip(const std::string& key_prefix, std::size_t size, std::uint64_t seed) {
    SCOPED_TRACE(key_prefix + std::to_string(size));
    const std::string data = random_bytes(size, seed);
    const std::string key = key_prefix + std::to_string(size);
    put(key, data);
    EXPECT_TRUE(get_sequential(key) == data);
  }

  std::map<std::string, std::string> env_;
  std::string endpoint_, bucket_;
  IoConfig config_;
};

TEST_F(S3Test, UploadDownloadByteIdenticalAcrossPartBoundaries) {
  const std::size_t part = config_.transfer.part_size;
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, part - 1, part, part + 1, 3 * part + 12345}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string data = random_bytes(size, size);
    const std::string key = "dir/obj-" + std::to_string(size) + ".bin";
    put(key, data);
    EXPECT_EQ(open_uploads(), 0);
    auto s = store();
    auto info = s->head(key);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_EQ(info->size, size);
    EXPECT_GT(info->mtime_ms, 1'700'000'000'000);
    const std::string back = get_sequential(key);
    EXPECT_EQ(back.size(), data.size());
    EXPECT_TRUE(back == data);
  }
}

TEST_F(S3Test, LargeObjectStreamsWithBoundedBuffers) {
  const std::size_t size = quick() ? (40u << 20) : (300u << 20);
  const std::string data = random_bytes(size, 7);
  auto s = store();
  auto sink = s->open_sink("big.bin");
  ASSERT_TRUE(sink.ok());
  for (std::size_t i = 0; i < size; i += 1 << 20) ASSERT_TRUE((*sink)->write(data.data() + i, std::min<std::size_t>(1 << 20, size - i)).ok());
  auto* mp = dynamic_cast<remote::MultipartSink*>(sink->get());
  ASSERT_NE(mp, nullptr);
  ASSERT_TRUE((*sink)->finish().ok());
  // part_size × (parts in flight + 1), whatever the object's size.
  EXPECT_LE(mp->peak_buffer_bytes(), config_.transfer.part_size * (config_.transfer.parts_in_flight + 1));
  EXPECT_TRUE(get_sequential("big.bin", 1 << 20) == data);
}

TEST_F(S3Test, RangedReadsAndCoalescing) {
  const std::string data = random_bytes(3 << 20, 3);
  put("r.bin", data);
  auto s = store();
  auto src = s->open_source("r.bin");
  ASSERT_TRUE(src.ok());
  std::vector<std::byte> buf(1000);
  auto n = (*src)->read_at(12345, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1000u);
  EXPECT_EQ(std::memcmp(buf.data(), data.data() + 12345, 1000), 0);
  // Past the end: what is there, then nothing.
  n = (*src)->read_at(data.size() - 10, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u);
  n = (*src)->read_at(data.size() + 5, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  // Close ranges are fetched by one GET.
  const std::uint64_t before = s->requests_sent();
  std::vector<ByteRange> ranges = {{100, 50}, {1000, 10}, {200000, 1000}, {2 << 20, 100}, {10, 5}};
  auto bufs = (*src)->read_ranges(ranges);
  ASSERT_TRUE(bufs.ok()) << bufs.error().to_string();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    ASSERT_EQ((*bufs)[i]->size(), static_cast<std::int64_t>(ranges[i].length));
    EXPECT_EQ(std::memcmp((*bufs)[i]->data(), data.data() + ranges[i].offset, ranges[i].length), 0) << i;
  }
  EXPECT_EQ(s->requests_sent() - before, 2u);  // [10, 201000) and [2 MiB, +100)
  // A range past the end is an error naming the object.
  std::vector<ByteRange> bad = {{data.size() - 5, 10}};
  auto r = (*src)->read_ranges(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find(uri("r.bin")), std::string::npos);
}

TEST_F(S3Test, OpenedWithTheListedSizeNoHeadAndAChangedObjectIsAnError) {
  const std::string data = random_bytes(100000, 4);
  put("l.bin", data);
  auto s = store();
  const std::uint64_t before = s->requests_sent();
  auto src = s->open_source("l.bin", data.size());
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(s->requests_sent(), before);  // no HEAD
  std::vector<std::byte> buf(data.size());
  auto n = (*src)->read_at(0, buf);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(*n, data.size());
  EXPECT_EQ(std::memcmp(buf.data(), data.data(), data.size()), 0);
  EXPECT_EQ(s->requests_sent() - before, 1u);
  // A listing that is out of date (the object replaced since, by a shorter or a longer one): the
  // first GET says so, whether the range reaches the object's end or not.
  for (const std::uint64_t listed : {std::uint64_t{50000}, std::uint64_t{150000}}) {
    SCOPED_TRACE(listed);
    auto stale = s->open_source("l.bin", listed);
    ASSERT_TRUE(stale.ok());
    std::vector<std::byte> some(1000);
    auto r = (*stale)->read_at(0, some);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kIoError);
    EXPECT_NE(r.error().to_string().find("changed while it was read"), std::string::npos) << r.error().to_string();
    EXPECT_NE(r.error().to_string().find(uri("l.bin")), std::string::npos);
  }
}

TEST_F(S3Test, ListingPagesAndFolders) {
  config_.transfer.list_page_size = 7;
  auto s = store();
  std::vector<std::string> keys;
  for (int i = 0; i < 23; ++i) keys.push_back("p/a/" + std::to_string(1000 + i) + ".txt");
  keys.push_back("p/b/x.txt");
  keys.push_back("p/top.txt");
  keys.push_back("q/other.txt");
  for (const auto& k : keys) put(k, k);
  std::vector<std::string> seen;
  ASSERT_TRUE(s->list("p/", true, [&](const ObjectInfo& o) {
                 EXPECT_FALSE(o.is_prefix);
                 EXPECT_EQ(o.size, o.key.size());
                 seen.push_back(o.key);
                 return ok_status();
               }).ok());
  std::vector<std::string> want(keys.begin(), keys.end() - 1);
  EXPECT_EQ(seen, want);
  seen.clear();
  ASSERT_TRUE(s->list("p/", false, [&](const ObjectInfo& o) {
                 seen.push_back(o.key + (o.is_prefix ? "*" : ""));
                 return ok_status();
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"p/a/*", "p/b/*", "p/top.txt"}));
}

TEST_F(S3Test, AbortAndDestructionLeaveNothing) {
  const std::string data = random_bytes(12 << 20, 5);
  {
    auto sink = open_sink(uri("aborted.bin"), {}, config_);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
    EXPECT_EQ(open_uploads(), 1);
    (*sink)->abort();
  }
  {
    auto sink = open_sink(uri("dropped.bin"), {}, config_);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
  }  // destroyed without finish()
  {
    auto sink = open_sink(uri("small.bin"), {}, config_);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->write(data.data(), 100).ok());
  }
  EXPECT_EQ(open_uploads(), 0);
  auto s = store();
  for (const char* k : {"aborted.bin", "dropped.bin", "small.bin"}) {
    auto h = s->head(k);
    ASSERT_FALSE(h.ok()) << k;
    EXPECT_EQ(h.error().code(), ErrorCode::kNotFound);
  }
}

TEST_F(S3Test, DeleteAndMissingThings) {
  put("gone.txt", "x");
  auto s = store();
  ASSERT_TRUE(s->remove("gone.txt").ok());
  auto h = s->head("gone.txt");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), ErrorCode::kNotFound);
  auto src = open_source(uri("missing/key.csv"), config_);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(src.error().to_string().find(uri("missing/key.csv")), std::string::npos) << src.error().to_string();
  auto nob = open_source("s3://no-such-bucket-here/k", config_);
  ASSERT_FALSE(nob.ok());
  EXPECT_EQ(nob.error().code(), ErrorCode::kNotFound);
  auto sink = open_sink("s3://no-such-bucket-here/k", {}, config_);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->write("abc", 3).ok());
  auto st = (*sink)->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().to_string().find("NoSuchBucket"), std::string::npos) << st.error().to_string();
}

TEST_F(S3Test, WrongCredentialsFailOnceAndNeverShowTheSecret) {
  put("k.txt", "hello");
  config_.s3.secret_access_key = "WRONG-SECRET-abcdef";
  auto s = store();
  const std::uint64_t before = s->requests_sent();
  auto h = s->open_source("k.txt");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(s->requests_sent() - before, 1u);  // a 403 is final: no retry storm
  const std::string text = h.error().to_string();
  EXPECT_NE(text.find("403"), std::string::npos) << text;
  EXPECT_EQ(text.find("WRONG-SECRET"), std::string::npos) << text;
  // Unknown key id: InvalidAccessKeyId.
  config_.s3.access_key_id = "NOSUCHKEY";
  auto sink = open_sink(uri("x.txt"), {}, config_);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->write("abc", 3).ok());
  auto st = (*sink)->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().to_string().find("InvalidAccessKeyId"), std::string::npos) << st.error().to_string();
  EXPECT_EQ(st.error().to_string().find("WRONG-SECRET"), std::string::npos);
}

TEST_F(S3Test, ParallelRangedReadsOfOneSource) {
  const std::string data = random_bytes(6 << 20, 11);
  put("par.bin", data);
  auto src = open_source(uri("par.bin"), config_);
  ASSERT_TRUE(src.ok());
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> buf(1 << 20);
      for (int i = 0; i < 5; ++i) {
        const std::uint64_t off = static_cast<std::uint64_t>((t * 5 + i) * 250000);
        auto n = (*src)->read_at(off, buf);
        if (!n.ok() || *n != buf.size() || std::memcmp(buf.data(), data.data() + off, buf.size()) != 0) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace sluice::io

namespace sluice::io {
namespace {

TEST_F(S3Test, VirtualHostedAddressing) {
  // radosgw answers BUCKET.s3.localhost (rgw_dns_name); libcurl resolves *.localhost to 127.0.0.1.
  const std::string port = endpoint_.substr(endpoint_.rfind(':') + 1);
  config_.s3.endpoint_url = "http://s3.localhost:" + port;
  config_.s3.path_style = false;
  const std::string data = random_bytes(6 << 20, 21);
  put("vh/x.bin", data);
  config_.s3.endpoint_url = endpoint_;  // read back path-style: the same object
  config_.s3.path_style = true;
  EXPECT_TRUE(get_sequential("vh/x.bin") == data);
}

TEST_F(S3Test, GcsXmlApiWithHmacKeys) {
  // GCS's XML API speaks S3 with HMAC keys (SigV4, region "auto"); radosgw stands in for it.
  IoConfig gcs;
  gcs.gcs.endpoint_url = endpoint_;
  gcs.gcs.hmac_access_id = config_.s3.access_key_id;
  gcs.gcs.hmac_secret = config_.s3.secret_access_key;
  gcs.transfer.part_size = 5 << 20;
  const std::string data = random_bytes((11 << 20) + 3, 22);
  {
    auto sink = open_sink("gs://" + bucket_ + "/g/obj.bin", {}, gcs);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
    auto st = (*sink)->finish();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
  }
  EXPECT_TRUE(get_sequential("g/obj.bin") == data);
  auto u = parse_uri("gs://" + bucket_ + "/g/");
  ASSERT_TRUE(u.ok());
  auto store = open_store(*u, gcs);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_EQ((*store)->uri_of("g/obj.bin"), "gs://" + bucket_ + "/g/obj.bin");
  std::vector<std::string> keys;
  ASSERT_TRUE((*store)->list("g/", true, [&](const ObjectInfo& o) {
                        keys.push_back(o.key);
                        return ok_status();
                      }).ok());
  EXPECT_EQ(keys, std::vector<std::string>{"g/obj.bin"});
}

TEST_F(S3Test, PresignedUrlThroughTheHttpSource) {
  const std::string data = random_bytes((9 << 20) + 1, 23);
  put("pre/signed.bin", data);
  aws::Credentials creds{config_.s3.access_key_id, config_.s3.secret_access_key, "", std::nullopt};
  aws::SigV4Options o;
  o.region = "us-east-1";
  aws::SignRequest req{"GET", endpoint_ + "/" + bucket_ + "/pre/signed.bin", {}};
  auto url = aws::presign_url(req, creds, o, std::chrono::seconds(600));
  ASSERT_TRUE(url.ok()) << url.error().to_string();
  IoConfig plain;  // no credentials: the URL carries them
  auto src = open_source(*url, plain);
  ASSERT_TRUE(src.ok()) << src.error().to_string();
  EXPECT_EQ(*(*src)->size(), data.size());
  std::string back;
  std::vector<std::byte> buf(1 << 20);
  for (;;) {
    auto n = (*src)->read(buf);
    ASSERT_TRUE(n.ok()) << n.error().to_string();
    if (*n == 0) break;
    back.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  EXPECT_TRUE(back == data);
  // Signed an hour ago, valid for a minute: expired → 403, the signature never in the message.
  o.now = std::chrono::system_clock::now() - std::chrono::hours(1);
  auto old = aws::presign_url(req, creds, o, std::chrono::seconds(60));
  ASSERT_TRUE(old.ok());
  auto expired = open_source(*old, plain);
  ASSERT_FALSE(expired.ok());
  const std::string text = expired.error().to_string();
  EXPECT_NE(text.find("403"), std::string::npos) << text;
  EXPECT_EQ(text.find("X-Amz-Signature"), std::string::npos) << text;
  EXPECT_EQ(text.find("X-Amz-Credential"), std::string::npos) << text;
}

}  // namespace
}  // namespace sluice::io

#include "sluice/codecs/csv.hpp"
#include "sluice/codecs/parquet/reader.hpp"
#include "sluice/codecs/parquet/writer.hpp"
#include "sluice/core/compare.hpp"

namespace sluice::io {
namespace {

// Reads every batch of a Parquet source into one list.
std::vector<Batch> read_parquet(SourcePtr src, std::vector<std::string> columns) {
  parquet::ReadOptions ro;
  ro.columns = std::move(columns);
  auto reader = parquet::ParquetReader::open(std::move(src), ro);
  EXPECT_TRUE(reader.ok()) << (reader.ok() ? "" : reader.error().to_string());
  std::vector<Batch> out;
  if (!reader.ok()) return out;
  for (;;) {
    auto b = (*reader)->next();
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().to_string());
    if (!b.ok() || !*b) break;
    out.push_back(std::move(**b));
  }
  return out;
}

TEST_F(S3Test, ParquetStraightToAndFromS3WithFewRequests) {
  // 200,000 rows, 5 columns, 10 row groups, written by the Parquet writer into an S3 sink.
  std::string csv = "a,b,c,d,e\n";
  for (int i = 0; i < 200000; ++i)
    csv += std::to_string(i) + "," + std::to_string(i * 7 % 1000) + ",name" + std::to_string(i % 977) + "," +
           std::to_string(i * 0.25) + ",2024-01-" + std::to_string(1 + i % 28) + "\n";
  EXPECT_EQ(put_parquet("pq/t.parquet", csv, 20000), 10);

  // The same bytes read locally are the reference.
  const std::string bytes = get_sequential("pq/t.parquet");
  auto local = read_parquet(std::make_unique<MemorySource>(bytes), {"a", "c"});
  auto s = store();
  auto src = s->open_source("pq/t.parquet");
  ASSERT_TRUE(src.ok());
  const std::uint64_t before = s->requests_sent();
  auto remote = read_parquet(std::move(*src), {"a", "c"});
  const std::uint64_t requests = s->requests_sent() - before;
  ASSERT_EQ(local.size(), remote.size());
  std::int64_t rows = 0;
  for (std::size_t i = 0; i < local.size(); ++i) {
    EXPECT_TRUE(batches_equal(local[i], remote[i])) << first_difference(local[i], remote[i]);
    rows += remote[i].num_rows;
  }
  EXPECT_EQ(rows, 200000);
  // The leading magic and the tail (two GETs at once), then one coalesced GET per row group for
  // both columns' chunks (a and c are not adjacent: b lies between them, closer than the 1 MiB gap).
  EXPECT_LE(requests, 2u + 10u) << requests << " requests";

  // A small file (up to 1 MiB) is read whole when opened: with its size known, opening and reading
  // it is one GET, whatever the columns.
  std::string small_csv = "a,b\n";
  for (int i = 0; i < 5000; ++i) small_csv += std::to_string(i) + ",x" + std::to_string(i % 7) + "\n";
  EXPECT_EQ(put_parquet("pq/small.parquet", small_csv, 1000), 5);
  const std::string small_bytes = get_sequential("pq/small.parquet");
  ASSERT_LT(small_bytes.size(), std::size_t{1} << 20);
  for (const std::vector<std::string>& cols : {std::vector<std::string>{}, std::vector<std::string>{"b"}}) {
    auto small_src = s->open_source("pq/small.parquet", small_bytes.size());
    ASSERT_TRUE(small_src.ok());
    const std::uint64_t at = s->requests_sent();
    auto got = read_parquet(std::move(*small_src), cols);
    EXPECT_EQ(s->requests_sent() - at, 1u);
    auto want = read_parquet(std::make_unique<MemorySource>(small_bytes), cols);
    ASSERT_EQ(got.size(), want.size());
    ASSERT_EQ(got.size(), 5u);  // a batch per row group
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(batches_equal(got[i], want[i])) << first_difference(got[i], want[i]);
  }
}

}  // namespace
}  // namespace sluice::io

namespace sluice::io {
namespace {

TEST_F(S3Test, SignedAndStreamingPayloads) {
  // radosgw checks x-amz-content-sha256 against the body and every aws-chunked chunk signature.
  for (auto mode : {S3Config::PayloadSigning::kSigned, S3Config::PayloadSigning::kStreaming}) {
    config_.s3.payload_signing = mode;
    for (std::size_t size : {std::size_t{1}, std::size_t{65536}, std::size_t{65537}, std::size_t{200000},
                             std::size_t{(5 << 20) + 70000}}) {
      round_trip("payload/" + std::to_string(static_cast<int>(mode)) + "-", size, size + 99);
    }
  }
  EXPECT_EQ(open_uploads(), 0);
}

// Both checksums, single PUT and multipart: radosgw checks Content-MD5 (a wrong one is 400
// BadDigest) and accepts, without checking, x-amz-checksum-crc32c, the algorithm header on
// CreateMultipartUpload and ChecksumCRC32C in CompleteMultipartUpload.
TEST_F(S3Test, Crc32cAndMd5Checksums) {
  for (auto sum : {S3Config::Checksum::kCrc32c, S3Config::Checksum::kMd5}) {
    config_.s3.checksum = sum;
    for (std::size_t size : {std::size_t{1}, config_.transfer.part_size * 2 + 777}) {
      round_trip("checksum/" + std::to_string(static_cast<int>(sum)) + "-", size, size + 5);
    }
  }
  EXPECT_EQ(open_uploads(), 0);
}

}  // namespace
}  // namespace sluice::io

namespace sluice::io {
namespace {

// Staging (Sink::stage()): every part in the store, nothing visible until finish().
TEST_F(S3Test, StagedObjectsAreInvisibleUntilFinish) {
  auto s = store();
  for (std::size_t size : {std::size_t{10}, std::size_t{0}, std::size_t{20} << 20}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string data = random_bytes(size, size + 1);
    const std::string key = "staged/obj-" + std::to_string(size) + ".bin";
    auto sink = open_sink(uri(key), {}, config_);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    for (std::size_t i = 0; i < size; i += 1 << 20)
      ASSERT_TRUE((*sink)->write(data.data() + i, std::min<std::size_t>(1 << 20, size - i)).ok());
    if (size == 10) {
      EXPECT_EQ((*sink)->buffered_bytes(), 64u << 10);
    }
    auto st = (*sink)->stage();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    EXPECT_EQ((*sink)->buffered_bytes(), 0u);
    auto h = s->head(key);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().code(), ErrorCode::kNotFound);
    int listed = 0;
    ASSERT_TRUE(s->list("staged/", true, [&](const ObjectInfo& o) {
                   listed += o.key == key;
                   return ok_status();
                 }).ok());
    EXPECT_EQ(listed, 0);
    EXPECT_EQ(open_uploads(), 1);
    auto w = (*sink)->write("x", 1);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    st = (*sink)->finish();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    EXPECT_EQ(open_uploads(), 0);
    auto info = s->head(key);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_EQ(info->size, size);
    EXPECT_TRUE(get_sequential(key) == data);
  }
}

TEST_F(S3Test, StagedFinishIsOneRequest) {
  auto s = store();
  auto sink = s->open_sink("one/request.bin");
  ASSERT_TRUE(sink.ok());
  const std::string data = random_bytes(11 << 20, 31);
  ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
  ASSERT_TRUE((*sink)->stage().ok());
  const std::uint64_t before = s->requests_sent();
  ASSERT_TRUE((*sink)->finish().ok());
  EXPECT_EQ(s->requests_sent() - before, 1u);
  EXPECT_TRUE(get_sequential("one/request.bin") == data);
}

TEST_F(S3Test, AbortOrDestructionAfterStageLeavesNothing) {
  for (std::size_t size : {std::size_t{0}, std::size_t{10}, std::size_t{12} << 20}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string data = random_bytes(size, size + 2);
    {
      auto sink = open_sink(uri("aborted.bin"), {}, config_);
      ASSERT_TRUE(sink.ok());
      if (size) {
        ASSERT_TRUE((*sink)->write(data.data(), size).ok());
      }
      ASSERT_TRUE((*sink)->stage().ok());
      EXPECT_EQ(open_uploads(), 1);
      (*sink)->abort();
      EXPECT_EQ(open_uploads(), 0);
      EXPECT_FALSE((*sink)->finish().ok());
    }
    {
      auto sink = open_sink(uri("dropped.bin"), {}, config_);
      ASSERT_TRUE(sink.ok());
      if (size) {
        ASSERT_TRUE((*sink)->write(data.data(), size).ok());
      }
      ASSERT_TRUE((*sink)->stage().ok());
    }  // destroyed without finish()
    EXPECT_EQ(open_uploads(), 0);
    auto s = store();
    for (const char* k : {"aborted.bin", "dropped.bin"}) {
      auto h = s->head(k);
      ASSERT_FALSE(h.ok()) << k;
      EXPECT_EQ(h.error().code(), ErrorCode::kNotFound);
    }
  }
}

TEST_F(S3Test, ManySmallStagedSinksHoldLittleMemory) {
  // What a partitioned writer does: many outputs open at once, each small, staged, then published.
  const int n = 40;
  std::vector<SinkPtr> sinks;
  std::vector<std::string> datas;
  std::uint64_t held_open = 0, held_staged = 0;
  for (int i = 0; i < n; ++i) {
    auto sink = open_sink(uri("part/year=" + std::to_string(2000 + i) + "/part-0.bin"), {}, config_);
    ASSERT_TRUE(sink.ok());
    datas.push_back(random_bytes(10 << 10, static_cast<std::uint64_t>(i) + 100));
    for (std::size_t j = 0; j < datas.back().size(); j += 1000)
      ASSERT_TRUE((*sink)->write(datas.back().data() + j, std::min<std::size_t>(1000, datas.back().size() - j)).ok());
    sinks.push_back(std::move(*sink));
  }
  for (auto& sink : sinks) held_open += sink->buffered_bytes();
  std::cout << "[          ] " << n << " open sinks of 10 KiB hold " << held_open << " bytes ("
            << held_open / static_cast<std::uint64_t>(n) << " each)\n";
  EXPECT_LT(held_open / static_cast<std::uint64_t>(n), std::uint64_t{1} << 20);
  for (auto& sink : sinks) {
    ASSERT_TRUE(sink->stage().ok());
    held_staged += sink->buffered_bytes();
  }
  EXPECT_EQ(held_staged, 0u);
  EXPECT_EQ(open_uploads(), n);
  auto s = store();
  int visible = 0;
  ASSERT_TRUE(s->list("part/", true, [&](const ObjectInfo&) {
                 ++visible;
                 return ok_status();
               }).ok());
  EXPECT_EQ(visible, 0);
  for (auto& sink : sinks) ASSERT_TRUE(sink->finish().ok());
  EXPECT_EQ(open_uploads(), 0);
  for (int i = 0; i < n; i += 13)
    EXPECT_TRUE(get_sequential("part/year=" + std::to_string(2000 + i) + "/part-0.bin") == datas[static_cast<std::size_t>(i)]);
}

// ---- datasets on a store: partitioned writes, write modes, pruned reads --------------------------

Batch partitioned_sample(int rows, int parts, std::int64_t base) {
  FixedWidthBuilder<std::int64_t> id(int64()), p(int64());
  BinaryBuilder name(utf8());
  for (int i = 0; i < rows; ++i) {
    id.append(base + i);
    p.append(i % parts);
    name.append(std::string("n").append(std::to_string(base + i)));  // (not "n" + ...: a gcc 12 -Wrestrict false positive)
  }
  Batch b;
  auto schema = std::make_shared<Schema>();
  schema->fields = {Field{"id", int64(), true}, Field{"p", int64(), true}, Field{"name", utf8(), true}};
  b.schema = std::move(schema);
  b.columns = {id.finish(), p.finish(), name.finish()};
  b.num_rows = rows;
  return b;
}

// The ids a dataset holds, in order; the store's request count around the read.
std::vector<std::int64_t> dataset_ids(ObjectStore& store, const std::string& input, std::shared_ptr<const Predicate> filter,
                                      std::uint64_t* requests = nullptr, std::size_t* pruned = nullptr) {
  const std::uint64_t before = store.requests_sent();
  auto d = dataset::discover(input, &store);
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().to_string());
  if (!d.ok()) return {};
  dataset::DatasetReadOptions ro;
  ro.filter = filter;
  auto r = dataset::DatasetReader::open(std::move(*d), dataset::default_file_opener(&store, {}), ro);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  if (!r.ok()) return {};
  std::vector<std::int64_t> ids;
  while (true) {
    auto b = (*r)->next();
    EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().to_string());
    if (!b.ok() || !*b) break;
    if (filter) {
      auto kept = filter->filter(**b);
      EXPECT_TRUE(kept.ok());
      **b = std::move(*kept);
    }
    for (std::int64_t i = 0; i < (*b)->num_rows; ++i) ids.push_back((*b)->columns[0]->value<std::int64_t>(i));
  }
  std::sort(ids.begin(), ids.end());
  if (requests) *requests = store.requests_sent() - before;
  if (pruned) *pruned = (*r)->files_pruned();
  return ids;
}

std::vector<std::int64_t> iota_ids(std::int64_t from, std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = from + i;
  return v;
}

TEST_F(S3Test, DatasetPartitionedWriteIsInvisibleUntilFinishAndReadsBack) {
  auto s = store();
  dataset::DatasetWriteOptions o;
  o.partition_by = {"p"};
  o.max_open_files = 4;  // most files are closed (staged) before the end
  auto w = dataset::DatasetWriter::open(uri("out/"), o, s.get());
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  ASSERT_TRUE((*w)->write(partitioned_sample(1000, 10, 0)).ok());
  int visible = 0;
  ASSERT_TRUE(s->list("out/", true, [&](const ObjectInfo&) { ++visible; return ok_status(); }).ok());
  EXPECT_EQ(visible, 0) << "a file of an unfinished write is visible";
  EXPECT_GT(open_uploads(), 0);
  ASSERT_TRUE((*w)->finish(nullptr).ok());
  EXPECT_EQ(open_uploads(), 0);
  EXPECT_EQ(dataset_ids(*s, uri("out/"), nullptr), iota_ids(0, 1000));

  // Pruning: a filter on the partition column opens one file of ten; count the requests.
  std::uint64_t all_requests = 0, pruned_requests = 0;
  std::size_t pruned = 0;
  (void)dataset_ids(*s, uri("out/"), nullptr, &all_requests);
  auto filter = std::make_shared<Predicate>(*Predicate::parse("p = 3"));
  const auto ids = dataset_ids(*s, uri("out/"), filter, &pruned_requests, &pruned);
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(pruned, 9u);
  std::cout << "[          ] reading 10 partitions: " << all_requests << " requests; with p = 3: " << pruned_requests
            << "\n";
  // One listing, then one file's requests (a tenth of the ten files' and the listing's).
  EXPECT_LE(pruned_requests, 1 + (all_requests - 1) / 10);
  // Each file (a few KiB) is opened with the listing's size (no HEAD) and read whole by one GET, for
  // its schema; being small, it is then read by that same reader, not fetched again. With p = 3: the
  // listing and one GET.
  EXPECT_EQ(all_requests, 1u + 10u);
  EXPECT_EQ(pruned_requests, 2u);
  // A glob lists under its literal prefix only and matches the rest.
  EXPECT_EQ(dataset_ids(*s, uri("out/p=[1-3]/*.parquet"), nullptr).size(), 300u);
}

TEST_F(S3Test, DatasetWriteModesOnAStore) {
  auto s = store();
  auto write = [&](dataset::WriteMode mode, std::int64_t base, bool fail_halfway = false) -> Status {
    dataset::DatasetWriteOptions o;
    o.partition_by = {"p"};
    o.mode = mode;
    o.max_open_files = 2;
    SLUICE_ASSIGN_OR_RETURN(auto w, dataset::DatasetWriter::open(uri("data/"), o, s.get()));
    if (w->skipped()) return Error(ErrorCode::kCancelled, "skipped");
    SLUICE_TRY(w->write(partitioned_sample(100, 5, base)));
    if (fail_halfway) {
      Batch bad = partitioned_sample(1, 1, 0);
      auto one = std::make_shared<Schema>();
      one->fields = {Field{"id", int64(), true}};
      bad.schema = std::move(one);
      bad.columns.resize(1);
      return w->write(bad);  // no partition column: the write fails and aborts
    }
    return w->finish(nullptr);
  };
  ASSERT_TRUE(write(dataset::WriteMode::kError, 0).ok());
  EXPECT_EQ(write(dataset::WriteMode::kError, 100).error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(write(dataset::WriteMode::kIgnore, 100).error().code(), ErrorCode::kCancelled);
  ASSERT_TRUE(write(dataset::WriteMode::kAppend, 100).ok());
  EXPECT_EQ(dataset_ids(*s, uri("data/"), nullptr), iota_ids(0, 200));
  // A failed overwrite and a failed append leave the data as it was, and no upload open.
  EXPECT_FALSE(write(dataset::WriteMode::kOverwrite, 500, true).ok());
  EXPECT_FALSE(write(dataset::WriteMode::kAppend, 500, true).ok());
  EXPECT_EQ(dataset_ids(*s, uri("data/"), nullptr), iota_ids(0, 200));
  EXPECT_EQ(open_uploads(), 0);
  ASSERT_TRUE(write(dataset::WriteMode::kOverwrite, 1000).ok());
  EXPECT_EQ(dataset_ids(*s, uri("data/"), nullptr), iota_ids(1000, 100));
  int objects = 0;
  ASSERT_TRUE(s->list("data/", true, [&](const ObjectInfo&) { ++objects; return ok_status(); }).ok());
  EXPECT_EQ(objects, 5);
}

}  // namespace
}  // namespace sluice::io
