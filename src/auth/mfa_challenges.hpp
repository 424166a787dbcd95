#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// The step between a password that matched and the second factor: a login
// of an account with MFA on answers with a challenge (256 random bits,
// base64url) instead of tokens, and POST /auth/login/mfa completes it with a
// code. Only its SHA-256 is stored; it works once, for `lifetime`, for the
// account whose password matched. Thread-safe.
class MfaChallenges {
 public:
  MfaChallenges(store::Store& store, const core::Clock& clock, std::chrono::milliseconds lifetime)
      : store_(store), clock_(clock), lifetime_(lifetime) {}

  // A new challenge for `user_id`.
  boost::asio::awaitable<std::string> start(std::string user_id);
  // The account of a live (unused, unexpired) challenge, without spending it.
  boost::asio::awaitable<std::optional<std::string>> peek(std::string challenge);
  // Spends a live challenge; false when it is not one (or a concurrent call spent it).
  boost::asio::awaitable<bool> spend(std::string challenge);

  [[nodiscard]] std::chrono::milliseconds lifetime() const { return lifetime_; }

 private:
  store::Store& store_;
  const core::Clock& clock_;
  std::chrono::milliseconds lifetime_;
};

}  // namespace orderly::auth
