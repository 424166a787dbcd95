#include "gateway/web_files_middleware.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/run_sync.hpp"
#include "gateway/static_files.hpp"

namespace orderly::gateway {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

class WebFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-web-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    root_ = folder;
    std::ofstream(root_ / "index.html") << "<!doctype html><title>shop</title>";
    fs::create_directories(root_ / "js");
    std::ofstream(root_ / "js" / "app.js") << "export {};";
    router_.add("GET", "/api/v1/products", [](net::RequestContext&, net::Request&) -> asio::awaitable<net::Response> {
      co_return net::Response::json(200, "[]");
    });
    pipeline_.use(std::make_shared<WebFilesMiddleware>(root_.string(), std::chrono::seconds(60)));
  }
  void TearDown() override { fs::remove_all(root_); }

  net::Response send(std::string method, std::string path) {
    net::RequestContext context;
    net::Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    const auto match = router_.match(request.method, request.path);
    context.route = match.route;
    context.allow = match.allow;
    return core::run_sync(pipeline_.run(context, request));
  }

  fs::path root_;
  net::Router router_;
  net::Pipeline pipeline_{router_};
};

TEST_F(WebFiles, ServesThePageAtTheRootWithTheSecurityHeaders) {
  const auto page = send("GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><title>shop</title>");
  EXPECT_EQ(page.headers.get("Content-Security-Policy"), std::string(kContentSecurityPolicy));
  EXPECT_EQ(page.headers.get("Cache-Control"), "no-cache");
  const auto script = send("GET", "/js/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.headers.get("Cache-Control"), "public, max-age=60");
}

TEST_F(WebFiles, ApiRoutesAndUnknownApiPathsAreNotPages) {
  EXPECT_EQ(send("GET", "/api/v1/products").body, "[]") << "a matched route runs its handler";
  const auto unknown = send("GET", "/api/v1/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(send("GET", "/internal/v1/jwks").status, 404);
  EXPECT_FALSE(send("GET", "/internal/v1/jwks").headers.get("Content-Security-Policy").has_value());
}

TEST_F(WebFiles, OnlyGetAndHeadOfUnmatchedPathsAndNeverOutsideTheRoot) {
  EXPECT_EQ(send("POST", "/index.html").status, 404) << "not a page request: the pipeline's 404";
  EXPECT_EQ(send("HEAD", "/index.html").status, 200);
  EXPECT_EQ(send("POST", "/api/v1/products").status, 405) << "the route's Allow, not a file";
  EXPECT_EQ(send("GET", "/../etc/passwd").status, 404);
  EXPECT_EQ(send("GET", "/%2e%2e/etc/passwd").status, 404);
  EXPECT_EQ(send("GET", "/missing.js").status, 404);
}

}  // namespace
}  // namespace orderly::gateway
