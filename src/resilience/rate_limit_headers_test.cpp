#include <gtest/gtest.h>

#include "resilience/rate_limit_headers.hpp"

namespace orderly::resilience {
namespace {

using namespace std::chrono_literals;

TEST(RateLimitHeadersTest, WritesPolicyAndStateOnAnAllowedResponse) {
  auto response = net::Response::empty(200);
  response.headers.set("Retry-After", "5");
  set_rate_limit_headers(response, {"login", 10, 60s},
                         {.allowed = true, .limit = 10, .remaining = 3, .reset = 42s, .retry_after = 0s});
  EXPECT_EQ(response.headers.get("RateLimit-Policy"), R"("login";q=10;w=60)");
  EXPECT_EQ(response.headers.get("RateLimit"), R"("login";r=3;t=42)");
  EXPECT_FALSE(response.headers.get("Retry-After")) << "only a denied response says when to retry";
}

TEST(RateLimitHeadersTest, RoundsASubSecondWindowUpAndEscapesTheName) {
  auto response = net::Response::empty(200);
  set_rate_limit_headers(response, {"a\"b\\c", 5, 1500ms}, {.allowed = true, .limit = 5, .remaining = 4});
  EXPECT_EQ(response.headers.get("RateLimit-Policy"), R"("a\"b\\c";q=5;w=2)");
}

TEST(RateLimitHeadersTest, TheRateLimitedProblemCarriesRetryAfterAndNoKey) {
  const auto response = rate_limited_response(
      {"login", 10, 60s}, {.allowed = false, .limit = 10, .remaining = 0, .reset = 60s, .retry_after = 6s});
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(response.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(response.headers.get("Retry-After"), "6");
  EXPECT_EQ(response.headers.get("RateLimit"), R"("login";r=0;t=60)");
  EXPECT_NE(response.body.find(R"("type":"/problems/rate-limited")"), std::string::npos) << response.body;
  EXPECT_NE(response.body.find(R"("status":429)"), std::string::npos) << response.body;

  const auto never_zero =
      rate_limited_response({"x", 1, 1s}, {.allowed = false, .limit = 1, .remaining = 0, .reset = 0s});
  EXPECT_EQ(never_zero.headers.get("Retry-After"), "1");
}

}  // namespace
}  // namespace orderly::resilience
