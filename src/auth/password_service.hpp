#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "auth/password_hasher.hpp"
#include "auth/password_resets.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/user_store.hpp"

namespace orderly::auth {

enum class PasswordOutcome {
  changed,
  wrong_password,  // change: the current password does not match
  bad_token,       // reset: unknown, used or expired token (one answer for all three)
  weak,            // the new password fails the policy (`weakness` says why)
};

struct PasswordAnswer {
  PasswordOutcome outcome = PasswordOutcome::bad_token;
  std::string weakness;
  std::string user_id;  // set when changed
};

// Password change and reset, without HTTP. Both end every session: the new
// hash raises the user's token version (admin routes refuse older tokens at
// once) and every refresh family is revoked. Thread-safe.
class PasswordService {
 public:
  // `hasher` is the login pool (a change is made by a logged-in user);
  // `anonymous_hasher` the signup pool (a reset is made by anyone with a link).
  PasswordService(UserStore& users, RefreshTokens& refresh_tokens, PasswordResets& resets, PasswordHasher& hasher,
                  PasswordHasher& anonymous_hasher)
      : users_(users),
        refresh_tokens_(refresh_tokens),
        resets_(resets),
        hasher_(hasher),
        anonymous_hasher_(anonymous_hasher) {}

  // Throws net::PoolSaturated when the hash pool is full.
  boost::asio::awaitable<PasswordAnswer> change(std::string user_id, std::string current_password,
                                                std::string new_password);

  // Mails a reset link when `email` (normalised) has an account; does
  // nothing otherwise. The caller answers before this runs, so the answer
  // tells nothing.
  boost::asio::awaitable<void> request_reset(std::string email, std::string traceparent);

  // Throws net::PoolSaturated when the hash pool is full.
  boost::asio::awaitable<PasswordAnswer> confirm_reset(std::string token, std::string new_password);

 private:
  UserStore& users_;
  RefreshTokens& refresh_tokens_;
  PasswordResets& resets_;
  PasswordHasher& hasher_;
  PasswordHasher& anonymous_hasher_;
};

}  // namespace orderly::auth
