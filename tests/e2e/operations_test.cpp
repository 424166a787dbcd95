// The operations surface: /metrics in Prometheus format (checked by promtool),
// RED metrics per route template, /healthz and /readyz on both listeners.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

TEST(Operations, MetricsPassPromtoolAndCountRequestsByRouteTemplate) {
  OrderlyProcess server;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(http_get(server.port(), "/healthz"));
  ASSERT_TRUE(http_get(server.port(), "/missing/42"));

  const auto metrics = http_get(server.ops_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->header("Content-Type")->find("text/plain; version=0.0.4"), std::string::npos);
  const auto& text = metrics->body;
  EXPECT_NE(text.find(R"(orderly_http_requests_total{method="GET",route="/healthz",status="200"} 3)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(orderly_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
            std::string::npos);
  EXPECT_NE(text.find(R"(orderly_http_request_duration_seconds_count{method="GET",route="/healthz"} 3)"),
            std::string::npos);
  EXPECT_EQ(text.find("/missing/42"), std::string::npos) << "raw paths must not become labels";

  const auto path = server.data_dir() + "/metrics.txt";
  std::ofstream(path) << text;
  const auto command = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char chunk[512];
  while (fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
  EXPECT_EQ(pclose(pipe), 0) << "promtool check metrics failed:\n" << output;
}

TEST(Operations, MetricsAreOnlyOnTheOpsListener) {
  OrderlyProcess server;
  const auto response = http_get(server.port(), "/metrics");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
}

TEST(Operations, ReadinessNamesTheFailingDependency) {
  OrderlyProcess server;
  for (const auto port : {server.port(), server.ops_port()}) {
    const auto ready = http_get(port, "/readyz");
    ASSERT_TRUE(ready.has_value());
    EXPECT_EQ(ready->status, 200) << ready->body;
  }

  std::filesystem::remove_all(server.data_dir() + "/data");
  for (const auto port : {server.port(), server.ops_port()}) {
    const auto not_ready = http_get(port, "/readyz");
    ASSERT_TRUE(not_ready.has_value());
    EXPECT_EQ(not_ready->status, 503);
    const auto body = boost::json::parse(not_ready->body).as_object();
    EXPECT_EQ(body.at("status").as_string(), "not_ready");
    EXPECT_EQ(body.at("failed").as_string(), "data_dir");

    const auto alive = http_get(port, "/healthz");
    ASSERT_TRUE(alive.has_value());
    EXPECT_EQ(alive->status, 200) << "liveness must not depend on dependencies";
  }
}

}  // namespace
}  // namespace orderly::testing
