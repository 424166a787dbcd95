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

// E-mail verification tokens: 256 random bits, base64url, mailed as
// `<public_url>/verify-email?token=…` through the notifications queue (an
// account.email_verification event written in the transaction that stores
// the token); only their SHA-256 is stored. A token works once, for
// `lifetime` (auth.verification_ttl), for the account it was made for;
// verifying spends every other token of the account too. Thread-safe.
class EmailVerifications {
 public:
  EmailVerifications(store::Store& store, queue::EventOutbox& outbox, const core::Clock& clock,
                     std::string public_url, std::chrono::milliseconds lifetime)
      : store_(store), outbox_(outbox), clock_(clock), public_url_(std::move(public_url)), lifetime_(lifetime) {}

  // Makes a token for `user` and queues its mail.
  boost::asio::awaitable<void> start(const User& user, std::string traceparent);

  // Spends the token and marks its account verified, in one transaction.
  // The user id, or nullopt when the token is unknown, used or expired (one
  // answer for the three).
  boost::asio::awaitable<std::optional<std::string>> confirm(std::string token);

 private:
  store::Store& store_;
  queue::EventOutbox& outbox_;
  const core::Clock& clock_;
  std::string public_url_;
  std::chrono::milliseconds lifetime_;
};

}  // namespace orderly::auth
