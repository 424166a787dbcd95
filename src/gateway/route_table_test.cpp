#include "gateway/route_table.hpp"

#include <gtest/gtest.h>

#include "gateway/gateway.hpp"

namespace orderly::gateway {
namespace {

net::Request request(std::string method, std::string path, std::string host = "shop.example") {
  net::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.headers.add("Host", std::move(host));
  return r;
}

TEST(RouteTable, PrefixesMatchWholeSegments) {
  EXPECT_TRUE(RouteTable::under_prefix("/api", "/api"));
  EXPECT_TRUE(RouteTable::under_prefix("/api/x", "/api"));
  EXPECT_FALSE(RouteTable::under_prefix("/apix", "/api"));
  EXPECT_TRUE(RouteTable::under_prefix("/anything", "/"));
}

TEST(RouteTable, TemplatesMatchOneSegmentPerParameter) {
  EXPECT_TRUE(RouteTable::matches_template("/orders/7", "/orders/{id}"));
  EXPECT_FALSE(RouteTable::matches_template("/orders/7/items", "/orders/{id}"));
  EXPECT_FALSE(RouteTable::matches_template("/orders/", "/orders/{id}"));
  EXPECT_TRUE(RouteTable::matches_template("/orders/7/items", "/orders/{id}/items"));
}

TEST(RouteTable, FirstMatchingRouteWinsByMethodHostAndPath) {
  std::vector<RouteConfig> routes(3);
  routes[0].methods = {"POST"};
  routes[0].path_prefix = "/api/v1/orders";
  routes[1].host = "admin.example";
  routes[1].path_prefix = "/";
  routes[2].methods = {"GET"};
  routes[2].path_template = "/api/v1/orders/{id}";
  const RouteTable table(routes);
  EXPECT_EQ(table.match(request("POST", "/api/v1/orders")), 0U);
  EXPECT_EQ(table.match(request("GET", "/api/v1/orders/7", "admin.example:8443")), 1U);
  EXPECT_EQ(table.match(request("GET", "/api/v1/orders/7")), 2U);
  EXPECT_EQ(table.match(request("HEAD", "/api/v1/orders/7")), 2U);
  EXPECT_EQ(table.match(request("DELETE", "/api/v1/orders/7")), std::nullopt);
}

TEST(RouteTable, DotSegmentsInAnySpellingAreFound) {
  EXPECT_TRUE(has_dot_segment("/static/../etc/passwd"));
  EXPECT_TRUE(has_dot_segment("/static/%2e%2E/etc"));
  EXPECT_TRUE(has_dot_segment("/static/.%2e/etc"));
  EXPECT_TRUE(has_dot_segment("/a/./b"));
  EXPECT_TRUE(has_dot_segment("/a/.."));
  EXPECT_FALSE(has_dot_segment("/a/...b/c.d"));
  EXPECT_FALSE(has_dot_segment("/a/.well-known/jwks.json"));
}

}  // namespace
}  // namespace orderly::gateway
