#include "auth/password_service.hpp"

#include "auth/password_policy.hpp"

namespace orderly::auth {

boost::asio::awaitable<PasswordAnswer> PasswordService::change(std::string user_id, std::string current_password,
                                                               std::string new_password) {
  PasswordAnswer answer;
  const auto found = co_await users_.find_with_hash(user_id);
  std::optional<std::string> stored;
  if (found) stored = found->password_hash;
  if (!co_await hasher_.verify(std::move(current_password), std::move(stored))) {
    answer.outcome = PasswordOutcome::wrong_password;
    co_return answer;
  }
  if (auto weakness = password_weakness(new_password, found->user.email)) {
    answer.outcome = PasswordOutcome::weak;
    answer.weakness = std::move(*weakness);
    co_return answer;
  }
  auto hash = co_await hasher_.hash(std::move(new_password));
  co_await users_.replace_password_hash(user_id, std::move(hash));
  co_await refresh_tokens_.revoke_all_of_user(user_id);
  answer.outcome = PasswordOutcome::changed;
  answer.user_id = std::move(user_id);
  co_return answer;
}

boost::asio::awaitable<void> PasswordService::request_reset(std::string email, std::string traceparent) {
  const auto found = co_await users_.find_by_email(std::move(email));
  if (!found) co_return;
  co_await resets_.start(found->user, std::move(traceparent));
}

boost::asio::awaitable<PasswordAnswer> PasswordService::confirm_reset(std::string token, std::string new_password) {
  PasswordAnswer answer;
  // Checked before spending the token, so a weak choice can be corrected
  // with the same link.
  const auto owner = co_await resets_.peek(token);
  if (!owner) co_return answer;  // bad_token
  const auto user = co_await users_.find(*owner);
  if (!user) co_return answer;
  if (auto weakness = password_weakness(new_password, user->email)) {
    answer.outcome = PasswordOutcome::weak;
    answer.weakness = std::move(*weakness);
    co_return answer;
  }
  auto hash = co_await anonymous_hasher_.hash(std::move(new_password));
  const auto changed = co_await resets_.complete(std::move(token), std::move(hash));
  if (!changed) co_return answer;  // spent by a concurrent confirmation, or expired meanwhile
  co_await refresh_tokens_.revoke_all_of_user(*changed);
  answer.outcome = PasswordOutcome::changed;
  answer.user_id = *changed;
  co_return answer;
}

}  // namespace orderly::auth
