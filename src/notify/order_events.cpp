#include "notify/order_events.hpp"

#include <array>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::notify {
namespace json = boost::json;

namespace {

constexpr std::array<std::pair<OrderEventType, std::string_view>, 4> kTypeNames{{
    {OrderEventType::created, "order.created"},
    {OrderEventType::paid, "order.paid"},
    {OrderEventType::cancelled, "order.cancelled"},
    {OrderEventType::shipped, "order.shipped"},
}};

const json::value& field(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr) throw InvalidOrderEvent("missing field " + std::string(name));
  return *value;
}

std::string text_field(const json::object& object, std::string_view name) {
  const auto& value = field(object, name);
  if (!value.is_string()) throw InvalidOrderEvent("field " + std::string(name) + " must be a string");
  return std::string(value.get_string());
}

}  // namespace

std::string_view type_name(OrderEventType type) {
  for (const auto& [known, name] : kTypeNames) {
    if (known == type) return name;
  }
  return "order.unknown";  // unreachable: every enumerator is listed
}

std::optional<OrderEventType> parse_order_event_type(std::string_view name) {
  for (const auto& [type, known] : kTypeNames) {
    if (known == name) return type;
  }
  return std::nullopt;
}

std::string to_json(const OrderEvent& event) {
  json::object payload{{"order_id", event.order_id},
                       {"user_id", event.user_id},
                       {"email", event.email},
                       {"name", event.name},
                       {"total", json::object{{"amount", event.total.amount}, {"currency", event.total.currency}}}};
  if (!event.reason.empty()) payload["reason"] = event.reason;
  return json::serialize(payload);
}

OrderEvent order_event_from_json(std::string_view payload) {
  std::error_code ec;
  const auto parsed = json::parse(payload, ec);
  if (ec || !parsed.is_object()) throw InvalidOrderEvent("payload is not a JSON object");
  const auto& object = parsed.get_object();

  OrderEvent event;
  event.order_id = text_field(object, "order_id");
  event.user_id = text_field(object, "user_id");
  event.email = text_field(object, "email");
  event.name = text_field(object, "name");
  const auto& total = field(object, "total");
  if (!total.is_object()) throw InvalidOrderEvent("field total must be an object");
  const auto& amount = field(total.get_object(), "amount");
  if (!amount.is_int64()) throw InvalidOrderEvent("field total.amount must be an integer");
  event.total.amount = amount.get_int64();
  event.total.currency = text_field(total.get_object(), "currency");
  if (const auto* reason = object.if_contains("reason"); reason != nullptr && !reason->is_null()) {
    if (!reason->is_string()) throw InvalidOrderEvent("field reason must be a string");
    event.reason = std::string(reason->get_string());
  }
  if (event.order_id.empty() || event.user_id.empty()) throw InvalidOrderEvent("order_id and user_id must not be empty");
  return event;
}

queue::Message order_event_message(OrderEventType type, const OrderEvent& event, std::string traceparent) {
  queue::Message message;
  message.queue = std::string(kNotificationsQueue);
  message.type = std::string(type_name(type));
  message.schema_version = kOrderEventSchemaVersion;
  message.payload = to_json(event);
  message.traceparent = std::move(traceparent);
  return message;
}

}  // namespace orderly::notify
