// Issue 16, item 4 (part): POST /api/v1/auth/logout-all ends every session of
// the caller at once for refresh tokens (access tokens already issued live out
// auth.access_token_ttl), and no one else's.
#include <string>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"
#include "support/secret_scan.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;

HttpResponse refresh(std::uint16_t port, std::string_view token) {
  return api_request(port, "POST", "/api/v1/auth/refresh", json::serialize(json::object{{"refresh_token", token}}));
}

TEST(Sessions, LogoutAllRevokesEveryRefreshFamilyOfTheCallerOnly) {
  OrderlyProcess server;
  const auto first = new_customer(server.port());
  const auto email = std::string(
      json_of(api_request(server.port(), "GET", "/api/v1/auth/me", {}, first.access_token)).at("email").as_string());
  const auto second = log_in(server.port(), email, "correct horse battery");  // new_customer's password
  ASSERT_TRUE(second.has_value());
  const auto bystander = new_customer(server.port());
  SecretScan scan;
  scan.add(first.refresh_token);
  scan.add(second->refresh_token);

  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/logout-all").status, 401);
  const auto done = api_request(server.port(), "POST", "/api/v1/auth/logout-all", {}, second->access_token);
  scan.answer(done);
  EXPECT_EQ(done.status, 204) << done.body;
  for (const auto& token : {first.refresh_token, second->refresh_token}) {
    const auto answer = refresh(server.port(), token);
    scan.answer(answer);
    EXPECT_EQ(answer.status, 401) << "every family of the caller is revoked";
  }
  EXPECT_EQ(refresh(server.port(), bystander.refresh_token).status, 200) << "another user's sessions stay";
  EXPECT_TRUE(log_in(server.port(), email, "correct horse battery").has_value()) << "the account itself is fine";
  scan.expect_clean(server);
}

}  // namespace
}  // namespace orderly::testing
