#include "auth/auth_service.hpp"

#include "core/ids.hpp"

namespace orderly::auth {

boost::asio::awaitable<User> AuthService::sign_up(std::string email, std::string password, std::string name,
                                                  std::vector<std::string> roles) {
  if (co_await users_.find_by_email(email)) throw EmailTaken();
  auto hash = co_await signup_hasher_.hash(std::move(password));
  User user{"usr_" + core::random_hex(random_, 12), std::move(email), std::move(name), std::move(roles)};
  co_await users_.create(user, std::move(hash));
  co_return user;
}

boost::asio::awaitable<TokenPair> AuthService::open_session(const User& user, SessionClient client) {
  auto family = co_await refresh_tokens_.start_family(user.id, std::move(client));
  auto access = issuer_.issue(user.id, user.roles, user.token_version, family.family_id, user.mfa_enabled);
  co_return TokenPair{std::move(access.token), access.expires_in, std::move(family.token)};
}

boost::asio::awaitable<LoginResult> AuthService::log_in(std::string email, std::string password,
                                                        SessionClient client) {
  auto found = co_await users_.find_by_email(std::move(email));
  std::optional<std::string> stored;
  if (found) stored = found->password_hash;
  const bool matches = co_await hasher_.verify(password, stored);
  if (!matches) co_return LoginResult{};

  // Raised cost parameters reach existing accounts at their next login.
  if (hasher_.needs_rehash(found->password_hash)) {
    auto upgraded = co_await hasher_.hash(std::move(password));
    co_await users_.set_password_hash(found->user.id, std::move(upgraded));
  }
  if (found->user.mfa_enabled) co_return LoginResult{found->user, std::nullopt, true};
  auto tokens = co_await open_session(found->user, std::move(client));
  co_return LoginResult{found->user, std::move(tokens)};
}

boost::asio::awaitable<RefreshAnswer> AuthService::refresh(std::string refresh_token, SessionClient client) {
  RefreshAnswer answer;
  answer.result = co_await refresh_tokens_.rotate(std::move(refresh_token), std::move(client));
  if (answer.result.outcome != RefreshOutcome::rotated) co_return answer;
  // Roles are read again, so a role change reaches the next access token.
  const auto user = co_await users_.find(answer.result.user_id);
  if (!user) {
    answer.result.outcome = RefreshOutcome::invalid;
    co_return answer;
  }
  // A family outlives an MFA change: turning MFA on ends the account's
  // other families, turning it off raises the token version.
  auto access =
      issuer_.issue(user->id, user->roles, user->token_version, answer.result.family_id, user->mfa_enabled);
  answer.tokens = TokenPair{std::move(access.token), access.expires_in, answer.result.token};
  co_return answer;
}

boost::asio::awaitable<std::optional<User>> AuthService::change_roles(std::string user_id,
                                                                       std::vector<std::string> roles) {
  auto user = co_await users_.set_roles(user_id, std::move(roles));
  if (user) co_await refresh_tokens_.revoke_all_of_user(std::move(user_id));
  co_return user;
}

boost::asio::awaitable<void> AuthService::log_out_everywhere(std::string user_id) {
  co_await refresh_tokens_.revoke_all_of_user(std::move(user_id));
}

boost::asio::awaitable<void> AuthService::log_out(std::string refresh_token) {
  co_await refresh_tokens_.revoke_family_of(std::move(refresh_token));
}

}  // namespace orderly::auth
