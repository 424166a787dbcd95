#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "support/http_client.hpp"

namespace orderly::testing {

// The admin password end-to-end tests start servers with (ORDERLY_ADMIN_PASSWORD).
inline constexpr std::string_view kTestAdminPassword = "e2e-admin-password-7f3k";
inline constexpr std::string_view kTestAdminEmail = "admin@orderly.local";

// Headers of a JSON request, with a bearer token when `token` is not empty.
std::vector<std::pair<std::string, std::string>> json_headers(std::string_view token = {});

// One JSON request on a fresh connection. Fails the test (ADD_FAILURE) and
// returns status 0 when there is no answer.
HttpResponse api_request(std::uint16_t port, std::string_view method, std::string_view target,
                         std::string_view body = {}, std::string_view token = {},
                         std::vector<std::pair<std::string, std::string>> extra_headers = {},
                         std::string_view source_address = {});

// The body parsed as JSON (null when it is not JSON).
boost::json::value json_of(const HttpResponse& response);
// Whether a 422 problem's "errors" list names `field`.
bool has_field_error(const HttpResponse& response, std::string_view field);

struct Session {
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
};

// POST /auth/signup; the response is returned as is.
HttpResponse sign_up(std::uint16_t port, std::string_view email, std::string_view password,
                     std::string_view name = "Test User");
// POST /auth/login; nullopt unless 200 with tokens (an account with MFA on gets a challenge).
std::optional<Session> log_in(std::uint16_t port, std::string_view email, std::string_view password);
// A fresh customer: signs up with a unique email, logs in. ASSERT-style failures become ADD_FAILURE.
Session new_customer(std::uint16_t port);
// Logs in as the seeded admin (server started with kTestAdminPassword).
Session admin_session(std::uint16_t port);

// Environment for OrderlyProcess::Options::environment that sets the admin password.
std::string admin_password_environment();

}  // namespace orderly::testing
