// JWT at the edge and rate limits: the gateway verifies access tokens with
// keys fetched from a real auth upstream (`orderly serve`'s JWKS), passes the
// verified user upstream in X-Orderly-User (never roles, which need auth's
// token-version check), always strips X-Orderly-User and X-Orderly-Roles from
// what clients send, and answers 429 over a route's limit.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "net/http_server.hpp"
#include "support/api_client.hpp"
#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// An upstream that answers every route with the headers it received, as JSON.
class EchoUpstream {
 public:
  EchoUpstream() : server_(1, limits_, metrics_, clock_), pipeline_(router_) {
    for (const auto* path : {"/private", "/public", "/limited"}) {
      router_.add("GET", path, [](net::RequestContext&, net::Request& request) -> asio::awaitable<net::Response> {
        boost::json::object headers;
        for (const auto& [name, value] : request.headers) headers[name] = value;
        co_return net::Response::json(200, boost::json::serialize(headers));
      });
    }
    server_.add_listener("listen", {"127.0.0.1", 0}, pipeline_, true);
    server_.start();
  }
  ~EchoUpstream() { server_.drain(0ms); }
  [[nodiscard]] std::uint16_t port() const { return server_.bound_address("listen").port; }

 private:
  core::HttpConfig limits_;
  core::metrics::Registry metrics_;
  core::SystemClock clock_;
  net::Router router_;
  net::HttpServer server_;
  net::Pipeline pipeline_;
};

class GatewayEdge : public ::testing::Test {
 protected:
  void SetUp() override {
    OrderlyProcess::Options with_admin;
    with_admin.environment = {admin_password_environment()};
    with_admin.extra_args = {"--set", "auth.key_reload_interval=300ms"};
    auth_ = std::make_unique<OrderlyProcess>(with_admin);
    char folder[] = "/tmp/orderly-gateway-edge-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    std::ofstream(folder_ + "/gateway.yaml") << "listeners: [{address: 127.0.0.1:0}]\n"
                                                "ops_listen: 127.0.0.1:0\n"
                                                "auth: {jwks_upstream: auth, min_refetch_interval: 100ms}\n"
                                                "upstreams:\n"
                                                "  auth: {instances: [127.0.0.1:"
                                             << auth_->port()
                                             << "]}\n"
                                                "  echo: {instances: [127.0.0.1:"
                                             << echo_.port()
                                             << "]}\n"
                                                "routes:\n"
                                                "  - {match: {prefix: /api/v1/auth}, upstream: auth}\n"
                                                "  - {match: {prefix: /private}, upstream: echo, auth: required}\n"
                                                "  - {match: {prefix: /public}, upstream: echo}\n"
                                                "  - match: {prefix: /limited}\n"
                                                "    upstream: echo\n"
                                                "    rate_limit: {name: limited-demo, limit: 3, window: 1m, key: client}\n";
    OrderlyProcess::Options options;
    options.args = {"gateway", "--config", folder_ + "/gateway.yaml", "--threads", "2"};
    gateway_ = std::make_unique<OrderlyProcess>(options);
    ASSERT_TRUE(gateway_->wait_for_line("\"event\":\"gateway.jwks_fetched\"", 10s).has_value())
        << "the gateway fetches the auth service's keys at start";
  }
  void TearDown() override {
    gateway_.reset();
    auth_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  boost::json::object echoed(std::string_view target, std::string_view token,
                             std::vector<std::pair<std::string, std::string>> extra = {}) {
    const auto response = api_request(gateway_->port(), "GET", target, {}, token, std::move(extra));
    EXPECT_EQ(response.status, 200) << response.body;
    const auto body = json_of(response);
    return body.is_object() ? body.as_object() : boost::json::object{};
  }

  EchoUpstream echo_;
  std::unique_ptr<OrderlyProcess> auth_;
  std::unique_ptr<OrderlyProcess> gateway_;
  std::string folder_;
};

TEST_F(GatewayEdge, AVerifiedTokenReachesTheUpstreamAsUserAndRolesAndForgedHeadersNever) {
  // Log in through the gateway itself (the auth route needs no token).
  const auto admin = admin_session(gateway_->port());
  ASSERT_FALSE(admin.access_token.empty());

  const std::vector<std::pair<std::string, std::string>> forged = {{"X-Orderly-User", "usr_attacker"},
                                                                   {"X-Orderly-Roles", "admin"}};
  const auto seen = echoed("/private", admin.access_token, forged);
  EXPECT_EQ(seen.at("X-Orderly-User").as_string(), admin.user_id);
  EXPECT_EQ(seen.find("X-Orderly-Roles"), seen.end()) << "roles from a token no version check has seen are not sent";
  EXPECT_EQ(seen.find("x-orderly-user"), seen.end()) << "the forged copy is gone, not sent beside ours";

  const auto anonymous = echoed("/public", {}, forged);
  EXPECT_EQ(anonymous.find("X-Orderly-User"), anonymous.end());
  EXPECT_EQ(anonymous.find("X-Orderly-Roles"), anonymous.end());

  EXPECT_EQ(api_request(gateway_->port(), "GET", "/private").status, 401);
  EXPECT_EQ(api_request(gateway_->port(), "GET", "/private", {}, "not.a.token").status, 401);
  auto tampered = admin.access_token;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(api_request(gateway_->port(), "GET", "/private", {}, tampered).status, 401);
}

// Issue 16: the gateway's own admin route refused every token (its pipeline
// verified none).
TEST_F(GatewayEdge, TheUpstreamsRouteAcceptsAValidAdminToken) {
  const auto admin = admin_session(gateway_->port());
  ASSERT_FALSE(admin.access_token.empty());
  const auto listed = api_request(gateway_->port(), "GET", "/api/v1/admin/upstreams", {}, admin.access_token);
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_TRUE(json_of(listed).is_object() || json_of(listed).is_array()) << listed.body;

  const auto customer = new_customer(gateway_->port());
  EXPECT_EQ(api_request(gateway_->port(), "GET", "/api/v1/admin/upstreams", {}, customer.access_token).status, 403);
  EXPECT_EQ(api_request(gateway_->port(), "GET", "/api/v1/admin/upstreams").status, 401);
}

TEST_F(GatewayEdge, AKeyRotatedAfterStartIsFetchedOnItsFirstToken) {
  // A new signing key on the auth service: its tokens carry a kid the
  // gateway has not seen; one refetch later they pass.
  const auto header_of = [](const std::string& token) { return token.substr(0, token.find('.')); };
  const auto first = header_of(admin_session(gateway_->port()).access_token);
  const std::string binary = std::getenv("E2E_ORDERLY_BINARY");
  const auto command = binary + " keys rotate --data-dir " + auth_->data_dir() + "/data >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  // The auth service reloads its key ring every 300 ms here; then its tokens
  // are signed with the new key (the header, which names the kid, changes).
  const auto auth_keys = [&] {
    const auto jwks = http_get(auth_->port(), "/.well-known/jwks.json");
    return jwks ? boost::json::parse(jwks->body).at("keys").as_array().size() : 0;
  };
  for (int i = 0; i < 100 && auth_keys() < 2; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(auth_keys(), 2U);
  const auto admin = admin_session(gateway_->port());
  ASSERT_NE(header_of(admin.access_token), first);
  const bool passed = api_request(gateway_->port(), "GET", "/private", {}, admin.access_token).status == 200;
  EXPECT_TRUE(passed);
  int fetches = 0;
  std::int64_t keys = 0;
  const auto count_fetches = [&] {
    fetches = 0;
    for (const auto& line : gateway_->stdout_lines()) {
      if (line.find("\"event\":\"gateway.jwks_fetched\"") == std::string::npos) continue;
      ++fetches;
      keys = boost::json::parse(line).at("keys").as_int64();
    }
    return fetches;
  };
  // The test's reader thread may not have taken the refetch's log line off
  // the pipe yet (a loaded machine): poll, bounded.
  for (int i = 0; i < 100 && count_fetches() < 2; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(fetches, 2) << "one fetch at start, one for the new kid (the routine refresh is minutes away)";
  EXPECT_EQ(keys, 2) << "the old key keeps verifying beside the new one";
}

TEST_F(GatewayEdge, ARouteOverItsLimitAnswers429WithRateLimitHeaders) {
  for (int i = 0; i < 3; ++i) {
    const auto allowed = api_request(gateway_->port(), "GET", "/limited");
    EXPECT_EQ(allowed.status, 200);
    EXPECT_EQ(allowed.header("RateLimit-Policy"), "\"limited-demo\";q=3;w=60");
  }
  const auto refused = api_request(gateway_->port(), "GET", "/limited");
  EXPECT_EQ(refused.status, 429);
  EXPECT_TRUE(refused.header("Retry-After").has_value());
  EXPECT_TRUE(refused.header("RateLimit").has_value());
  EXPECT_EQ(api_request(gateway_->port(), "GET", "/public").status, 200) << "other routes are not limited";
}

}  // namespace
}  // namespace orderly::testing
