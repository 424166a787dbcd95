#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "orders/order.hpp"
#include "orders/user_directory.hpp"
#include "queue/event_outbox.hpp"

namespace orderly::orders {

// The order events of the notify contract: queue "notifications", schema
// version 1, payload {order_id, user_id, email, name, total {amount,
// currency}, reason (order.cancelled only)}.
inline constexpr std::string_view kNotificationsQueue = "notifications";
inline constexpr std::string_view kOrderCreated = "order.created";
inline constexpr std::string_view kOrderPaid = "order.paid";
inline constexpr std::string_view kOrderCancelled = "order.cancelled";
inline constexpr std::string_view kOrderShipped = "order.shipped";

struct OrderEvent {
  std::string_view type;
  std::string order_id;
  std::string user_id;
  core::Money total;
  std::optional<std::string> reason;
  std::string traceparent;  // of the request that caused it; empty from the saga and jobs
};

[[nodiscard]] queue::Message order_event_message(const OrderEvent& event, const UserContact& contact);

// Writes the event into `tx` through the outbox: published if and only if
// `tx` commits.
boost::asio::awaitable<void> emit_order_event(queue::EventOutbox& outbox, store::Transaction& tx, OrderEvent event,
                                              UserContact contact);

}  // namespace orderly::orders
