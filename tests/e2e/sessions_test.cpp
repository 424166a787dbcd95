// Issue 16, item 4: the sessions list (one per login, with the client it was
// last used from, the caller's own marked), revocation of one session, and
// POST /api/v1/auth/logout-all; each ends refresh at once (access tokens
// already issued live out auth.access_token_ttl), and no one else's.
#include <string>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"
#include "support/secret_scan.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kPassword = "correct horse battery";  // new_customer's

HttpResponse refresh(std::uint16_t port, std::string_view token) {
  return api_request(port, "POST", "/api/v1/auth/refresh", json::serialize(json::object{{"refresh_token", token}}));
}

std::string email_of(std::uint16_t port, const Session& session) {
  return std::string(
      json_of(api_request(port, "GET", "/api/v1/auth/me", {}, session.access_token)).at("email").as_string());
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

HttpResponse log_in_from(std::uint16_t port, std::string_view email, std::string_view user_agent,
                         std::string_view address) {
  return api_request(port, "POST", "/api/v1/auth/login",
                     json::serialize(json::object{{"email", email}, {"password", kPassword}}), {},
                     {{"User-Agent", std::string(user_agent)}}, address);
}

Session session_of(const HttpResponse& login) {
  const auto body = json_of(login);
  if (login.status != 200 || !body.is_object()) {
    ADD_FAILURE() << "login answered " << login.status;
    return {};
  }
  return {{},
          std::string(body.at("access_token").as_string()),
          std::string(body.at("refresh_token").as_string())};
}

json::array sessions_of(std::uint16_t port, std::string_view access_token, SecretScan& scan) {
  const auto listed = api_request(port, "GET", "/api/v1/auth/sessions", {}, access_token);
  scan.answer(listed);
  EXPECT_EQ(listed.status, 200) << listed.body;
  const auto body = json_of(listed);
  if (!body.is_object() || !body.as_object().contains("items")) return {};
  return body.at("items").as_array();
}

const json::object* find_session(const json::array& items, std::string_view field, std::string_view value) {
  for (const auto& item : items) {
    if (item.as_object().at(field).as_string() == value) return &item.as_object();
  }
  return nullptr;
}

TEST(Sessions, TheListShowsEachLoginWithItsClientAndMarksTheCurrentOne) {
  OrderlyProcess server;
  const auto first = new_customer(server.port());
  const auto email = email_of(server.port(), first);
  const auto phone = session_of(log_in_from(server.port(), email, "TestPhone/1.0 (\t\xc3\xa9)", "127.0.0.3"));
  SecretScan scan;
  scan.add(std::string(kPassword));
  scan.add(first.refresh_token);
  scan.add(phone.refresh_token);

  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/auth/sessions").status, 401);
  const auto items = sessions_of(server.port(), phone.access_token, scan);
  ASSERT_EQ(items.size(), 2U) << "one session a login";
  const auto* mine = find_session(items, "address", "127.0.0.3");
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->at("user_agent").as_string(), "TestPhone/1.0 (\?\?\?)") << "control and non-ASCII bytes are masked";
  EXPECT_TRUE(mine->at("current").as_bool()) << "the caller's own session is marked";
  EXPECT_EQ(mine->at("created_at").as_string(), mine->at("last_used_at").as_string());
  int current = 0;
  for (const auto& item : items) current += item.as_object().at("current").as_bool() ? 1 : 0;
  EXPECT_EQ(current, 1);
  EXPECT_NE(items.at(0).as_object().at("id"), items.at(1).as_object().at("id"));

  // A refresh is a use: it moves last_used_at and records where it came from.
  const auto refreshed = api_request(server.port(), "POST", "/api/v1/auth/refresh",
                                     json::serialize(json::object{{"refresh_token", first.refresh_token}}), {},
                                     {{"User-Agent", "Refresher/2"}}, "127.0.0.4");
  ASSERT_EQ(refreshed.status, 200);
  scan.add(std::string(json_of(refreshed).at("refresh_token").as_string()));
  const auto after = sessions_of(server.port(), phone.access_token, scan);
  ASSERT_EQ(after.size(), 2U) << "a rotation stays one session";
  const auto* used = find_session(after, "address", "127.0.0.4");
  ASSERT_NE(used, nullptr);
  EXPECT_EQ(used->at("user_agent").as_string(), "Refresher/2");
  EXPECT_FALSE(used->at("current").as_bool());
  EXPECT_GE(used->at("last_used_at").as_string(), used->at("created_at").as_string());
  scan.expect_clean(server);
}

TEST(Sessions, OneSessionIsRevokedAtOnceAndAnotherUsersIdIsA404LikeAnyUnknownOne) {
  OrderlyProcess server;
  const auto owner = new_customer(server.port());
  const auto email = email_of(server.port(), owner);
  const auto laptop = session_of(log_in_from(server.port(), email, "Laptop", "127.0.0.5"));
  const auto bystander = new_customer(server.port());
  SecretScan scan;
  scan.add(std::string(kPassword));
  scan.add(owner.refresh_token);
  scan.add(laptop.refresh_token);
  scan.add(bystander.refresh_token);

  const auto owner_items = sessions_of(server.port(), owner.access_token, scan);
  ASSERT_EQ(owner_items.size(), 2U);
  const auto* laptop_item = find_session(owner_items, "address", "127.0.0.5");
  ASSERT_NE(laptop_item, nullptr);
  const std::string laptop_id(laptop_item->at("id").as_string());
  const auto bystander_items = sessions_of(server.port(), bystander.access_token, scan);
  ASSERT_EQ(bystander_items.size(), 1U);
  const std::string bystander_id(bystander_items.at(0).as_object().at("id").as_string());

  const auto revoke = [&](std::string_view id, std::string_view token) {
    auto answer = api_request(server.port(), "DELETE", "/api/v1/auth/sessions/" + std::string(id), {}, token);
    scan.answer(answer);
    return answer;
  };
  EXPECT_EQ(revoke(laptop_id, {}).status, 401);
  const auto foreign = revoke(bystander_id, owner.access_token);
  const auto made_up = revoke("AAAAAAAAAAAAAAAAAAAAAA", owner.access_token);
  EXPECT_EQ(foreign.status, 404) << "another user's session";
  EXPECT_EQ(made_up.status, 404);
  EXPECT_EQ(json_of(foreign).at("detail"), json_of(made_up).at("detail")) << "one answer: no enumeration";
  EXPECT_EQ(revoke("..%2F..%2Fx", owner.access_token).status, 404);
  EXPECT_EQ(refresh(server.port(), bystander.refresh_token).status, 200) << "the bystander's session lives on";

  EXPECT_EQ(revoke(laptop_id, owner.access_token).status, 204);
  EXPECT_EQ(refresh(server.port(), laptop.refresh_token).status, 401) << "refresh ends at once";
  EXPECT_EQ(revoke(laptop_id, owner.access_token).status, 404) << "an ended session is no longer there";
  const auto left = sessions_of(server.port(), owner.access_token, scan);
  ASSERT_EQ(left.size(), 1U);
  EXPECT_NE(left.at(0).as_object().at("id").as_string(), laptop_id);
  // As documented: the revoked session's access token lives out
  // auth.access_token_ttl on routes that do not check the token version.
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/auth/me", {}, laptop.access_token).status, 200);
  EXPECT_EQ(refresh(server.port(), owner.refresh_token).status, 200) << "the owner's other session lives on";
  scan.expect_clean(server);
}

}  // namespace
}  // namespace orderly::testing
