#include "auth/login_throttle.hpp"

#include "resilience/rate_limit_headers.hpp"

namespace orderly::auth {

boost::asio::awaitable<std::optional<net::Response>> LoginThrottle::admit(std::string address, std::string email) {
  const auto by_address = co_await per_address_.acquire("ip:" + address);
  if (!by_address.allowed) co_return resilience::rate_limited_response(per_address_.policy(), by_address);
  const auto by_pair = co_await per_account_and_address_.acquire("acct-ip:" + email + "|" + address);
  if (!by_pair.allowed) co_return resilience::rate_limited_response(per_account_and_address_.policy(), by_pair);
  const auto by_account = co_await per_account_.acquire("acct:" + email);
  if (!by_account.allowed) co_return resilience::rate_limited_response(per_account_.policy(), by_account);
  co_return std::nullopt;
}

}  // namespace orderly::auth
