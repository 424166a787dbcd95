#include "auth/api/http_user_directory.hpp"

#include <boost/json/parse.hpp>

#include "core/service_unavailable.hpp"
#include "rpc/path_segment.hpp"

namespace orderly::auth {

boost::asio::awaitable<std::optional<UserContact>> HttpUserDirectory::contact(std::string user_id,
                                                                             core::CallContext context) {
  if (!rpc::is_safe_path_segment(user_id)) co_return std::nullopt;  // no user has such an id
  auto target = "/internal/v1/users/" + user_id + "/contact";
  const auto response = co_await channel_.call("contact", "GET", std::move(target), std::string(), true,
                                                std::move(context));
  if (response.status == 404) co_return std::nullopt;
  std::optional<UserContact> contact;
  if (response.status == 200) {
    try {
      const auto parsed = boost::json::parse(response.body).as_object();
      // An auth from before verification existed sends no email_verified: unverified.
      const auto* verified = parsed.if_contains("email_verified");
      contact = UserContact{std::string(parsed.at("email").as_string()), std::string(parsed.at("name").as_string()),
                            verified != nullptr && verified->is_bool() && verified->as_bool()};
    } catch (const std::exception&) {
      contact.reset();
    }
  }
  if (!contact) {
    throw core::ServiceUnavailable("auth", "auth contact: unexpected answer " + std::to_string(response.status));
  }
  co_return contact;
}

boost::asio::awaitable<std::optional<std::int64_t>> HttpUserDirectory::token_version(std::string user_id,
                                                                                    core::CallContext context) {
  if (!rpc::is_safe_path_segment(user_id)) co_return std::nullopt;
  auto target = "/internal/v1/users/" + user_id + "/token-version";
  const auto response = co_await channel_.call("token_version", "GET", std::move(target), std::string(), true,
                                                std::move(context));
  if (response.status == 404) co_return std::nullopt;
  if (response.status == 200) {
    try {
      const auto parsed = boost::json::parse(response.body).as_object();
      co_return parsed.at("token_version").as_int64();
    } catch (const std::exception&) {
    }
  }
  throw core::ServiceUnavailable("auth", "auth token version: unexpected answer " + std::to_string(response.status));
}

}  // namespace orderly::auth
