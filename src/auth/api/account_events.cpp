#include "auth/api/account_events.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::auth {
namespace json = boost::json;

std::string_view type_name(AccountEventType type) {
  switch (type) {
    case AccountEventType::password_reset:
      return "account.password_reset";
    case AccountEventType::email_verification:
      return "account.email_verification";
  }
  return "account.unknown";
}

std::optional<AccountEventType> parse_account_event_type(std::string_view name) {
  if (name == "account.password_reset") return AccountEventType::password_reset;
  if (name == "account.email_verification") return AccountEventType::email_verification;
  return std::nullopt;
}

AccountEvent account_event_from_json(std::string_view payload) {
  boost::system::error_code error;
  const auto parsed = json::parse(payload, error);
  if (error || !parsed.is_object()) throw InvalidAccountEvent("payload is not a JSON object");
  const auto& object = parsed.as_object();
  const auto text = [&](std::string_view name) {
    const auto* value = object.if_contains(name);
    if (value == nullptr || !value->is_string())
      throw InvalidAccountEvent("field " + std::string(name) + " must be a string");
    return std::string(value->get_string());
  };
  AccountEvent event{text("user_id"), text("email"), text("name"), text("link")};
  if (event.user_id.empty() || event.email.empty() || event.link.empty()) {
    throw InvalidAccountEvent("user_id, email and link must not be empty");
  }
  return event;
}

queue::Message account_event_message(AccountEventType type, const AccountEvent& event, std::string traceparent) {
  queue::Message message;
  message.queue = "notifications";  // notify's queue (notify/order_events.hpp)
  message.type = std::string(type_name(type));
  message.schema_version = kAccountEventSchemaVersion;
  message.payload = json::serialize(
      json::object{{"user_id", event.user_id}, {"email", event.email}, {"name", event.name}, {"link", event.link}});
  message.traceparent = std::move(traceparent);
  return message;
}

}  // namespace orderly::auth
