#include "gateway/static_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "gateway/gateway.hpp"

namespace orderly::gateway {
namespace {

namespace fs = std::filesystem;

std::string gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(64 * 1024, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-static-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    base_ = folder;
    fs::create_directories(base_ / "web" / "css");
    std::ofstream(base_ / "web" / "index.html") << "<html>" << std::string(2000, 'x') << "</html>";
    std::ofstream(base_ / "web" / "css" / "site.css") << "body{}";
    std::ofstream(base_ / "secret.txt") << "outside the root";
    fs::create_symlink(base_ / "secret.txt", base_ / "web" / "escape.txt");
    route_.type = RouteType::static_files;
    route_.path_prefix = "/";
    route_.static_root = (base_ / "web").string();
  }
  void TearDown() override { fs::remove_all(base_); }

  net::Response get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::Request request;
    request.method = "GET";
    request.path = std::move(path);
    for (auto& [name, value] : headers) request.headers.add(name, value);
    return serve_static(route_, request);
  }

  fs::path base_;
  RouteConfig route_;
};

TEST_F(StaticFiles, ServesAFileWithTypeETagAndCacheControl) {
  const auto response = get("/css/site.css");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "body{}");
  EXPECT_EQ(response.headers.get("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(response.headers.get("Cache-Control"), "public, max-age=300");
  EXPECT_TRUE(response.headers.get("ETag").has_value());
  EXPECT_EQ(get("/").status, 200) << "a folder serves its index.html";
}

TEST_F(StaticFiles, AMatchingIfNoneMatchGets304WithoutABody) {
  const auto first = get("/css/site.css");
  const auto again = get("/css/site.css", {{"If-None-Match", std::string(*first.headers.get("ETag"))}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST_F(StaticFiles, CompressesTextForClientsThatAcceptGzip) {
  const auto plain = get("/index.html");
  const auto zipped = get("/index.html", {{"Accept-Encoding", "br, gzip"}});
  EXPECT_EQ(zipped.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.headers.get("Vary"), "Accept-Encoding");
  EXPECT_LT(zipped.body.size(), plain.body.size());
  EXPECT_EQ(gunzip(zipped.body), plain.body);
  EXPECT_NE(zipped.headers.get("ETag"), plain.headers.get("ETag")) << "two representations, two tags";
}

TEST_F(StaticFiles, NothingOutsideTheRootIsServed) {
  EXPECT_EQ(get("/../secret.txt").status, 404);
  EXPECT_EQ(get("/%2e%2e/secret.txt").status, 404);
  EXPECT_EQ(get("/css/%2E%2E/%2e%2e/secret.txt").status, 404);
  EXPECT_EQ(get("/escape.txt").status, 404) << "a symlink pointing out of the root";
  EXPECT_EQ(get("/missing.css").status, 404);
  EXPECT_EQ(get("/index.html%00.css").status, 404);
  // The gateway refuses dot segments before a route sees them (400), as a second wall.
  EXPECT_TRUE(has_dot_segment("/%2e%2e/secret.txt"));
}

TEST_F(StaticFiles, OnlyGetAndHead) {
  net::Request request;
  request.method = "POST";
  request.path = "/index.html";
  EXPECT_EQ(serve_static(route_, request).status, 405);
}

TEST_F(StaticFiles, EveryAnswerCarriesThePageSecurityHeaders) {
  const auto first = get("/index.html");
  const auto again = get("/index.html", {{"If-None-Match", std::string(*first.headers.get("ETag"))}});
  for (const auto* response : {&first, &again}) {
    EXPECT_EQ(response->headers.get("Content-Security-Policy"), std::string(kContentSecurityPolicy));
    EXPECT_EQ(response->headers.get("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(response->headers.get("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(response->headers.get("X-Frame-Options"), "DENY");
  }
  const std::string_view policy = kContentSecurityPolicy;
  EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string_view::npos);
  EXPECT_EQ(policy.find("unsafe-inline"), std::string_view::npos);
  EXPECT_EQ(policy.find("unsafe-eval"), std::string_view::npos);
}

TEST_F(StaticFiles, FingerprintedFilesAreCachedForAYearAndPagesAreRevalidated) {
  std::ofstream(base_ / "web" / "css" / "site.0123abcd.css") << "body{}";
  EXPECT_EQ(get("/css/site.0123abcd.css").headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(get("/index.html").headers.get("Cache-Control"), "no-cache");
  EXPECT_EQ(get("/").headers.get("Cache-Control"), "no-cache") << "the folder's index.html";
  EXPECT_EQ(get("/css/site.css").headers.get("Cache-Control"), "public, max-age=300");
}

TEST(Fingerprint, OnlyAHexHashBetweenTwoDotsCounts) {
  EXPECT_TRUE(is_fingerprinted("app.3f9a1c2e.js"));
  EXPECT_TRUE(is_fingerprinted("vendor.chart.0123456789abcdef0123.js"));
  EXPECT_FALSE(is_fingerprinted("app.js"));
  EXPECT_FALSE(is_fingerprinted("app.3f9a1c2.js")) << "7 digits: too short to be a content hash";
  EXPECT_FALSE(is_fingerprinted("app.3F9A1C2E.js")) << "lower-case hex only";
  EXPECT_FALSE(is_fingerprinted("app.deadbeefzz.js"));
  EXPECT_FALSE(is_fingerprinted(".3f9a1c2e.js"));
  EXPECT_FALSE(is_fingerprinted("3f9a1c2e"));
}

}  // namespace
}  // namespace orderly::gateway
