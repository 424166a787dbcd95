#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "auth/password_hasher.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/token_issuer.hpp"
#include "auth/user_store.hpp"
#include "core/random.hpp"

namespace orderly::auth {

struct TokenPair {
  std::string access_token;
  std::chrono::seconds expires_in{0};
  std::string refresh_token;
};

struct LoginResult {
  std::optional<User> user;       // set when the password matched
  std::optional<TokenPair> tokens;  // unset for a wrong password, or when a second factor is still needed
  bool second_factor_needed = false;  // the password matched an account with MFA on: no session yet
};

struct RefreshAnswer {
  RefreshResult result;             // outcome, user and family for the audit log
  std::optional<TokenPair> tokens;  // set when rotated
};

// Accounts and sessions, without HTTP: sign up, log in, refresh, log out,
// roles. Inputs are already validated by the handlers. Thread-safe.
class AuthService {
 public:
  // `hasher` serves logins; `signup_hasher` (its own pool) serves anonymous
  // work that creates or resets a password, so a flood of it cannot take the
  // threads logins need.
  AuthService(UserStore& users, RefreshTokens& refresh_tokens, PasswordHasher& hasher, PasswordHasher& signup_hasher,
              const TokenIssuer& issuer, core::Random& random)
      : users_(users),
        refresh_tokens_(refresh_tokens),
        hasher_(hasher),
        signup_hasher_(signup_hasher),
        issuer_(issuer),
        random_(random) {}

  // A new account. Throws EmailTaken, checked before any hashing (a taken
  // e-mail costs one indexed read).
  boost::asio::awaitable<User> sign_up(std::string email, std::string password, std::string name,
                                       std::vector<std::string> roles);
  // Replaces the user's roles, raises the token version (admin routes refuse
  // older tokens at once) and revokes every refresh family. nullopt: no such user.
  boost::asio::awaitable<std::optional<User>> change_roles(std::string user_id, std::vector<std::string> roles);
  // Unknown emails cost one Argon2id verification too (see PasswordHasher::verify).
  // `client` is shown in the sessions list. For an account with MFA on, a
  // matching password opens no session (second_factor_needed).
  boost::asio::awaitable<LoginResult> log_in(std::string email, std::string password, SessionClient client = {});
  boost::asio::awaitable<RefreshAnswer> refresh(std::string refresh_token, SessionClient client = {});
  boost::asio::awaitable<void> log_out(std::string refresh_token);
  // Revokes every refresh family of the user (logout-all): refresh stops at
  // once; access tokens already issued live out auth.access_token_ttl.
  boost::asio::awaitable<void> log_out_everywhere(std::string user_id);

  // A new session (refresh family) and its first token pair: the end of a
  // login, after the second factor when the account has one.
  boost::asio::awaitable<TokenPair> open_session(const User& user, SessionClient client);

  [[nodiscard]] UserStore& users() { return users_; }

 private:

  UserStore& users_;
  RefreshTokens& refresh_tokens_;
  PasswordHasher& hasher_;
  PasswordHasher& signup_hasher_;
  const TokenIssuer& issuer_;
  core::Random& random_;
};

}  // namespace orderly::auth
