#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "notify/order_events.hpp"
#include "orders/order.hpp"
#include "orders/user_directory.hpp"
#include "queue/event_outbox.hpp"

namespace orderly::orders {

// One event of an order's life, as the orders module raises it; the message
// follows the notify contract (notify/order_events.hpp: queue
// "notifications", schema version 1, payload {order_id, user_id, email, name,
// total, reason}).
struct OrderEvent {
  notify::OrderEventType type;
  std::string order_id;
  std::string user_id;
  core::Money total;
  std::optional<std::string> reason;  // order.cancelled only
  std::string traceparent;            // of the request that caused it; empty from the saga and jobs
};

[[nodiscard]] queue::Message order_event_message(const OrderEvent& event, const UserContact& contact);

// Writes the event into `tx` through the outbox: published if and only if
// `tx` commits.
boost::asio::awaitable<void> emit_order_event(queue::EventOutbox& outbox, store::Transaction& tx, OrderEvent event,
                                              UserContact contact);

}  // namespace orderly::orders
