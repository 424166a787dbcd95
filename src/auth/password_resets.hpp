#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "auth/user.hpp"
#include "core/clock.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// Password-reset tokens: 256 random bits, base64url, mailed as
// `<public_url>/reset-password?token=…` through the notifications queue (an
// account.password_reset event written in the transaction that stores the
// token); only their SHA-256 is stored. A token works once, for
// kResetTokenLifetime, for the account it was made for; completing a reset
// spends every other token of the account too. Thread-safe.
class PasswordResets {
 public:
  static constexpr std::chrono::minutes kResetTokenLifetime{30};

  PasswordResets(store::Store& store, queue::EventOutbox& outbox, const core::Clock& clock, std::string public_url)
      : store_(store), outbox_(outbox), clock_(clock), public_url_(std::move(public_url)) {}

  // Makes a token for `user` and queues its mail.
  boost::asio::awaitable<void> start(const User& user, std::string traceparent);

  // The account a live (unused, unexpired) token is for, without spending it.
  boost::asio::awaitable<std::optional<std::string>> peek(std::string token);

  // Spends the token and, in the same transaction, stores `password_hash`,
  // raises the token version and spends the account's other tokens. The
  // user id, or nullopt when the token is unknown, used or expired (or was
  // spent by a concurrent call).
  boost::asio::awaitable<std::optional<std::string>> complete(std::string token, std::string password_hash);

 private:
  store::Store& store_;
  queue::EventOutbox& outbox_;
  const core::Clock& clock_;
  std::string public_url_;
};

}  // namespace orderly::auth
