#include "net/request_target.hpp"

#include <string>

#include <gtest/gtest.h>

namespace orderly::net {
namespace {

std::optional<std::pair<std::string, std::string>> split(std::string target) {
  Request request;
  request.target = std::move(target);
  if (!split_target(request)) return std::nullopt;
  return std::pair(request.path, request.query);
}

TEST(RequestTarget, SplitsOriginAndAbsoluteForm) {
  EXPECT_EQ(split("/api/v1/orders/7?x=1"), std::pair(std::string("/api/v1/orders/7"), std::string("x=1")));
  EXPECT_EQ(split("http://shop.example/a%2Fb?c"), std::pair(std::string("/a%2Fb"), std::string("c")));
  EXPECT_EQ(split("https://shop.example"), std::pair(std::string("/"), std::string()));
}

TEST(RequestTarget, RefusesOtherForms) {
  EXPECT_FALSE(split("*"));
  EXPECT_FALSE(split("shop.example:443"));
  EXPECT_FALSE(split("ftp://shop.example/a"));
}

// Found by the router fuzz target (fuzz/regressions/router/http-without-host):
// "http:orders" is an absolute-URI whose rootless path reached the router.
TEST(RequestTarget, RefusesAnHttpUriWithoutAHost) {
  EXPECT_FALSE(split("http:chhunked/shople"));
  EXPECT_FALSE(split("http:/api/v1/orders"));
  EXPECT_FALSE(split("http:///api/v1/orders"));
}

// Also found by it (fuzz/regressions/router/port-read-as-path): Boost.URL
// 1.81 takes the bad port of "http://h:A" for the rootless path "A".
TEST(RequestTarget, RefusesAnAbsoluteUriWhosePathIsNotAbsolute) {
  EXPECT_FALSE(split("http://t=2&cttp:A"));
  EXPECT_FALSE(split("http://shop.example:orders"));
  EXPECT_EQ(split("http://shop.example:8080/orders"), std::pair(std::string("/orders"), std::string()));
}

}  // namespace
}  // namespace orderly::net
