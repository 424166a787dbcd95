#include "support/api_client.hpp"

#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::testing {

std::vector<std::pair<std::string, std::string>> json_headers(std::string_view token) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + std::string(token));
  return headers;
}

HttpResponse api_request(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                         std::string_view token, std::vector<std::pair<std::string, std::string>> extra_headers,
                         std::string_view source_address) {
  auto headers = json_headers(token);
  for (auto& header : extra_headers) headers.push_back(std::move(header));
  HttpConnection connection(port, source_address);
  auto response = connection.request(method, target, headers, body);
  if (!response) {
    ADD_FAILURE() << method << " " << target << ": no response";
    return HttpResponse{};
  }
  return *response;
}

boost::json::value json_of(const HttpResponse& response) {
  boost::system::error_code error;
  auto value = boost::json::parse(response.body, error);
  return error ? boost::json::value{} : value;
}

HttpResponse sign_up(std::uint16_t port, std::string_view email, std::string_view password, std::string_view name) {
  const boost::json::object body{{"email", email}, {"password", password}, {"name", name}};
  return api_request(port, "POST", "/api/v1/auth/signup", boost::json::serialize(body));
}

std::optional<Session> log_in(std::uint16_t port, std::string_view email, std::string_view password) {
  const boost::json::object body{{"email", email}, {"password", password}};
  const auto response = api_request(port, "POST", "/api/v1/auth/login", boost::json::serialize(body));
  if (response.status != 200) return std::nullopt;
  const auto json = json_of(response).as_object();
  if (!json.contains("access_token")) return std::nullopt;  // MFA on: a challenge, not tokens
  Session session;
  session.access_token = std::string(json.at("access_token").as_string());
  session.refresh_token = std::string(json.at("refresh_token").as_string());
  const auto me = api_request(port, "GET", "/api/v1/auth/me", {}, session.access_token);
  if (me.status == 200) session.user_id = std::string(json_of(me).at("id").as_string());
  return session;
}

Session new_customer(std::uint16_t port) {
  static std::atomic<int> counter{0};
  const auto email = "customer" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "@example.com";
  constexpr std::string_view kPassword = "correct horse battery";
  const auto created = sign_up(port, email, kPassword);
  if (created.status != 201) ADD_FAILURE() << "signup: " << created.status << " " << created.body;
  auto session = log_in(port, email, kPassword);
  if (!session) {
    ADD_FAILURE() << "login of a new customer failed";
    return {};
  }
  return *session;
}

Session admin_session(std::uint16_t port) {
  auto session = log_in(port, kTestAdminEmail, kTestAdminPassword);
  if (!session) {
    ADD_FAILURE() << "admin login failed (was the server started with admin_password_environment()?)";
    return {};
  }
  return *session;
}

std::string admin_password_environment() { return "ORDERLY_ADMIN_PASSWORD=" + std::string(kTestAdminPassword); }

bool has_field_error(const HttpResponse& response, std::string_view field) {
  const auto body = json_of(response);
  if (!body.is_object() || !body.as_object().contains("errors")) return false;
  for (const auto& error : body.at("errors").as_array()) {
    if (error.at("field").as_string() == field) return true;
  }
  return false;
}

}  // namespace orderly::testing
