#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "net/http_message.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::auth {

// The brute-force limits in front of password checks, three token buckets
// consulted in order, stopping at the first refusal (so a refused attempt
// spends nothing further and costs no hashing):
//   per client address: every login attempt from one address;
//   per account and address: attempts at one account from one address;
//   per account: attempts at one account from anywhere, set well above the
//     second, so an attacker on one address trips that one first and the
//     real owner, on another address, can still log in.
// Keys never reach logs or headers (RateLimit headers name only the policy).
class LoginThrottle {
 public:
  LoginThrottle(resilience::RateLimiter& per_address, resilience::RateLimiter& per_account_and_address,
                resilience::RateLimiter& per_account)
      : per_address_(per_address), per_account_and_address_(per_account_and_address), per_account_(per_account) {}

  // nullopt: go ahead; otherwise the 429 answer (Retry-After, RateLimit headers).
  boost::asio::awaitable<std::optional<net::Response>> admit(std::string address, std::string email);

 private:
  resilience::RateLimiter& per_address_;
  resilience::RateLimiter& per_account_and_address_;
  resilience::RateLimiter& per_account_;
};

}  // namespace orderly::auth
