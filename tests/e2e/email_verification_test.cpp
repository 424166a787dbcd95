// Issue 16, item 1, on the real binary: signup mails a verification link
// through the notifications queue into the maildir, read back from there as
// a user would; the link works once, for its account, until it expires; a
// resend is rate-limited; and with orders.require_verified_email checkout
// refuses an unverified account with a 403 problem. No password, token or
// link shows up in the server's output or in an error answer.
#include <sqlite3.h>

#include <atomic>
#include <string>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/mail_sink.hpp"
#include "support/orderly_process.hpp"
#include "support/secret_scan.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kPassword = "correct horse battery";
constexpr std::string_view kLink = "/verify-email";

HttpResponse verify(std::uint16_t port, std::string_view token) {
  return api_request(port, "POST", "/api/v1/auth/verify-email", json::serialize(json::object{{"token", token}}));
}

bool verified(std::uint16_t port, const Session& session) {
  const auto me = json_of(api_request(port, "GET", "/api/v1/auth/me", {}, session.access_token));
  return me.is_object() && me.as_object().contains("email_verified") && me.at("email_verified").as_bool();
}

void run_sql(const OrderlyProcess& server, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((server.data_dir() + "/data/orderly.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(EmailVerification, TheLinkMailedAtSignupVerifiesOnceAndOnlyItsAccount) {
  OrderlyProcess server;
  const std::string email = "verify-me@example.com";
  const auto created = sign_up(server.port(), email, kPassword);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(json_of(created).at("email_verified").as_bool());
  const auto session = log_in(server.port(), email, kPassword);
  ASSERT_TRUE(session.has_value()) << "an unverified account may log in";
  const auto tokens = wait_for_mailed_tokens(server, email, kLink, 1);
  ASSERT_EQ(tokens.size(), 1U) << "signup mails one verification link";
  const auto& token = tokens.front();
  EXPECT_GE(token.size(), 43U) << "at least 256 bits in base64url";
  SecretScan scan;
  scan.add(std::string(kPassword));
  scan.add(token);
  scan.add(session->refresh_token);

  EXPECT_FALSE(verified(server.port(), *session));
  const auto made_up = verify(server.port(), std::string(43, 'A'));
  scan.answer(made_up);
  EXPECT_EQ(made_up.status, 400);
  const auto empty = verify(server.port(), "");
  scan.answer(empty);
  EXPECT_EQ(empty.status, 422);
  const auto done = verify(server.port(), token);
  scan.answer(done);
  EXPECT_EQ(done.status, 204) << done.body;
  EXPECT_TRUE(verified(server.port(), *session));
  const auto again = verify(server.port(), token);
  scan.answer(again);
  EXPECT_EQ(again.status, 400) << "single use";
  EXPECT_EQ(json_of(again).at("type"), json_of(made_up).at("type")) << "one answer for used and unknown";

  // Only the hash is stored.
  const auto bystander = new_customer(server.port());
  EXPECT_FALSE(verified(server.port(), bystander)) << "another account is not verified by that link";
  scan.expect_clean(server);
}

TEST(EmailVerification, AnExpiredLinkIsRefusedAndAResendIsRateLimited) {
  OrderlyProcess server({.extra_args = {"--set", "auth.verification_resend_per_account=2/1h"}});
  const std::string email = "resend@example.com";
  ASSERT_EQ(sign_up(server.port(), email, kPassword).status, 201);
  const auto session = log_in(server.port(), email, kPassword);
  ASSERT_TRUE(session.has_value());
  const auto first = wait_for_mailed_tokens(server, email, kLink, 1);
  ASSERT_EQ(first.size(), 1U);
  SecretScan scan;
  scan.add(std::string(kPassword));
  scan.add(first.front());

  run_sql(server, "UPDATE email_verifications SET expires_at_ms = 0");
  const auto expired = verify(server.port(), first.front());
  scan.answer(expired);
  EXPECT_EQ(expired.status, 400) << "an expired link is refused";
  EXPECT_FALSE(verified(server.port(), *session));

  const auto resend = [&] {
    auto answer = api_request(server.port(), "POST", "/api/v1/auth/verify-email/resend", {}, session->access_token);
    scan.answer(answer);
    return answer;
  };
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/verify-email/resend").status, 401);
  EXPECT_EQ(resend().status, 202);
  EXPECT_EQ(resend().status, 202);
  const auto limited = resend();
  EXPECT_EQ(limited.status, 429) << "the third resend within the hour";
  EXPECT_TRUE(limited.header("Retry-After").has_value());
  const auto all = wait_for_mailed_tokens(server, email, kLink, 3);
  ASSERT_EQ(all.size(), 3U) << "the signup mail and two resends, no more";
  for (const auto& token : all) scan.add(token);
  std::string fresh;
  for (const auto& token : all) {
    if (token != first.front()) fresh = token;
  }
  EXPECT_EQ(verify(server.port(), fresh).status, 204);
  EXPECT_TRUE(verified(server.port(), *session));
  for (const auto& token : all) EXPECT_EQ(verify(server.port(), token).status, 400) << "every link is spent now";
  scan.expect_clean(server);
}

TEST(EmailVerification, CheckoutRefusesAnUnverifiedAccountWhenTheSettingAsks) {
  OrderlyProcess server({.extra_args = {"--set", "orders.require_verified_email=true"},
                         .environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}});
  const std::atomic<std::uint16_t> port{server.port()};
  const ShopClient shop(port);
  const auto product = shop.create_product(shop.admin_token(), "VERIFY-1", 1500, 5);
  const std::string email = "buyer@example.com";
  const auto buyer = shop.customer(email);
  const auto card = shop.add_card(buyer, kCardApproved);
  const auto body = ShopClient::order_body(product, 1, card);

  const auto refused = shop.place(buyer, "verify-key-1", body);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(json_of(*refused).at("type"), "/problems/email-unverified");
  EXPECT_EQ(shop.stock_of(product), 5) << "nothing was reserved";

  const auto tokens = wait_for_mailed_tokens(server, email, kLink, 1);
  ASSERT_EQ(tokens.size(), 1U);
  ASSERT_EQ(verify(server.port(), tokens.front()).status, 204);
  const auto placed = shop.place(buyer, "verify-key-1", body);
  ASSERT_TRUE(placed.has_value());
  EXPECT_EQ(placed->status, 201) << "the refusal was not recorded under the key: " << placed->body;
}

}  // namespace
}  // namespace orderly::testing
