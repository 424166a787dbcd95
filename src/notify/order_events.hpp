#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/money.hpp"
#include "queue/message.hpp"

// The contract between the orders module (producer) and the notifications
// worker (consumer): the events of an order's life, written through
// queue::EventOutbox in the transaction of the state change.
//
//   queue:          "notifications"
//   type:           order.created | order.paid | order.cancelled | order.shipped
//   schema_version: 1
//   payload (JSON): {"order_id": str, "user_id": str, "email": str, "name": str,
//                    "total": {"amount": int, "currency": str},
//                    "reason": str}   <- order.cancelled only
//
// Changing the payload in a way an old consumer cannot read needs a new
// schema_version; the worker dead-letters versions it does not know.
namespace orderly::notify {

inline constexpr std::string_view kNotificationsQueue = "notifications";
inline constexpr int kOrderEventSchemaVersion = 1;

enum class OrderEventType { created, paid, cancelled, shipped };

// "order.created", "order.paid", "order.cancelled", "order.shipped".
[[nodiscard]] std::string_view type_name(OrderEventType type);
[[nodiscard]] std::optional<OrderEventType> parse_order_event_type(std::string_view name);

struct OrderEvent {
  std::string order_id;
  std::string user_id;
  std::string email;  // where the customer's mail goes
  std::string name;   // how to greet them
  core::Money total;
  std::string reason;  // why it was cancelled (order.cancelled only; empty otherwise)
  friend bool operator==(const OrderEvent&, const OrderEvent&) = default;
};

// A payload that does not follow the contract (not JSON, a missing or
// mistyped field). The message says which field, never its value.
class InvalidOrderEvent : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The payload JSON (Boost.JSON). `reason` is written only when it is set.
[[nodiscard]] std::string to_json(const OrderEvent& event);
// Throws InvalidOrderEvent. Unknown fields are ignored (a newer producer may add some).
[[nodiscard]] OrderEvent order_event_from_json(std::string_view payload);

// The message for the outbox: queue, type, schema version and payload set;
// id and created_at left empty for the outbox to fill in.
[[nodiscard]] queue::Message order_event_message(OrderEventType type, const OrderEvent& event,
                                                 std::string traceparent = {});

}  // namespace orderly::notify
