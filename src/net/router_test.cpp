#include "net/router.hpp"

#include <gtest/gtest.h>

namespace orderly::net {
namespace {

Handler noop() {
  return [](RequestContext&, Request&) -> boost::asio::awaitable<Response> { co_return Response::empty(204); };
}

TEST(Router, MatchesLiteralsAndParameters) {
  Router router;
  router.add("GET", "/api/v1/orders", noop());
  router.add("GET", "/api/v1/orders/{id}", noop());
  router.add("POST", "/api/v1/orders/{id}/cancel", noop());

  const auto list = router.match("GET", "/api/v1/orders");
  ASSERT_NE(list.route, nullptr);
  EXPECT_EQ(list.route->path_template, "/api/v1/orders");

  const auto one = router.match("GET", "/api/v1/orders/o%2F7");
  ASSERT_NE(one.route, nullptr);
  EXPECT_EQ(one.route->path_template, "/api/v1/orders/{id}");
  ASSERT_EQ(one.params.size(), 1U);
  EXPECT_EQ(one.params[0].first, "id");
  EXPECT_EQ(one.params[0].second, "o/7");  // decoded, yet matched as one segment

  const auto cancel = router.match("POST", "/api/v1/orders/9/cancel");
  ASSERT_NE(cancel.route, nullptr);
  EXPECT_EQ(cancel.params[0].second, "9");
}

TEST(Router, UnknownPathIsNotFoundWithoutAllow) {
  Router router;
  router.add("GET", "/a/{id}", noop());
  for (const char* path : {"/", "/b", "/a", "/a/", "/a/1/2"}) {
    const auto match = router.match("GET", path);
    EXPECT_EQ(match.route, nullptr) << path;
    EXPECT_TRUE(match.allow.empty()) << path;
  }
}

TEST(Router, WrongMethodListsAllowedMethods) {
  Router router;
  router.add("GET", "/items/{id}", noop());
  router.add("PATCH", "/items/{id}", noop());
  const auto match = router.match("DELETE", "/items/3");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.allow, "GET, HEAD, PATCH");
}

TEST(Router, HeadIsServedByGet) {
  Router router;
  router.add("GET", "/healthz", noop());
  const auto match = router.match("HEAD", "/healthz");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method, "GET");
}

TEST(Router, LiteralBeatsParameterButFallsBack) {
  Router router;
  router.add("GET", "/orders/new", noop());
  router.add("GET", "/orders/{id}/items", noop());
  EXPECT_EQ(router.match("GET", "/orders/new").route->path_template, "/orders/new");
  const auto items = router.match("GET", "/orders/new/items");
  ASSERT_NE(items.route, nullptr);
  EXPECT_EQ(items.route->path_template, "/orders/{id}/items");
}

TEST(Router, RejectsBadTemplates) {
  Router router;
  router.add("GET", "/a/{id}", noop());
  EXPECT_THROW(router.add("GET", "/a/{id}", noop()), std::logic_error);
  EXPECT_THROW(router.add("GET", "/a/{other}/x", noop()), std::logic_error);
  EXPECT_THROW(router.add("GET", "no-slash", noop()), std::logic_error);
  EXPECT_THROW(router.add("GET", "/a//b", noop()), std::logic_error);
  EXPECT_THROW(router.add("GET", "/a/{x", noop()), std::logic_error);
}

}  // namespace
}  // namespace orderly::net
