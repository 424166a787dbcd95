// Issue 16, item 3, on the real binary: TOTP enrolment, a login that answers
// with a challenge and completes with a code, recovery codes, turning MFA
// off, and the admin requirement. Codes are computed by an independent
// implementation, `oathtool` (Debian's oathtool package), never by the
// server's code. The attacks: a replayed or older code, a reused or expired
// challenge, ten wrong codes (throttled), a used recovery code; and no
// secret, code or recovery code in the server's output, its error answers or
// its database in clear.
#include <sqlite3.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/http_client.hpp"
#include "support/orderly_process.hpp"
#include "support/secret_scan.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
constexpr std::string_view kPassword = "correct horse battery";  // new_customer's

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The code `oathtool --totp -b` computes for `secret` at `unix_time`.
std::string oathtool_code(const std::string& secret, std::int64_t unix_time) {
  const std::string command = "oathtool --totp -b -N @" + std::to_string(unix_time) + " " + secret + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run oathtool";
    return {};
  }
  std::array<char, 128> buffer{};
  std::string out;
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  const int status = pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  EXPECT_EQ(status, 0) << "oathtool (Debian package oathtool; scripts/bootstrap installs it): " << out;
  EXPECT_EQ(out.size(), 6U) << out;
  return out;
}

// Six digits that are no code of `secret` anywhere near now.
std::string wrong_code(const std::string& secret) {
  std::set<std::string> near;
  const auto now = unix_now();
  for (std::int64_t offset = -60; offset <= 90; offset += 30) near.insert(oathtool_code(secret, now + offset));
  for (int candidate = 0; candidate < 10; ++candidate) {
    char text[8];
    std::snprintf(text, sizeof text, "%06d", candidate * 7919 % 1000000);
    if (!near.contains(text)) return text;
  }
  ADD_FAILURE() << "ten candidates were all codes near now";
  return "000000";
}

std::string problem_type(const HttpResponse& answer) {
  const auto body = json_of(answer);
  if (!body.is_object() || !body.as_object().contains("type")) return {};
  return std::string(body.at("type").as_string());
}

std::string email_of(std::uint16_t port, const Session& session) {
  return std::string(
      json_of(api_request(port, "GET", "/api/v1/auth/me", {}, session.access_token)).at("email").as_string());
}

HttpResponse post(std::uint16_t port, std::string_view path, const json::object& body, std::string_view token = {},
                  std::string_view source_address = {}) {
  return api_request(port, "POST", path, json::serialize(body), token, {}, source_address);
}

struct Enrolled {
  std::string secret;
  std::vector<std::string> recovery_codes;
  std::int64_t confirmed_at = 0;  // the unix time whose code confirmed it
};

// Enrols and confirms with the code of now, every secret handed out added to `scan`.
Enrolled enrol(std::uint16_t port, const Session& session, SecretScan& scan, std::string_view source_address = {}) {
  Enrolled out;
  const auto started = post(port, "/api/v1/auth/mfa/totp", {}, session.access_token, source_address);
  EXPECT_EQ(started.status, 201) << started.body;
  const auto body = json_of(started);
  if (!body.is_object()) return out;
  out.secret = std::string(body.at("secret").as_string());
  const std::string uri(body.at("otpauth_uri").as_string());
  scan.add(out.secret);
  scan.add(uri);
  EXPECT_EQ(uri.rfind("otpauth://totp/Orderly:", 0), 0U) << uri;
  EXPECT_NE(uri.find("secret=" + out.secret), std::string::npos);
  EXPECT_NE(uri.find("digits=6"), std::string::npos);
  EXPECT_NE(uri.find("period=30"), std::string::npos);
  EXPECT_EQ(out.secret.size(), 32U) << "160 bits in base32";
  EXPECT_EQ(started.header("Cache-Control").value_or(""), "no-store");

  out.confirmed_at = unix_now();
  const auto code = oathtool_code(out.secret, out.confirmed_at);
  scan.add_code(code);
  const auto confirmed = post(port, "/api/v1/auth/mfa/totp/confirm", {{"code", code}}, session.access_token,
                              source_address);
  EXPECT_EQ(confirmed.status, 200) << confirmed.body;
  const auto codes = json_of(confirmed);
  if (codes.is_object()) {
    for (const auto& entry : codes.at("recovery_codes").as_array()) {
      out.recovery_codes.emplace_back(entry.as_string());
      scan.add(out.recovery_codes.back());
    }
  }
  return out;
}

// POST /auth/login for an account with MFA on: the challenge (added to `scan`).
std::string challenge_of(std::uint16_t port, std::string_view email, SecretScan& scan) {
  const auto answer = post(port, "/api/v1/auth/login", {{"email", email}, {"password", kPassword}});
  EXPECT_EQ(answer.status, 200) << answer.body;
  const auto body = json_of(answer);
  if (!body.is_object() || !body.as_object().contains("challenge")) {
    ADD_FAILURE() << "no challenge: " << answer.body;
    return {};
  }
  EXPECT_TRUE(body.at("mfa_required").as_bool());
  EXPECT_FALSE(body.as_object().contains("access_token")) << "no tokens before the second factor";
  EXPECT_FALSE(body.as_object().contains("refresh_token"));
  EXPECT_GT(body.at("expires_in").as_int64(), 0);
  std::string challenge(body.at("challenge").as_string());
  EXPECT_GE(challenge.size(), 43U) << "256 random bits";
  scan.add(challenge);
  return challenge;
}

HttpResponse complete(std::uint16_t port, std::string_view challenge, std::string_view field, std::string_view value,
                      SecretScan& scan) {
  auto answer = post(port, "/api/v1/auth/login/mfa", {{"challenge", challenge}, {std::string(field), value}});
  if (answer.status != 200) scan.answer(answer);  // a 200 legitimately hands out tokens
  return answer;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// RFC 4648 base32 back to bytes (test-side only: to look for the raw key).
std::string base32_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const auto value = c >= 'A' && c <= 'Z' ? c - 'A' : c - '2' + 26;
    buffer = (buffer << 5) | static_cast<unsigned>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

TEST(Mfa, EnrolmentThenALoginCompletedWithACodeThatWorksOnce) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto customer = new_customer(server.port());
  const auto email = email_of(server.port(), customer);
  SecretScan scan;
  scan.add(std::string(kPassword));
  scan.add(customer.refresh_token);

  EXPECT_EQ(post(server.port(), "/api/v1/auth/mfa/totp", {}).status, 401) << "a logged-in user only";
  // A wrong first code leaves MFA off; the right one turns it on.
  const auto started = post(server.port(), "/api/v1/auth/mfa/totp", {}, customer.access_token);
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string pending_secret(json_of(started).at("secret").as_string());
  scan.add(pending_secret);
  const auto refused = post(server.port(), "/api/v1/auth/mfa/totp/confirm", {{"code", wrong_code(pending_secret)}},
                            customer.access_token);
  scan.answer(refused);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(problem_type(refused), "/problems/invalid-mfa-code");
  const auto malformed =
      post(server.port(), "/api/v1/auth/mfa/totp/confirm", {{"code", "12345a"}}, customer.access_token);
  EXPECT_EQ(malformed.status, 422) << malformed.body;
  ASSERT_TRUE(log_in(server.port(), email, kPassword).has_value()) << "MFA is not on before a confirmation";

  const auto enrolled = enrol(server.port(), customer, scan);
  ASSERT_EQ(enrolled.recovery_codes.size(), 10U);
  EXPECT_EQ(std::set<std::string>(enrolled.recovery_codes.begin(), enrolled.recovery_codes.end()).size(), 10U);
  const auto again = post(server.port(), "/api/v1/auth/mfa/totp", {}, customer.access_token);
  scan.answer(again);
  EXPECT_EQ(again.status, 409) << "MFA is on: enrolling again needs it off first";

  // The password alone no longer logs in.
  EXPECT_FALSE(log_in(server.port(), email, kPassword).has_value());
  const auto challenge = challenge_of(server.port(), email, scan);
  ASSERT_FALSE(challenge.empty());
  // The confirmation used the step of its code: the same code, or an older
  // one, is refused from now on; the next step's code is within the window.
  const auto used = oathtool_code(enrolled.secret, enrolled.confirmed_at);
  const auto replayed = complete(server.port(), challenge, "code", used, scan);
  EXPECT_EQ(replayed.status, 401) << "the confirmation's code, replayed";
  EXPECT_EQ(problem_type(replayed), "/problems/invalid-mfa-code");
  const auto next = oathtool_code(enrolled.secret, enrolled.confirmed_at + 30);
  scan.add_code(next);
  const auto done = complete(server.port(), challenge, "code", next, scan);
  ASSERT_EQ(done.status, 200) << done.body;
  const auto tokens = json_of(done);
  const std::string access(tokens.at("access_token").as_string());
  scan.add(std::string(tokens.at("refresh_token").as_string()));
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/auth/me", {}, access).status, 200);

  // Replayed within its window, with a fresh challenge: refused.
  const auto second = challenge_of(server.port(), email, scan);
  const auto replay = complete(server.port(), second, "code", next, scan);
  EXPECT_EQ(replay.status, 401) << "a code works once";
  // A completed challenge is spent: even a recovery code cannot reuse it (and is not spent by trying).
  const auto reused = complete(server.port(), challenge, "recovery_code", enrolled.recovery_codes[0], scan);
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(problem_type(reused), "/problems/invalid-mfa-challenge");
  EXPECT_EQ(complete(server.port(), second, "recovery_code", enrolled.recovery_codes[0], scan).status, 200)
      << "the recovery code was not spent by the refused attempt";

  // Neither the secret nor a recovery code is in the database in clear.
  const auto database = read_file(std::filesystem::path(server.data_dir()) / "data" / "orderly.db") +
                        read_file(std::filesystem::path(server.data_dir()) / "data" / "orderly.db-wal");
  EXPECT_EQ(database.find(enrolled.secret), std::string::npos);
  EXPECT_EQ(database.find(base32_decode(enrolled.secret)), std::string::npos) << "the raw key";
  for (const auto& code : enrolled.recovery_codes) EXPECT_EQ(database.find(code), std::string::npos);
  scan.expect_clean(server);
}

TEST(Mfa, ARecoveryCodeLogsInOnceAndEachUseIsAudited) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto customer = new_customer(server.port());
  const auto email = email_of(server.port(), customer);
  SecretScan scan;
  scan.add(std::string(kPassword));
  const auto enrolled = enrol(server.port(), customer, scan);
  ASSERT_EQ(enrolled.recovery_codes.size(), 10U);

  const auto first = challenge_of(server.port(), email, scan);
  const auto used = complete(server.port(), first, "recovery_code", enrolled.recovery_codes[3], scan);
  ASSERT_EQ(used.status, 200) << used.body;
  scan.add(std::string(json_of(used).at("refresh_token").as_string()));
  const auto second = challenge_of(server.port(), email, scan);
  const auto again = complete(server.port(), second, "recovery_code", enrolled.recovery_codes[3], scan);
  EXPECT_EQ(again.status, 401) << "a recovery code works once";
  EXPECT_EQ(problem_type(again), "/problems/invalid-mfa-code");
  // Typed in capitals, without the dashes: the same code.
  std::string typed;
  for (const char c : enrolled.recovery_codes[4]) {
    if (c != '-') typed.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  const auto other = complete(server.port(), second, "recovery_code", typed, scan);
  EXPECT_EQ(other.status, 200) << other.body;
  if (other.status == 200) scan.add(std::string(json_of(other).at("refresh_token").as_string()));

  const auto admin = admin_session(server.port());
  const auto audit = [&](std::string_view action) {
    const auto answer = api_request(server.port(), "GET", "/api/v1/admin/audit?action=" + std::string(action), {},
                                    admin.access_token);
    scan.answer(answer);
    EXPECT_EQ(answer.status, 200) << answer.body;
    std::size_t about_customer = 0;
    const auto page = json_of(answer);
    if (!page.is_object()) return about_customer;
    for (const auto& item : page.at("items").as_array()) {
      about_customer += item.at("subject").as_string() == customer.user_id ? 1 : 0;
    }
    return about_customer;
  };
  EXPECT_EQ(audit("auth.mfa_enabled"), 1U);
  EXPECT_EQ(audit("auth.mfa_recovery_code_used"), 2U);
  EXPECT_GE(audit("auth.mfa_code_refused"), 1U);
  scan.expect_clean(server);
}

TEST(Mfa, TenWrongCodesAreThrottledAndTheRightOneThenWaits) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto customer = new_customer(server.port());
  const auto email = email_of(server.port(), customer);
  SecretScan scan;
  scan.add(std::string(kPassword));
  // Enrolled from another address, so the ten below are the only attempts
  // this address made at the account (auth.login_per_account_and_address: 10/15m).
  const auto enrolled = enrol(server.port(), customer, scan, "127.0.0.2");
  ASSERT_FALSE(enrolled.secret.empty());
  const auto challenge = challenge_of(server.port(), email, scan);
  const auto wrong = wrong_code(enrolled.secret);
  for (int attempt = 1; attempt <= 10; ++attempt) {
    const auto answer = complete(server.port(), challenge, "code", wrong, scan);
    EXPECT_EQ(answer.status, 401) << "attempt " << attempt << ": " << answer.body;
  }
  const auto right = oathtool_code(enrolled.secret, enrolled.confirmed_at + 30);
  scan.add_code(right);
  const auto throttled = complete(server.port(), challenge, "code", right, scan);
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_TRUE(throttled.header("Retry-After").has_value());
  scan.expect_clean(server);
}

TEST(Mfa, AnExpiredChallengeIsRefused) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto customer = new_customer(server.port());
  const auto email = email_of(server.port(), customer);
  SecretScan scan;
  const auto enrolled = enrol(server.port(), customer, scan);
  ASSERT_FALSE(enrolled.secret.empty());
  const auto challenge = challenge_of(server.port(), email, scan);
  // auth.mfa_challenge_ttl (5 minutes) passes: the operator's view of the database, as a clock would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((server.data_dir() + "/data/orderly.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE mfa_challenges SET expires_at_ms = expires_at_ms - 300001", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto code = oathtool_code(enrolled.secret, enrolled.confirmed_at + 30);
  scan.add_code(code);
  const auto expired = complete(server.port(), challenge, "code", code, scan);
  EXPECT_EQ(expired.status, 401) << expired.body;
  EXPECT_EQ(problem_type(expired), "/problems/invalid-mfa-challenge");
  EXPECT_EQ(complete(server.port(), challenge_of(server.port(), email, scan), "code", code, scan).status, 200)
      << "the code was not spent on the expired challenge";
  scan.expect_clean(server);
}

TEST(Mfa, TurningItOffNeedsACode) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto customer = new_customer(server.port());
  const auto email = email_of(server.port(), customer);
  SecretScan scan;
  scan.add(std::string(kPassword));
  const auto enrolled = enrol(server.port(), customer, scan);
  ASSERT_FALSE(enrolled.secret.empty());
  const auto off = [&](const json::object& body) {
    auto answer = api_request(server.port(), "DELETE", "/api/v1/auth/mfa/totp", json::serialize(body),
                              customer.access_token);
    scan.answer(answer);
    return answer;
  };
  EXPECT_EQ(off({}).status, 422) << "a code is needed";
  EXPECT_EQ(off({{"code", wrong_code(enrolled.secret)}}).status, 401);
  const auto code = oathtool_code(enrolled.secret, enrolled.confirmed_at + 30);
  scan.add_code(code);
  ASSERT_EQ(off({{"code", code}}).status, 204);
  EXPECT_EQ(off({{"code", code}}).status, 409) << "already off";
  EXPECT_TRUE(log_in(server.port(), email, kPassword).has_value()) << "the password alone logs in again";
  scan.expect_clean(server);
}

TEST(Mfa, AnAdminWithoutItIsRefusedAdminRoutesWhenTheSettingAsks) {
  OrderlyProcess server({.extra_args = {"--set", "auth.require_mfa_for_admin=true"},
                         .environment = {admin_password_environment()}});
  SecretScan scan;
  scan.add(std::string(kTestAdminPassword));
  const auto password_only = admin_session(server.port());
  const auto refused = api_request(server.port(), "GET", "/api/v1/admin/audit", {}, password_only.access_token);
  scan.answer(refused);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(problem_type(refused), "/problems/mfa-required");

  const auto enrolled = enrol(server.port(), password_only, scan);
  ASSERT_FALSE(enrolled.secret.empty());
  const auto login = post(server.port(), "/api/v1/auth/login",
                          {{"email", kTestAdminEmail}, {"password", kTestAdminPassword}});
  const std::string challenge(json_of(login).at("challenge").as_string());
  scan.add(challenge);
  const auto code = oathtool_code(enrolled.secret, enrolled.confirmed_at + 30);
  scan.add_code(code);
  const auto done = complete(server.port(), challenge, "code", code, scan);
  ASSERT_EQ(done.status, 200) << done.body;
  const std::string with_mfa(json_of(done).at("access_token").as_string());
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/audit", {}, with_mfa).status, 200);
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/audit", {}, password_only.access_token).status, 403)
      << "a token from before the second factor stays refused";
  scan.expect_clean(server);
}

TEST(Mfa, AdminsWithoutItKeepAdminRoutesByDefault) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto admin = admin_session(server.port());
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/audit", {}, admin.access_token).status, 200)
      << "auth.require_mfa_for_admin is false by default";
}

}  // namespace
}  // namespace orderly::testing
