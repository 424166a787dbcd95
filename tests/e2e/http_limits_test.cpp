// http.max_connections on the real server: past the limit a new connection is
// closed at once (and counted) while the open ones keep being served; a
// connection that closes frees its place.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

// The value of an unlabelled series on the ops port's /metrics, or -1.
double metric(const OrderlyProcess& server, const std::string& name) {
  const auto response = http_get(server.ops_port(), "/metrics");
  if (!response) return -1;
  const auto at = response->body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(response->body.substr(at + name.size() + 2));
}

TEST(HttpLimits, PastMaxConnectionsANewConnectionIsClosedAtOnce) {
  OrderlyProcess server({.extra_args = {"--set", "http.max_connections=2"}});
  std::vector<std::unique_ptr<HttpConnection>> open;
  for (int i = 0; i < 2; ++i) {
    open.push_back(std::make_unique<HttpConnection>(server.port()));
    const auto answer = open.back()->request("GET", "/healthz");
    ASSERT_TRUE(answer.has_value()) << "connection " << i;
    ASSERT_EQ(answer->status, 200);
  }

  HttpConnection third(server.port());
  (void)third.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(third.wait_closed(5s)) << "the third connection is closed, not served";
  for (auto& connection : open) {
    const auto answer = connection->request("GET", "/healthz");
    ASSERT_TRUE(answer.has_value()) << "the open connections are still served";
    EXPECT_EQ(answer->status, 200);
  }

  open.pop_back();  // closes one: its place is free once the server has seen it go
  EXPECT_TRUE(eventually(
      [&] {
        HttpConnection again(server.port());
        const auto answer = again.request("GET", "/healthz");
        return answer && answer->status == 200;
      },
      10s));
  // Read below the limit: the ops listener counts against http.max_connections too.
  open.clear();
  EXPECT_TRUE(eventually([&] { return metric(server, "orderly_http_connections_refused_total") >= 1; }, 10s));
}

}  // namespace
}  // namespace orderly::testing
