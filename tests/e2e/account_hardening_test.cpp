// Issue 16, item 7: what an attack on the accounts found, each on the real
// binary: a signup flood starving logins, a demoted admin keeping admin,
// names with line breaks, and data files others could read.
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/http_client.hpp"
#include "support/orderly_process.hpp"
#include "support/secret_scan.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr std::string_view kPassword = "correct horse battery";

std::string signup_body(std::string_view email, std::string_view name = "Flood") {
  return json::serialize(json::object{{"email", email}, {"password", kPassword}, {"name", name}});
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return 0xFFFF;
  return info.st_mode & 0777U;
}

TEST(AccountHardening, ASignupFloodDoesNotStarveLogins) {
  // One login hashing thread and nothing waiting: before signup had a pool of
  // its own, any signup in progress made a login 503.
  OrderlyProcess server({.extra_args = {"--set", "auth.hash_threads=1", "--set", "auth.hash_queue=0", "--set",
                                        "auth.argon2_iterations=6", "--set", "auth.signup_per_address=100000/1m"}});
  ASSERT_EQ(sign_up(server.port(), "genuine@example.com", kPassword).status, 201);

  constexpr int kFlooders = 6;
  std::atomic<bool> stop{false};
  std::atomic<int> signups{0};
  std::latch answered_once(kFlooders);
  std::vector<std::thread> flood;
  for (int i = 0; i < kFlooders; ++i) {
    flood.emplace_back([&, i] {
      bool counted = false;
      for (int n = 0; n < 400 && !stop.load(); ++n) {
        HttpConnection connection(server.port());
        const auto email = "flood-" + std::to_string(i) + "-" + std::to_string(n) + "@example.com";
        const auto answer = connection.request("POST", "/api/v1/auth/signup", {{"Content-Type", "application/json"}},
                                               signup_body(email));
        if (answer) signups.fetch_add(1);
        if (!counted) {
          answered_once.count_down();
          counted = true;
        }
      }
      if (!counted) answered_once.count_down();
    });
  }
  answered_once.wait();  // every flooder is past its first signup: the flood is on

  int logged_in = 0;
  int shed = 0;
  for (int i = 0; i < 6; ++i) {
    const auto answer =
        api_request(server.port(), "POST", "/api/v1/auth/login",
                    json::serialize(json::object{{"email", "genuine@example.com"}, {"password", kPassword}}));
    if (answer.status == 200) ++logged_in;
    if (answer.status == 503) ++shed;
  }
  stop = true;
  for (auto& thread : flood) thread.join();
  std::cout << "during " << signups.load() << " flood signups: " << logged_in << " of 6 logins answered 200, " << shed
            << " shed\n";
  EXPECT_EQ(logged_in, 6) << "a signup flood must not take the threads logins hash on";
  EXPECT_EQ(shed, 0);
}

TEST(AccountHardening, SignupHasItsOwnLimitPerAddressAndKeeps409) {
  OrderlyProcess server({.extra_args = {"--set", "auth.signup_per_address=3/1h"}});
  EXPECT_EQ(sign_up(server.port(), "one@example.com", kPassword).status, 201);
  EXPECT_EQ(sign_up(server.port(), "one@example.com", kPassword).status, 409) << "the contract keeps its 409";
  EXPECT_EQ(sign_up(server.port(), "two@example.com", kPassword).status, 201);
  const auto limited = sign_up(server.port(), "three@example.com", kPassword);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_TRUE(limited.header("Retry-After").has_value());
  EXPECT_EQ(limited.body.find("127.0.0.1"), std::string::npos) << "the key is not echoed";
  EXPECT_EQ(sign_up(server.port(), "one@example.com", kPassword).status, 429)
      << "probing a taken e-mail is limited too";

  const auto elsewhere =
      api_request(server.port(), "POST", "/api/v1/auth/signup", signup_body("four@example.com"), {}, {}, "127.0.0.2");
  EXPECT_EQ(elsewhere.status, 201) << "another address has its own quota";
  EXPECT_TRUE(log_in(server.port(), "one@example.com", kPassword).has_value()) << "logins have limits of their own";
}

TEST(AccountHardening, ADemotedAdminLosesAdminAtOnceAndHisSessions) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto admin = admin_session(server.port());
  const auto deputy = new_customer(server.port());
  const auto target = "/api/v1/admin/users/" + deputy.user_id + "/roles";
  const std::string as_admin = R"({"roles":["customer","admin"]})";
  const std::string as_customer = R"({"roles":["customer"]})";
  ASSERT_EQ(api_request(server.port(), "PUT", target, as_admin, admin.access_token).status, 200);

  // The deputy logs in as an admin, then is demoted.
  const auto me = api_request(server.port(), "GET", "/api/v1/auth/me", {}, deputy.access_token);
  const auto email = std::string(json_of(me).at("email").as_string());
  const auto promoted = log_in(server.port(), email, kPassword);  // new_customer's password
  ASSERT_TRUE(promoted.has_value());
  EXPECT_EQ(api_request(server.port(), "PUT", target, as_admin, promoted->access_token).status, 200)
      << "an admin's token works on admin routes";
  ASSERT_EQ(api_request(server.port(), "PUT", target, as_customer, admin.access_token).status, 200);

  SecretScan scan;
  scan.add(promoted->access_token);
  scan.add(promoted->refresh_token);
  const auto again = api_request(server.port(), "PUT", target, as_admin, promoted->access_token);
  scan.answer(again);
  EXPECT_EQ(again.status, 403) << "the old token cannot re-promote its holder: " << again.body;
  const auto after = json_of(api_request(server.port(), "GET", "/api/v1/auth/me", {}, promoted->access_token));
  EXPECT_EQ(json::serialize(after.at("roles")), R"(["customer"])") << "still a customer, no longer an admin";

  const auto refreshed = api_request(server.port(), "POST", "/api/v1/auth/refresh",
                                     json::serialize(json::object{{"refresh_token", promoted->refresh_token}}));
  scan.answer(refreshed);
  EXPECT_EQ(refreshed.status, 401) << "a role change revokes the user's refresh families";
  const auto old_session = api_request(server.port(), "POST", "/api/v1/auth/refresh",
                                       json::serialize(json::object{{"refresh_token", deputy.refresh_token}}));
  EXPECT_EQ(old_session.status, 401) << "every family, also the one from before the promotion";
  scan.expect_clean(server);
}

TEST(AccountHardening, ANameWithLineBreaksOrControlCharactersIsRefused) {
  OrderlyProcess server;
  const std::vector<std::string> names = {"Eve\r\nBcc: victim@example.com",
                                          "Tab\there",
                                          std::string("Nul\0x", 5),
                                          "\xC2\x85next",
                                          "line\xE2\x80\xA8sep",
                                          "   "};
  for (const auto& name : names) {
    const auto refused = api_request(server.port(), "POST", "/api/v1/auth/signup",
                                     signup_body("eve" + std::to_string(name.size()) + "@example.com", name));
    EXPECT_EQ(refused.status, 422) << json::serialize(json::string(name)) << ": " << refused.body;
    EXPECT_TRUE(has_field_error(refused, "name")) << refused.body;
  }
  const auto accepted =
      api_request(server.port(), "POST", "/api/v1/auth/signup", signup_body("zoe@example.com", "Zoë Ünlü"));
  EXPECT_EQ(accepted.status, 201) << accepted.body;
}

TEST(AccountHardening, TheDatabaseItsWalAndTheMaildirAreTheOwnersOnly) {
  OrderlyProcess server;
  ASSERT_EQ(sign_up(server.port(), "modes@example.com", kPassword).status, 201);  // a write: the WAL exists
  const std::filesystem::path data(server.data_dir() + "/data");                  // made by the server
  EXPECT_EQ(mode_of(data / "orderly.db"), 0600U);
  EXPECT_EQ(mode_of(data / "orderly.db-wal"), 0600U);
  EXPECT_EQ(mode_of(data / "maildir"), 0700U);
  EXPECT_EQ(mode_of(data / "maildir" / "new"), 0700U);
  EXPECT_EQ(mode_of(data), 0700U);
}

}  // namespace
}  // namespace orderly::testing
