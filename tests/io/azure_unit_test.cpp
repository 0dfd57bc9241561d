// Azure Blob without a server: connection strings, where the endpoint and the credentials come from,
// the SharedKey string-to-sign, the signers, block ids, List Blobs pages.
#include <gtest/gtest.h>

#include <map>

#include "azure_internal.hpp"
#include "crypto.hpp"
#include "sluice/io/uri.hpp"

namespace sluice::io::azure {
namespace {

const std::string kKeyB64 = crypto::base64_encode("0123456789abcdef0123456789abcdef");

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

Uri uri(const std::string& text) {
  auto u = parse_uri(text);
  EXPECT_TRUE(u.ok()) << text;
  return u.ok() ? *u : Uri{};
}

TEST(AzureConnectionString, ParsesTheFieldsItUses) {
  auto cs = parse_connection_string(
      "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + kKeyB64 +
      ";EndpointSuffix=core.chinacloudapi.cn;QueueEndpoint=https://q.example;");
  ASSERT_TRUE(cs.ok()) << cs.error().to_string();
  EXPECT_EQ(cs->account_name, "acct");
  EXPECT_EQ(cs->account_key, kKeyB64);  // '=' inside a value is kept
  EXPECT_EQ(cs->protocol, "https");
  EXPECT_EQ(cs->endpoint_suffix, "core.chinacloudapi.cn");
  EXPECT_TRUE(cs->blob_endpoint.empty());
  EXPECT_FALSE(cs->development_storage);
}

TEST(AzureConnectionString, NamesAreCaseInsensitiveAndSasLosesItsQuestionMark) {
  auto cs = parse_connection_string(" blobendpoint = https://acct.blob.core.windows.net/ ; sharedaccesssignature=?sv=2019-12-12&sig=a%2Bb%3D");
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->blob_endpoint, "https://acct.blob.core.windows.net/");
  EXPECT_EQ(cs->sas, "sv=2019-12-12&sig=a%2Bb%3D");
  // A SAS-only string names no account: the endpoint's host does.
  AzureConfig c;
  c.connection_string = "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=x";
  auto s = resolve_settings(uri("az://data/x"), c, env_of({}));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->account, "acct");
  EXPECT_EQ(s->endpoint, "https://acct.blob.core.windows.net");
  EXPECT_EQ(s->credentials.kind, AuthKind::kSas);
}

TEST(AzureConnectionString, DevelopmentStorageMeansAzurite) {
  auto cs = parse_connection_string("UseDevelopmentStorage=true");
  ASSERT_TRUE(cs.ok());
  EXPECT_TRUE(cs->development_storage);
  EXPECT_EQ(cs->account_name, "devstoreaccount1");
  EXPECT_EQ(cs->account_key, kDevKey);
  EXPECT_EQ(cs->blob_endpoint, "http://127.0.0.1:10000/devstoreaccount1");
}

TEST(AzureConnectionString, ErrorsNeverQuoteTheString) {
  auto cs = parse_connection_string("AccountName=acct;AccountKey=" + kKeyB64 + ";BlobEndpoint");
  ASSERT_FALSE(cs.ok());
  EXPECT_EQ(cs.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(cs.error().message().find("field 3"), std::string::npos) << cs.error().message();
  EXPECT_EQ(cs.error().message().find(kKeyB64.substr(0, 12)), std::string::npos) << cs.error().message();
  EXPECT_FALSE(parse_connection_string("DefaultEndpointsProtocol=ftp").ok());
}

TEST(AzureSettings, AccountAndKeyFromTheEnvironment) {
  auto s = resolve_settings(uri("az://data/x.csv"), {}, env_of({{"AZURE_STORAGE_ACCOUNT", "acct"}, {"AZURE_STORAGE_KEY", kKeyB64}}));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->endpoint, "https://acct.blob.core.windows.net");
  EXPECT_EQ(s->account, "acct");
  EXPECT_EQ(s->credentials.kind, AuthKind::kSharedKey);
  EXPECT_EQ(s->credentials.key, "0123456789abcdef0123456789abcdef");
}

TEST(AzureSettings, ConnectionStringBeatsAccountAndKeyVariables) {
  auto s = resolve_settings(uri("az://data/x.csv"), {},
                            env_of({{"AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"},
                                    {"AZURE_STORAGE_ACCOUNT", "other"},
                                    {"AZURE_STORAGE_KEY", kKeyB64}}));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(s->account, "devstoreaccount1");
  EXPECT_EQ(s->credentials.kind, AuthKind::kSharedKey);
  EXPECT_EQ(crypto::base64_encode(s->credentials.key), kDevKey);
}

TEST(AzureSettings, ProtocolAndSuffixMakeTheEndpoint) {
  AzureConfig c;
  c.connection_string = "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" + kKeyB64 + ";EndpointSuffix=core.chinacloudapi.cn";
  auto s = resolve_settings(uri("az://data/x"), c, env_of({}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->endpoint, "http://acct.blob.core.chinacloudapi.cn");
}

TEST(AzureSettings, PathStyleEndpointGivesTheAccount) {
  AzureConfig c;
  c.endpoint_url = "http://127.0.0.1:10000/devstoreaccount1/";
  c.key = std::string(kDevKey);
  auto s = resolve_settings(uri("az://data/x"), c, env_of({}));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->endpoint, "http://127.0.0.1:10000/devstoreaccount1");
  EXPECT_EQ(s->account, "devstoreaccount1");
  // An emulator address without a path gets the account appended.
  c.endpoint_url = "http://localhost:10000";
  s = resolve_settings(uri("az://data/x"), c, env_of({{"AZURE_STORAGE_ACCOUNT", "devstoreaccount1"}}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->endpoint, "http://localhost:10000/devstoreaccount1");
  c.endpoint_url = "ftp://x";
  EXPECT_FALSE(resolve_settings(uri("az://data/x"), c, env_of({})).ok());
}

TEST(AzureSettings, AbfsUriNamesAccountAndHost) {
  auto s = resolve_settings(uri("abfss://data@acct.dfs.core.windows.net/dir/x.parquet"), {},
                            env_of({{"AZURE_STORAGE_ACCOUNT", "other"}, {"AZURE_STORAGE_SAS_TOKEN", "?sv=1&sig=abc"}}));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(s->account, "acct");
  EXPECT_EQ(s->endpoint, "https://acct.blob.core.windows.net");
  EXPECT_EQ(s->credentials.kind, AuthKind::kSas);
  EXPECT_EQ(s->credentials.sas, "sv=1&sig=abc");
}

TEST(AzureSettings, ConfigurationBeatsEnvironment) {
  AzureConfig c;
  c.account = "mine";
  c.bearer_token = "TOKEN";
  auto s = resolve_settings(uri("az://data/x"), c, env_of({{"AZURE_STORAGE_ACCOUNT", "other"}, {"AZURE_STORAGE_KEY", kKeyB64}}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->account, "mine");
  EXPECT_EQ(s->credentials.kind, AuthKind::kBearer);
  // No credentials at all: anonymous (public containers).
  s = resolve_settings(uri("az://data/x"), {}, env_of({{"AZURE_STORAGE_ACCOUNT", "acct"}}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->credentials.kind, AuthKind::kAnonymous);
}

TEST(AzureSettings, MissingAccountAndBadKeyAreClearErrors) {
  auto s = resolve_settings(uri("az://data/x"), {}, env_of({}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("AZURE_STORAGE_ACCOUNT"), std::string::npos);
  AzureConfig c;
  c.account = "acct";
  c.key = "not base64 SECRETISH!";
  s = resolve_settings(uri("az://data/x"), c, env_of({}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message().find("SECRETISH"), std::string::npos) << s.error().message();
}

// The string-to-sign of the documentation's layout, built by hand for one request.
TEST(AzureSharedKey, StringToSignFollowsTheDocumentedLayout) {
  http::Request r;
  r.method = "GET";
  r.url = "http://127.0.0.1:10000/devstoreaccount1/data?restype=container&comp=list&prefix=a%2Fb%20c&maxresults=7&Marker=2%21x";
  r.headers = {{"x-ms-version", "2021-08-06"}, {"X-MS-Date", "Sun, 06 Nov 1994 08:49:37 GMT"}, {"x-ms-meta-a", "  two   words "}};
  const std::string want =
      "GET\n\n\n\n\n\n\n\n\n\n\n\n"
      "x-ms-date:Sun, 06 Nov 1994 08:49:37 GMT\n"
      "x-ms-meta-a:two words\n"
      "x-ms-version:2021-08-06\n"
      "/devstoreaccount1/devstoreaccount1/data\n"
      "comp:list\n"
      "marker:2!x\n"
      "maxresults:7\n"
      "prefix:a/b c\n"
      "restype:container";
  EXPECT_EQ(string_to_sign(r, "devstoreaccount1"), want);
}

TEST(AzureSharedKey, BodyHeadersAndEmptyLength) {
  const std::string body = "hello";
  http::Request r;
  r.method = "PUT";
  r.url = "https://acct.blob.core.windows.net/c/dir/a%20b.txt?comp=block&blockid=MDAwMDAx";
  r.body = std::as_bytes(std::span(body.data(), body.size()));
  r.headers = {{"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="}, {"x-ms-version", "2021-08-06"}, {"x-ms-range", "bytes=0-9"}};
  EXPECT_EQ(string_to_sign(r, "acct"),
            "PUT\n\n\n5\nXUFAKrxLKna5cZ2REBfFkg==\n\n\n\n\n\n\n\n"
            "x-ms-range:bytes=0-9\nx-ms-version:2021-08-06\n"
            "/acct/c/dir/a%20b.txt\nblockid:MDAwMDAx\ncomp:block");
  r.body = {};
  r.headers = {{"Content-Length", "0"}, {"Content-Type", "application/xml"}, {"If-None-Match", "*"}, {"Range", "bytes=1-2"}};
  EXPECT_EQ(string_to_sign(r, "acct"),
            "PUT\n\n\n\n\napplication/xml\n\n\n\n*\n\nbytes=1-2\n/acct/c/dir/a%20b.txt\nblockid:MDAwMDAx\ncomp:block");
}

TEST(AzureSharedKey, AuthorizationIsHmacOfTheStringToSign) {
  http::Request r;
  r.method = "HEAD";
  r.url = "https://acct.blob.core.windows.net/c/k";
  r.headers = {{"x-ms-version", "2021-08-06"}, {"x-ms-date", "Sun, 06 Nov 1994 08:49:37 GMT"}};
  const std::string key = "0123456789abcdef";
  const auto mac = crypto::hmac_sha256(key, string_to_sign(r, "acct"));
  EXPECT_EQ(shared_key_authorization(r, "acct", key),
            "SharedKey acct:" + crypto::base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size())));
}

TEST(AzureSigner, EachKindAuthorisesItsWay) {
  auto base = [] {
    http::Request r;
    r.method = "GET";
    r.url = "https://acct.blob.core.windows.net/c/k";
    r.headers = {{"x-ms-version", std::string(kServiceVersion)}};
    return r;
  };
  Credentials bearer{AuthKind::kBearer, "acct", "", "", "TOKEN123"};
  auto r = base();
  ASSERT_TRUE(make_signer(bearer)(r).ok());
  EXPECT_EQ(http::find_header(r.headers, "authorization").value_or(""), "Bearer TOKEN123");
  EXPECT_TRUE(http::find_header(r.headers, "x-ms-date").has_value());
  EXPECT_EQ(r.url, "https://acct.blob.core.windows.net/c/k");

  Credentials sas{AuthKind::kSas, "acct", "", "sv=2019-12-12&sig=abc%2B", ""};
  r = base();
  ASSERT_TRUE(make_signer(sas)(r).ok());
  EXPECT_EQ(r.url, "https://acct.blob.core.windows.net/c/k?sv=2019-12-12&sig=abc%2B");
  EXPECT_FALSE(http::find_header(r.headers, "authorization").has_value());
  r = base();
  r.url += "?comp=list";
  ASSERT_TRUE(make_signer(sas)(r).ok());
  EXPECT_EQ(r.url, "https://acct.blob.core.windows.net/c/k?comp=list&sv=2019-12-12&sig=abc%2B");
  EXPECT_EQ(http::redact_url(r.url).find("sig"), std::string::npos);

  Credentials shared{AuthKind::kSharedKey, "acct", "0123456789abcdef", "", ""};
  r = base();
  ASSERT_TRUE(make_signer(shared)(r).ok());
  auto auth = http::find_header(r.headers, "authorization");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(std::string(*auth), shared_key_authorization(r, "acct", "0123456789abcdef"));

  Credentials anon{AuthKind::kAnonymous, "acct", "", "", ""};
  r = base();
  ASSERT_TRUE(make_signer(anon)(r).ok());
  EXPECT_FALSE(http::find_header(r.headers, "authorization").has_value());
}

TEST(AzureBlocks, IdsHaveOneLengthAndDiffer) {
  EXPECT_EQ(block_id(1), "MDAwMDAx");
  const std::size_t len = block_id(1).size();
  for (int n : {2, 999, 1000, 49999, 50000, 999999}) {
    EXPECT_EQ(block_id(n).size(), len) << n;
    EXPECT_NE(block_id(n), block_id(n - 1));
  }
}

TEST(AzureDates, HttpDate) {
  EXPECT_EQ(http_date(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(1772323200000), "Sun, 01 Mar 2026 00:00:00 GMT");
}

TEST(AzureList, ParsesBlobsPrefixesAndMarker) {
  const std::string body = R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c">
  <Prefix>p/</Prefix><MaxResults>3</MaxResults><Delimiter>/</Delimiter>
  <Blobs>
    <Blob><Name>p/a&amp;b.txt</Name><Properties><Creation-Time>Sun, 06 Nov 1994 08:49:37 GMT</Creation-Time>
      <Last-Modified>Sun, 06 Nov 1994 08:49:37 GMT</Last-Modified><Etag>0x8D</Etag>
      <Content-Length>12345</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>
    <BlobPrefix><Name>p/dir/</Name></BlobPrefix>
  </Blobs>
  <NextMarker>2!88!MDAw</NextMarker>
</EnumerationResults>)";
  auto page = parse_list_page(body);
  ASSERT_TRUE(page.ok()) << page.error().to_string();
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].key, "p/a&b.txt");
  EXPECT_EQ(page->entries[0].size, 12345u);
  EXPECT_EQ(page->entries[0].mtime_ms, 784111777000);
  EXPECT_EQ(page->entries[0].etag, "0x8D");
  EXPECT_FALSE(page->entries[0].is_prefix);
  EXPECT_EQ(page->entries[1].key, "p/dir/");
  EXPECT_TRUE(page->entries[1].is_prefix);
  EXPECT_EQ(page->next_marker, "2!88!MDAw");
}

TEST(AzureList, RejectsWhatIsNotAListing) {
  EXPECT_FALSE(parse_list_page("<Error><Code>X</Code></Error>").ok());
  EXPECT_FALSE(parse_list_page("not xml").ok());
  EXPECT_FALSE(parse_list_page("<EnumerationResults><Blobs><Blob><Properties/></Blob></Blobs></EnumerationResults>").ok());
  EXPECT_FALSE(parse_list_page("<EnumerationResults><Blobs><Blob><Name>a</Name><Properties><Content-Length>-1</Content-Length>"
                               "</Properties></Blob></Blobs></EnumerationResults>").ok());
  auto empty = parse_list_page("<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries.empty());
  EXPECT_TRUE(empty->next_marker.empty());
}

TEST(AzurePercent, Decode) {
  EXPECT_EQ(percent_decode("a%2Fb%20c+d%zz%4"), "a/b c+d%zz%4");
}

}  // namespace
}  // namespace sluice::io::azure
