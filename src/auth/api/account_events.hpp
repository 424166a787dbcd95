#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "queue/message.hpp"

// The contract between auth (producer) and the notifications worker
// (consumer) for mails about an account; auth owns it, so it sits in auth's
// api/ (notify reads it, as it may read any service's api/). Events are written through auth's
// queue::EventOutbox in the transaction that makes the token:
//
//   queue:          "notifications"
//   type:           account.password_reset | account.email_verification
//   schema_version: 1
//   payload (JSON): {"user_id": str, "email": str, "name": str, "link": str}
//
// The link holds a single-use token: the worker puts it in the mail and
// nowhere else (never in a log line or the notifications table).
namespace orderly::auth {

inline constexpr int kAccountEventSchemaVersion = 1;

enum class AccountEventType { password_reset, email_verification };

[[nodiscard]] std::string_view type_name(AccountEventType type);
[[nodiscard]] std::optional<AccountEventType> parse_account_event_type(std::string_view name);

struct AccountEvent {
  std::string user_id;
  std::string email;
  std::string name;
  std::string link;
};

class InvalidAccountEvent : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws InvalidAccountEvent (naming the field, never its value).
[[nodiscard]] AccountEvent account_event_from_json(std::string_view payload);

// The message for the outbox (id and created_at left for the outbox).
[[nodiscard]] queue::Message account_event_message(AccountEventType type, const AccountEvent& event,
                                                   std::string traceparent = {});

}  // namespace orderly::auth
