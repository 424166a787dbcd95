// The Auth rows of API.md, on the real binary over real sockets: every
// endpoint, each error status, the stored password hash, and the login
// brute-force limits.
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/base64url.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view kPassword = "correct horse battery";

OrderlyProcess::Options with_admin() {
  OrderlyProcess::Options options;
  options.environment = {admin_password_environment()};
  return options;
}

std::string body_of(std::string_view email, std::string_view password) {
  return json::serialize(json::object{{"email", email}, {"password", password}});
}

std::string run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string output;
  char chunk[512];
  while (fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
  pclose(pipe);
  return output;
}

TEST(AuthApi, SignupCreatesACustomerAndRefusesBadInput) {
  OrderlyProcess server;
  const auto created = sign_up(server.port(), "Alice@Example.com", kPassword, "Alice");
  ASSERT_EQ(created.status, 201) << created.body;
  const auto user = json_of(created);
  EXPECT_EQ(user.at("email").as_string(), "alice@example.com");
  EXPECT_EQ(user.at("name").as_string(), "Alice");
  EXPECT_EQ(json::serialize(user.at("roles")), R"(["customer"])");
  EXPECT_FALSE(user.at("id").as_string().empty());
  EXPECT_EQ(created.body.find("password"), std::string::npos);

  EXPECT_EQ(sign_up(server.port(), "ALICE@example.com", kPassword).status, 409);

  const auto short_password = sign_up(server.port(), "bob@example.com", "short1");
  EXPECT_EQ(short_password.status, 422);
  EXPECT_TRUE(has_field_error(short_password, "password")) << short_password.body;
  EXPECT_EQ(short_password.body.find("short1"), std::string::npos) << "a password is never echoed";

  const auto common_password = sign_up(server.port(), "bob@example.com", "password123");
  EXPECT_EQ(common_password.status, 422);
  EXPECT_TRUE(has_field_error(common_password, "password"));

  const auto bad_email = sign_up(server.port(), "not-an-email", kPassword);
  EXPECT_EQ(bad_email.status, 422);
  EXPECT_TRUE(has_field_error(bad_email, "email"));

  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/signup", "{not json").status, 400);
  const auto wrong_types =
      api_request(server.port(), "POST", "/api/v1/auth/signup", R"({"email": 5, "password": [], "name": true})");
  EXPECT_EQ(wrong_types.status, 422);
  EXPECT_TRUE(has_field_error(wrong_types, "email") && has_field_error(wrong_types, "password") &&
              has_field_error(wrong_types, "name"))
      << wrong_types.body;
}

TEST(AuthApi, LoginGivesATokenPairAndTheSameAnswerForUnknownEmailsAndWrongPasswords) {
  OrderlyProcess server;
  ASSERT_EQ(sign_up(server.port(), "carol@example.com", kPassword).status, 201);

  const auto ok = api_request(server.port(), "POST", "/api/v1/auth/login", body_of("carol@example.com", kPassword));
  ASSERT_EQ(ok.status, 200) << ok.body;
  const auto tokens = json_of(ok);
  EXPECT_EQ(tokens.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(tokens.at("expires_in").as_int64(), 900);
  EXPECT_EQ(std::count(tokens.at("access_token").as_string().begin(), tokens.at("access_token").as_string().end(), '.'),
            2);
  EXPECT_GE(tokens.at("refresh_token").as_string().size(), 43U);  // 256 bits in base64url
  EXPECT_EQ(ok.header("Cache-Control").value_or(""), "no-store");

  const auto wrong_password =
      api_request(server.port(), "POST", "/api/v1/auth/login", body_of("carol@example.com", "wrong password!"));
  const auto unknown_email =
      api_request(server.port(), "POST", "/api/v1/auth/login", body_of("nobody@example.com", kPassword));
  EXPECT_EQ(wrong_password.status, 401);
  EXPECT_EQ(unknown_email.status, 401);
  EXPECT_EQ(wrong_password.body, unknown_email.body);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/login", R"({"email": "x@example.com"})").status, 422);
}

// CPU time the process has used so far (every thread, user and system), from /proc/PID/stat.
std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  // Fields after the command name (which is in parentheses): state is field 3, utime 14, stime 15.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long long utime = 0;
  long long stime = 0;
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number == 14) utime = std::stoll(field);
    if (number == 15) stime = std::stoll(field);
  }
  return std::chrono::milliseconds((utime + stime) * 1000 / ::sysconf(_SC_CLK_TCK));
}

TEST(AuthApi, AnUnknownEmailCostsTheSameHashWorkAsAWrongPassword) {
  OrderlyProcess server;
  ASSERT_EQ(sign_up(server.port(), "dave@example.com", kPassword).status, 201);
  // The server's CPU time around each refused login, the two kinds taken in
  // turn so background work falls on both alike. An Argon2id verification
  // (19 MiB, t = 2) costs tens of milliseconds; a lookup that finds nobody, next to nothing.
  constexpr int kEach = 8;
  std::chrono::milliseconds wrong_password{0};
  std::chrono::milliseconds unknown_email{0};
  for (int i = 0; i < kEach; ++i) {
    for (const bool unknown : {false, true}) {
      const auto body = unknown ? body_of("nobody-" + std::to_string(i) + "@example.com", kPassword)
                                : body_of("dave@example.com", "wrong password " + std::to_string(i));
      const auto before = cpu_time(server.pid());
      const auto refused = api_request(server.port(), "POST", "/api/v1/auth/login", body);
      const auto used = cpu_time(server.pid()) - before;
      ASSERT_EQ(refused.status, 401) << refused.body;
      (unknown ? unknown_email : wrong_password) += used;
    }
  }
  std::cout << "server CPU for " << kEach << " wrong passwords: " << wrong_password.count() << " ms, for " << kEach
            << " unknown emails: " << unknown_email.count() << " ms\n";
  ASSERT_GE(wrong_password, std::chrono::milliseconds(kEach * 5)) << "a verification costs measurable work";
  EXPECT_GE(unknown_email * 2, wrong_password) << "an unknown email is hashed too";
  EXPECT_LE(unknown_email, wrong_password * 2);
}

TEST(AuthApi, MeNeedsAValidBearerToken) {
  OrderlyProcess server;
  const auto session = new_customer(server.port());
  const auto me = api_request(server.port(), "GET", "/api/v1/auth/me", {}, session.access_token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(json_of(me).at("id").as_string(), session.user_id);

  const auto anonymous = api_request(server.port(), "GET", "/api/v1/auth/me");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("WWW-Authenticate").value_or(""), "Bearer");
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/auth/me", {}, "not.a.token").status, 401);
  const auto basic = api_request(server.port(), "GET", "/api/v1/auth/me", {}, {}, {{"Authorization", "Basic YTpi"}});
  EXPECT_EQ(basic.status, 401);
}

TEST(AuthApi, RefreshRotatesAndReusingASpentTokenRevokesTheFamily) {
  OrderlyProcess server;
  const auto session = new_customer(server.port());
  const auto refresh = [&](const std::string& token) {
    return api_request(server.port(), "POST", "/api/v1/auth/refresh",
                       json::serialize(json::object{{"refresh_token", token}}));
  };
  const auto first = refresh(session.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string second_token(json_of(first).at("refresh_token").as_string());
  EXPECT_NE(second_token, session.refresh_token);
  const std::string new_access(json_of(first).at("access_token").as_string());
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/auth/me", {}, new_access).status, 200);

  // The spent token again: a thief or a replay. The whole family dies,
  // including the legitimate successor.
  EXPECT_EQ(refresh(session.refresh_token).status, 401);
  EXPECT_EQ(refresh(second_token).status, 401);
  EXPECT_TRUE(server.wait_for_line("audit.refresh_reuse", std::chrono::seconds(5)));
  EXPECT_EQ(refresh("unknown-token").status, 401);
}

TEST(AuthApi, LogoutRevokesTheRefreshToken) {
  OrderlyProcess server;
  const auto session = new_customer(server.port());
  const auto body = json::serialize(json::object{{"refresh_token", session.refresh_token}});
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/logout", body).status, 204);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/refresh", body).status, 401);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/logout", R"({"refresh_token": "whatever"})").status, 204);
}

TEST(AuthApi, JwksPublishesTheKeyThatSignsTokens) {
  OrderlyProcess server;
  const auto session = new_customer(server.port());
  const auto jwks = api_request(server.port(), "GET", "/.well-known/jwks.json");
  ASSERT_EQ(jwks.status, 200);
  EXPECT_NE(jwks.header("Cache-Control").value_or("").find("max-age="), std::string::npos);
  const auto keys = json_of(jwks).at("keys").as_array();
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].at("kty").as_string(), "OKP");
  EXPECT_EQ(keys[0].at("crv").as_string(), "Ed25519");
  EXPECT_FALSE(keys[0].as_object().contains("d")) << "never the private part";

  // The kid comes from the token's own header; the key the JWKS publishes
  // under it must verify the token's signature.
  const auto& token = session.access_token;
  const auto first_dot = token.find('.');
  const auto last_dot = token.rfind('.');
  ASSERT_NE(first_dot, last_dot);
  const auto header = json::parse(base64url_decode(token.substr(0, first_dot))).as_object();
  const auto kid = std::string(header.at("kid").as_string());
  ASSERT_FALSE(kid.empty());
  const json::object* published = nullptr;
  for (const auto& key : keys) {
    if (key.at("kid").as_string() == kid) published = &key.as_object();
  }
  ASSERT_NE(published, nullptr) << "the token's kid " << kid << " is not in the JWKS: " << jwks.body;
  const auto public_key = base64url_decode(published->at("x").as_string());
  ASSERT_EQ(public_key.size(), crypto_sign_PUBLICKEYBYTES);
  const auto signature = base64url_decode(token.substr(last_dot + 1));
  ASSERT_EQ(signature.size(), crypto_sign_BYTES);
  const auto signing_input = token.substr(0, last_dot);
  ASSERT_GE(sodium_init(), 0);
  EXPECT_EQ(
      crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                                  reinterpret_cast<const unsigned char*>(public_key.data())),
      0)
      << "the published key verifies the token";
}

TEST(AuthApi, AdminChangesRolesAndCustomersCannot) {
  OrderlyProcess server(with_admin());
  const auto admin = admin_session(server.port());
  const auto customer = new_customer(server.port());
  const auto target = "/api/v1/admin/users/" + customer.user_id + "/roles";
  const std::string make_admin = R"({"roles": ["customer", "admin"]})";

  EXPECT_EQ(api_request(server.port(), "PUT", target, make_admin).status, 401);
  const auto forbidden = api_request(server.port(), "PUT", target, make_admin, customer.access_token);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(api_request(server.port(), "PUT", target, R"({"roles": ["root"]})", admin.access_token).status, 422);
  EXPECT_EQ(api_request(server.port(), "PUT", target, R"({"roles": []})", admin.access_token).status, 422);
  EXPECT_EQ(api_request(server.port(), "PUT", "/api/v1/admin/users/usr_missing/roles", make_admin, admin.access_token)
                .status,
            404);

  const auto changed = api_request(server.port(), "PUT", target, make_admin, admin.access_token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(json::serialize(json_of(changed).at("roles")), R"(["customer","admin"])");
  EXPECT_TRUE(server.wait_for_line("audit.role_change", std::chrono::seconds(5)));

  // A role change ends the user's sessions (issue 16): the old refresh token
  // is refused, and the next login's access token carries the new role.
  const auto refreshed = api_request(server.port(), "POST", "/api/v1/auth/refresh",
                                     json::serialize(json::object{{"refresh_token", customer.refresh_token}}));
  EXPECT_EQ(refreshed.status, 401);
  const auto me = json_of(api_request(server.port(), "GET", "/api/v1/auth/me", {}, customer.access_token));
  const auto promoted = log_in(server.port(), std::string(me.at("email").as_string()), kPassword);
  ASSERT_TRUE(promoted.has_value());
  EXPECT_EQ(api_request(server.port(), "PUT", target, make_admin, promoted->access_token).status, 200);
}

TEST(AuthApi, PasswordsAreStoredAsArgon2idWithAtLeastTheOwaspParameters) {
  OrderlyProcess server;
  ASSERT_EQ(sign_up(server.port(), "dave@example.com", kPassword).status, 201);
  const auto hash = run_command("sqlite3 " + server.data_dir() +
                                "/data/orderly.db \"SELECT password_hash FROM users WHERE email = 'dave@example.com'\"");
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0U) << hash;
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
}

TEST(AuthApi, LoginFloodFromOneAddressIsLimitedWhileTheOwnerLogsInFromAnother) {
  OrderlyProcess server;
  ASSERT_EQ(sign_up(server.port(), "erin@example.com", kPassword).status, 201);
  int unauthorized = 0;
  int limited = 0;
  HttpResponse last_limited;
  for (int attempt = 0; attempt < 15; ++attempt) {
    const auto response = api_request(server.port(), "POST", "/api/v1/auth/login",
                                      body_of("erin@example.com", "guess number " + std::to_string(attempt)), {}, {},
                                      "127.0.0.1");
    if (response.status == 401) ++unauthorized;
    if (response.status == 429) {
      ++limited;
      last_limited = response;
    }
  }
  EXPECT_EQ(unauthorized, 10) << "auth.login_per_account_and_address allows 10 per 15 minutes";
  EXPECT_EQ(limited, 5);
  EXPECT_GE(std::stoi(last_limited.header("Retry-After").value_or("0")), 1);
  EXPECT_TRUE(last_limited.header("RateLimit").has_value());
  EXPECT_TRUE(last_limited.header("RateLimit-Policy").has_value());
  EXPECT_EQ(json_of(last_limited).at("type").as_string(), "/problems/rate-limited");

  // The attacker's address stays shut even with the right password...
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/login", body_of("erin@example.com", kPassword), {}, {},
                        "127.0.0.1")
                .status,
            429);
  // ...while the owner, elsewhere, gets in.
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/auth/login", body_of("erin@example.com", kPassword), {}, {},
                        "127.0.0.2")
                .status,
            200);

  const auto metrics = http_get(server.ops_port(), "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(orderly_auth_logins_total{outcome="rate_limited"} 6)"), std::string::npos);
  EXPECT_NE(metrics->body.find(R"(orderly_auth_logins_total{outcome="wrong_credentials"} 10)"), std::string::npos);
  for (const auto& line : server.stdout_lines()) {
    EXPECT_EQ(line.find("guess number"), std::string::npos) << "a password reached the log: " << line;
  }
}

TEST(AuthApi, BehindATrustedProxyTheLimitsKeyOnTheForwardedClientAddress) {
  OrderlyProcess::Options options;
  options.extra_args = {"--set", "http.trusted_proxies=127.0.0.1"};
  OrderlyProcess server(options);
  ASSERT_EQ(sign_up(server.port(), "frank@example.com", kPassword).status, 201);
  const auto login_from = [&](std::string_view client, std::string_view password) {
    return api_request(server.port(), "POST", "/api/v1/auth/login", body_of("frank@example.com", password), {},
                       {{"X-Forwarded-For", std::string(client)}})
        .status;
  };
  for (int attempt = 0; attempt < 10; ++attempt) EXPECT_EQ(login_from("198.51.100.1", "wrong password!"), 401);
  EXPECT_EQ(login_from("198.51.100.1", "wrong password!"), 429);
  // Every request comes from the proxy (127.0.0.1), yet another client is not shut out...
  EXPECT_EQ(login_from("198.51.100.2", kPassword), 200);
  // ...and a client cannot escape its limit by prepending an address of its choosing.
  EXPECT_EQ(login_from("203.0.113.5, 198.51.100.1", kPassword), 429);
}

}  // namespace
}  // namespace orderly::testing
