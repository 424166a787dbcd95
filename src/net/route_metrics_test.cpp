#include "net/route_metrics.hpp"

#include <thread>

#include <gtest/gtest.h>

namespace orderly::net {
namespace {

Handler noop() {
  return [](RequestContext&, Request&) -> boost::asio::awaitable<Response> { co_return Response::empty(204); };
}

double series(const std::string& text, const std::string& name) {
  const auto at = text.find(name + " ");
  return at == std::string::npos ? 0 : std::stod(text.substr(at + name.size() + 1));
}

TEST(RouteMetrics, CountsByTemplateMethodAndStatusFromManyThreads) {
  Router router;
  const auto& orders = router.add("GET", "/orders/{id}", noop());
  core::metrics::Registry registry;
  RouteMetrics metrics(registry, router);

  // More distinct statuses (60) than a route's lock-free cache holds (32):
  // the overflow takes the locked path and must count the same.
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        for (int status = 200; status < 260; ++status) metrics.record(&orders, "GET", status, 0.001);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  const auto text = registry.render();
  for (int status = 200; status < 260; ++status) {
    EXPECT_EQ(series(text, R"(orderly_http_requests_total{method="GET",route="/orders/{id}",status=")" +
                               std::to_string(status) + "\"}"),
              100)
        << status;
  }
  EXPECT_EQ(series(text, R"(orderly_http_request_duration_seconds_count{method="GET",route="/orders/{id}"})"), 6000);
}

TEST(RouteMetrics, UnmatchedRequestsAndOddMethodsHaveBoundedLabels) {
  Router router;
  router.add("GET", "/a", noop());
  core::metrics::Registry registry;
  RouteMetrics metrics(registry, router);
  metrics.record(nullptr, "BREW", 404, 0.001);
  metrics.record(nullptr, "PROPFIND", 404, 0.001);
  const auto text = registry.render();
  EXPECT_EQ(series(text, R"(orderly_http_requests_total{method="OTHER",route="unmatched",status="404"})"), 2);
  EXPECT_EQ(text.find("BREW"), std::string::npos);
}

TEST(RouteMetrics, PublishesEveryRegisteredRouteBeforeAnyTraffic) {
  Router router;
  router.add("GET", "/orders/{id}", noop());
  router.add("POST", "/orders", noop());
  core::metrics::Registry registry;
  RouteMetrics metrics(registry, router);
  const auto text = registry.render();
  EXPECT_EQ(series(text, R"(orderly_http_route_info{method="GET",route="/orders/{id}"})"), 1);
  EXPECT_EQ(series(text, R"(orderly_http_route_info{method="POST",route="/orders"})"), 1);
  EXPECT_EQ(text.find(R"(orderly_http_route_info{method="GET",route="/orders"})"), std::string::npos);
}

}  // namespace
}  // namespace orderly::net
