// Azure Blob against a real azurite (SharedKey checked, Content-MD5 checked, uncommitted blocks
// invisible) started by the CTest fixture (tests/io/azurite.sh). Skips, saying why, where azurite
// is not installed.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "azure_internal.hpp"
#include "crypto.hpp"
#include "remote.hpp"
#include "sluice/io/open.hpp"
#include "sluice/io/store.hpp"
#include "xml.hpp"

namespace sluice::io {
namespace {

std::map<std::string, std::string> read_env() {
  std::map<std::string, std::string> out;
  std::ifstream in(SLUICE_AZURITE_ENV);
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

std::string utc(std::int64_t secs) {
  const std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// An account SAS (version 2019-12-12 layout: account, permissions, services, resource types, start,
// expiry, IP, protocol, version, each followed by a newline), signed with the account key.
std::string account_sas(const std::string& account, const std::string& key_b64, const std::string& permissions,
                        std::int64_t expiry_secs) {
  const std::string sv = "2019-12-12", ss = "b", srt = "sco", spr = "https,http", se = utc(expiry_secs);
  const std::string to_sign = account + "\n" + permissions + "\n" + ss + "\n" + srt + "\n\n" + se + "\n\n" + spr + "\n" + sv + "\n";
  auto key = crypto::base64_decode(key_b64);
  EXPECT_TRUE(key.ok());
  const auto mac = crypto::hmac_sha256(*key, to_sign);
  const std::string sig = crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  auto enc = [](const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
      else {
        char b[4];
        std::snprintf(b, sizeof b, "%%%02X", c);
        out += b;
      }
    }
    return out;
  };
  return "sv=" + sv + "&ss=" + ss + "&srt=" + srt + "&sp=" + permissions + "&se=" + enc(se) + "&spr=" + enc(spr) + "&sig=" + enc(sig);
}

std::int64_t now_secs() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class AzureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = read_env();
    if (env_.count("SLUICE_TEST_AZURE_UNAVAILABLE")) GTEST_SKIP() << env_["SLUICE_TEST_AZURE_UNAVAILABLE"];
    ASSERT_TRUE(env_.count("SLUICE_TEST_AZURE_ENDPOINT")) << "no " << SLUICE_AZURITE_ENV << ": did the azurite fixture run?";
    endpoint_ = env_["SLUICE_TEST_AZURE_ENDPOINT"];
    account_ = env_["SLUICE_TEST_AZURE_ACCOUNT"];
    key_ = env_["SLUICE_TEST_AZURE_KEY"];
    config_.azure.endpoint_url = endpoint_;
    config_.azure.account = account_;
    config_.azure.key = key_;
    config_.transfer.part_size = 5 << 20;
    config_.http.retry.base_delay = std::chrono::milliseconds(20);
    config_.http.retry.max_delay = std::chrono::milliseconds(200);
    // Each test its own container, named after it.
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string c;
    for (char ch : name) {
      if (std::isalnum(static_cast<unsigned char>(ch))) c += static_cast<char>(std::tolower(ch));
      else if (!c.empty() && c.back() != '-') c += '-';
    }
    container_ = "t-" + c.substr(0, 50);
    while (container_.back() == '-') container_.pop_back();
    auto r = raw("PUT", container_, "restype=container");
    ASSERT_TRUE(r.status == 201 || r.status == 409) << "could not create container " << container_ << ": " << r.status << " " << r.body;
  }

  // A SharedKey-signed request outside the store API (Create Container, Get Block List).
  http::Response raw(const std::string& method, const std::string& path, const std::string& query = "") {
    http::Request req;
    req.method = method;
    req.url = endpoint_ + "/" + path + (query.empty() ? "" : "?" + query);
    req.headers.emplace_back("x-ms-version", std::string(azure::kServiceVersion));
    azure::Credentials c{azure::AuthKind::kSharedKey, account_, *crypto::base64_decode(key_), "", ""};
    auto r = http::default_client()->send(req, azure::make_signer(c), "test");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? *r : http::Response{};
  }

  std::string uri(const std::string& key) const { return "az://" + container_ + "/" + key; }

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

  // Block ids of `key`'s block list of this type (committed, uncommitted); -1 when the blob has none.
  int blocks(const std::string& key, const std::string& type) {
    auto r = raw("GET", container_ + "/" + key, "comp=blocklist&blocklisttype=" + type);
    if (r.status == 404) return -1;
    EXPECT_EQ(r.status, 200) << r.body;
    auto doc = xml::parse(r.body);
    if (!doc.ok()) return -2;
    const xml::Element* list = doc->child(type == "committed" ? "CommittedBlocks" : "UncommittedBlocks");
    return list ? static_cast<int>(list->all("Block").size()) : 0;
  }

  std::map<std::string, std::string> env_;
  std::string endpoint_, account_, key_, container_;
  IoConfig config_;
};

TEST_F(AzureTest, UploadDownloadByteIdenticalAcrossPartBoundaries) {
  const std::size_t part = config_.transfer.part_size;
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, part - 1, part, part + 1, 3 * part + 12345}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string data = random_bytes(size, size);
    const std::string key = "dir/obj-" + std::to_string(size) + ".bin";
    put(key, data);
    auto s = store();
    auto info = s->head(key);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_EQ(info->size, size);
    EXPECT_GT(info->mtime_ms, 1'700'000'000'000);
    EXPECT_FALSE(info->etag.empty());
    // Below one part: one Put Blob; from one part on: blocks, all committed.
    EXPECT_EQ(blocks(key, "committed"), size < part ? 0 : static_cast<int>((size + part - 1) / part));
    const std::string back = get_sequential(key);
    EXPECT_EQ(back.size(), data.size());
    EXPECT_TRUE(back == data);
  }
}

TEST_F(AzureTest, LargeBlobStreamsWithBoundedBuffers) {
  const std::size_t size = quick() ? (20u << 20) : (60u << 20) + 777;
  const std::string data = random_bytes(size, 7);
  auto s = store();
  auto sink = s->open_sink("big.bin");
  ASSERT_TRUE(sink.ok());
  for (std::size_t i = 0; i < size; i += 1 << 20) ASSERT_TRUE((*sink)->write(data.data() + i, std::min<std::size_t>(1 << 20, size - i)).ok());
  auto* mp = dynamic_cast<remote::MultipartSink*>(sink->get());
  ASSERT_NE(mp, nullptr);
  ASSERT_TRUE((*sink)->finish().ok());
  EXPECT_LE(mp->peak_buffer_bytes(), config_.transfer.part_size * (config_.transfer.parts_in_flight + 1));
  EXPECT_EQ(blocks("big.bin", "committed"), static_cast<int>((size + config_.transfer.part_size - 1) / config_.transfer.part_size));
  EXPECT_TRUE(get_sequential("big.bin", 1 << 20) == data);
}

TEST_F(AzureTest, RangedReadsAndCoalescing) {
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
  n = (*src)->read_at(data.size() - 10, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u);
  n = (*src)->read_at(data.size() + 5, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
  const std::uint64_t before = s->requests_sent();
  std::vector<ByteRange> ranges = {{100, 50}, {1000, 10}, {200000, 1000}, {2 << 20, 100}, {10, 5}};
  auto bufs = (*src)->read_ranges(ranges);
  ASSERT_TRUE(bufs.ok()) << bufs.error().to_string();
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    ASSERT_EQ((*bufs)[i]->size(), static_cast<std::int64_t>(ranges[i].length));
    EXPECT_EQ(std::memcmp((*bufs)[i]->data(), data.data() + ranges[i].offset, ranges[i].length), 0) << i;
  }
  EXPECT_EQ(s->requests_sent() - before, 2u);  // [10, 201000) and [2 MiB, +100)
  std::vector<ByteRange> bad = {{data.size() - 5, 10}};
  auto r = (*src)->read_ranges(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find(uri("r.bin")), std::string::npos);
  // Parallel readers of one source.
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::byte> b(300000);
      for (int i = 0; i < 5; ++i) {
        const std::uint64_t off = static_cast<std::uint64_t>((t * 5 + i) * 100000);
        auto got = (*src)->read_at(off, b);
        if (!got.ok() || *got != b.size() || std::memcmp(b.data(), data.data() + off, b.size()) != 0) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(AzureTest, ListedSizeSkipsTheHeadAndAStaleOneFails) {
  const std::string data = random_bytes(70000, 5);
  put("listed.bin", data);
  auto s = store();
  const std::uint64_t before = s->requests_sent();
  auto fresh = s->open_source("listed.bin", data.size());
  ASSERT_TRUE(fresh.ok());
  std::vector<std::byte> all(data.size());
  auto got = (*fresh)->read_at(0, all);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, data.size());
  EXPECT_EQ(std::memcmp(all.data(), data.data(), data.size()), 0);
  EXPECT_EQ(s->requests_sent() - before, 1u);  // the GET alone
  auto stale = s->open_source("listed.bin", data.size() - 1);
  ASSERT_TRUE(stale.ok());
  std::vector<std::byte> head(10);
  auto r = (*stale)->read_at(0, head);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find("changed while it was read"), std::string::npos) << r.error().to_string();
}

TEST_F(AzureTest, ListingPagesAndFolders) {
  config_.transfer.list_page_size = 7;
  auto s = store();
  std::vector<std::string> keys;
  for (int i = 0; i < 23; ++i) keys.push_back("p/a/" + std::to_string(1000 + i) + ".txt");
  keys.push_back("p/b/x.txt");
  keys.push_back("p/sp ace+plus&eq=.txt");
  keys.push_back("p/top.txt");
  keys.push_back("q/other.txt");
  for (const auto& k : keys) put(k, k);
  std::vector<std::string> seen;
  const std::uint64_t before = s->requests_sent();
  ASSERT_TRUE(s->list("p/", true, [&](const ObjectInfo& o) {
                 EXPECT_FALSE(o.is_prefix);
                 EXPECT_EQ(o.size, o.key.size());
                 EXPECT_GT(o.mtime_ms, 1'700'000'000'000);
                 seen.push_back(o.key);
                 return ok_status();
               }).ok());
  EXPECT_EQ(s->requests_sent() - before, 4u);  // 26 blobs, 7 a page
  std::vector<std::string> want(keys.begin(), keys.end() - 1);
  EXPECT_EQ(seen, want);
  seen.clear();
  ASSERT_TRUE(s->list("p/", false, [&](const ObjectInfo& o) {
                 seen.push_back(o.key + (o.is_prefix ? "*" : ""));
                 return ok_status();
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"p/a/*", "p/b/*", "p/sp ace+plus&eq=.txt", "p/top.txt"}));
  seen.clear();
  ASSERT_TRUE(s->list("", false, [&](const ObjectInfo& o) {
                 seen.push_back(o.key + (o.is_prefix ? "*" : ""));
                 return ok_status();
               }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"p/*", "q/*"}));
  // A name with characters that need encoding reads back.
  EXPECT_EQ(get_sequential("p/sp ace+plus&eq=.txt"), "p/sp ace+plus&eq=.txt");
}

TEST_F(AzureTest, AbortAndDestructionLeaveNothing) {
  const std::string data = random_bytes(12 << 20, 5);
  {
    auto sink = open_sink(uri("aborted.bin"), {}, config_);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
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
  // An existing blob stays as it was when an upload over it is abandoned.
  put("kept.bin", "old");
  {
    auto sink = open_sink(uri("kept.bin"), {}, config_);
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
    (*sink)->abort();
  }
  auto s = store();
  for (const char* k : {"aborted.bin", "dropped.bin", "small.bin"}) {
    auto h = s->head(k);
    ASSERT_FALSE(h.ok()) << k;
    EXPECT_EQ(h.error().code(), ErrorCode::kNotFound) << h.error().to_string();
    EXPECT_LE(blocks(k, "committed"), 0) << k;
  }
  EXPECT_EQ(get_sequential("kept.bin"), "old");
  std::vector<std::string> seen;
  ASSERT_TRUE(s->list("", true, [&](const ObjectInfo& o) {
                 seen.push_back(o.key);
                 return ok_status();
               }).ok());
  EXPECT_EQ(seen, std::vector<std::string>{"kept.bin"});
}

// Staging (Sink::stage()): the blocks in the service, uncommitted and unseen, until finish()
// commits them with one Put Block List.
TEST_F(AzureTest, StagedBlobsAreInvisibleUntilFinish) {
  auto s = store();
  const std::size_t part = config_.transfer.part_size;
  for (std::size_t size : {std::size_t{10}, std::size_t{0}, 2 * part + 999}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string data = random_bytes(size, size + 1);
    const std::string key = "staged/blob-" + std::to_string(size) + ".bin";
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
    const int nblocks = static_cast<int>((size + part - 1) / part);  // an empty blob: no block
    EXPECT_LE(blocks(key, "committed"), 0);
    if (nblocks > 0) {
      EXPECT_EQ(blocks(key, "uncommitted"), nblocks);
    }
    auto w = (*sink)->write("x", 1);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code(), ErrorCode::kInvalidArgument);
    st = (*sink)->finish();
    ASSERT_TRUE(st.ok()) << st.error().to_string();
    auto info = s->head(key);
    ASSERT_TRUE(info.ok()) << info.error().to_string();
    EXPECT_EQ(info->size, size);
    EXPECT_EQ(blocks(key, "committed"), nblocks);
    EXPECT_TRUE(get_sequential(key) == data);
  }
}

TEST_F(AzureTest, StagedFinishIsOneRequest) {
  auto s = store();
  auto sink = s->open_sink("one/request.bin");
  ASSERT_TRUE(sink.ok());
  const std::string data = random_bytes((11 << 20) + 5, 31);
  ASSERT_TRUE((*sink)->write(data.data(), data.size()).ok());
  ASSERT_TRUE((*sink)->stage().ok());
  const std::uint64_t before = s->requests_sent();
  ASSERT_TRUE((*sink)->finish().ok());
  EXPECT_EQ(s->requests_sent() - before, 1u);
  EXPECT_TRUE(get_sequential("one/request.bin") == data);
}

TEST_F(AzureTest, AbortOrDestructionAfterStageLeavesNothing) {
  put("kept.bin", "old");
  const std::string data = random_bytes(12 << 20, 5);
  for (std::size_t size : {std::size_t{0}, std::size_t{10}, data.size()}) {
    SCOPED_TRACE("size " + std::to_string(size));
    for (const char* key : {"aborted.bin", "kept.bin"}) {
      auto sink = open_sink(uri(key), {}, config_);
      ASSERT_TRUE(sink.ok());
      if (size) {
        ASSERT_TRUE((*sink)->write(data.data(), size).ok());
      }
      ASSERT_TRUE((*sink)->stage().ok());
      (*sink)->abort();
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
  }
  auto s = store();
  for (const char* k : {"aborted.bin", "dropped.bin"}) {
    auto h = s->head(k);
    ASSERT_FALSE(h.ok()) << k;
    EXPECT_EQ(h.error().code(), ErrorCode::kNotFound) << h.error().to_string();
    EXPECT_LE(blocks(k, "committed"), 0) << k;
  }
  EXPECT_EQ(get_sequential("kept.bin"), "old");
  std::vector<std::string> seen;
  ASSERT_TRUE(s->list("", true, [&](const ObjectInfo& o) {
                 seen.push_back(o.key);
                 return ok_status();
               }).ok());
  EXPECT_EQ(seen, std::vector<std::string>{"kept.bin"});
}

TEST_F(AzureTest, DeleteAndMissingThings) {
  put("gone.txt", "x");
  auto s = store();
  ASSERT_TRUE(s->remove("gone.txt").ok());
  auto h = s->head("gone.txt");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().code(), ErrorCode::kNotFound);
  auto again = s->remove("gone.txt");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(again.error().to_string().find("BlobNotFound"), std::string::npos) << again.error().to_string();
  auto src = open_source(uri("missing/key.csv"), config_);
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(src.error().to_string().find(uri("missing/key.csv")), std::string::npos) << src.error().to_string();
  auto nob = open_source("az://no-such-container/k", config_);
  ASSERT_FALSE(nob.ok());
  EXPECT_EQ(nob.error().code(), ErrorCode::kNotFound);
  auto u = parse_uri("az://no-such-container/");
  ASSERT_TRUE(u.ok());
  auto other = open_store(*u, config_);
  ASSERT_TRUE(other.ok());
  auto st = (*other)->list("", true, [](const ObjectInfo&) { return ok_status(); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(st.error().to_string().find("ContainerNotFound"), std::string::npos) << st.error().to_string();
  auto sink = open_sink("az://no-such-container/k", {}, config_);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->write("abc", 3).ok());
  auto fin = (*sink)->finish();
  ASSERT_FALSE(fin.ok());
  EXPECT_EQ(fin.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(fin.error().to_string().find("ContainerNotFound"), std::string::npos) << fin.error().to_string();
}

TEST_F(AzureTest, WrongKeyFailsOnceAndNeverShowsTheKey) {
  put("k.txt", "hello");
  const std::string wrong = crypto::base64_encode("WRONG-KEY-0123456789-abcdefghijk");
  config_.azure.key = wrong;
  auto s = store();
  const std::uint64_t before = s->requests_sent();
  auto h = s->open_source("k.txt");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(s->requests_sent() - before, 1u);  // a 403 is final: no retry storm
  const std::string text = h.error().to_string();
  EXPECT_NE(text.find("403"), std::string::npos) << text;
  EXPECT_EQ(text.find(wrong), std::string::npos) << text;
  EXPECT_EQ(text.find(key_), std::string::npos) << text;
  // A GET carries the service's XML error: code and message.
  auto sink = open_sink(uri("x.txt"), {}, config_);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->write("abc", 3).ok());
  auto st = (*sink)->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().to_string().find("AuthorizationFailure"), std::string::npos) << st.error().to_string();
  EXPECT_EQ(st.error().to_string().find(wrong), std::string::npos);
}

TEST_F(AzureTest, SasTokenGrantsAccessAndAForgedOneDoesNot) {
  put("sas/in.txt", "through a key");
  const std::string sas = account_sas(account_, key_, "rwdlac", now_secs() + 3600);
  IoConfig c = config_;
  c.azure.key.clear();
  c.azure.sas_token = "?" + sas;
  auto u = parse_uri(uri(""));
  ASSERT_TRUE(u.ok());
  auto s = open_store(*u, c);
  ASSERT_TRUE(s.ok());
  auto src = (*s)->open_source("sas/in.txt");
  ASSERT_TRUE(src.ok()) << src.error().to_string();
  std::vector<std::byte> buf(100);
  auto n = (*src)->read_at(0, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), *n), "through a key");
  const std::string big = random_bytes((5 << 20) + 3, 9);
  auto sink = (*s)->open_sink("sas/out.bin");
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->write(big.data(), big.size()).ok());
  auto st = (*sink)->finish();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_TRUE(get_sequential("sas/out.bin") == big);
  std::vector<std::string> seen;
  ASSERT_TRUE((*s)->list("sas/", true, [&](const ObjectInfo& o) {
                  seen.push_back(o.key);
                  return ok_status();
                }).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"sas/in.txt", "sas/out.bin"}));
  ASSERT_TRUE((*s)->remove("sas/out.bin").ok());
  // Read-only SAS: writing is refused.
  c.azure.sas_token = account_sas(account_, key_, "rl", now_secs() + 3600);
  auto ro = open_sink(uri("sas/denied.txt"), {}, c);
  ASSERT_TRUE(ro.ok());
  ASSERT_TRUE((*ro)->write("x", 1).ok());
  auto denied = (*ro)->finish();
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().to_string().find("403"), std::string::npos) << denied.error().to_string();
  // Forged (signed with another key) and expired: 403, and the signature never in the message.
  const std::string forged = account_sas(account_, crypto::base64_encode("another key entirely, 32 bytes!!"), "rl", now_secs() + 3600);
  c.azure.sas_token = forged;
  auto f = open_source(uri("sas/in.txt"), c);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().to_string().find("403"), std::string::npos) << f.error().to_string();
  const std::string sig = forged.substr(forged.find("&sig=") + 5);
  EXPECT_EQ(f.error().to_string().find(sig), std::string::npos) << f.error().to_string();
  EXPECT_EQ(f.error().to_string().find("sig="), std::string::npos) << f.error().to_string();
  c.azure.sas_token = account_sas(account_, key_, "rl", now_secs() - 60);
  auto expired = open_source(uri("sas/in.txt"), c);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().to_string().find("403"), std::string::npos) << expired.error().to_string();
}

TEST_F(AzureTest, ConnectionStringFromTheEnvironment) {
  put("cs.txt", "via connection string");
  IoConfig c;
  c.transfer = config_.transfer;
  ::setenv("AZURE_STORAGE_CONNECTION_STRING",
           ("DefaultEndpointsProtocol=http;AccountName=" + account_ + ";AccountKey=" + key_ + ";BlobEndpoint=" + endpoint_ + ";").c_str(), 1);
  auto src = open_source(uri("cs.txt"), c);
  ::unsetenv("AZURE_STORAGE_CONNECTION_STRING");
  ASSERT_TRUE(src.ok()) << src.error().to_string();
  std::vector<std::byte> buf(100);
  auto n = (*src)->read_at(0, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), *n), "via connection string");
}

}  // namespace
}  // namespace sluice::io
