#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "orders/order.hpp"

namespace orderly::orders {

// The order as the API shows it. With `details`, its lines and history too
// (GET /orders/{id}, the 201); list pages leave them out.
[[nodiscard]] boost::json::object order_json(const Order& order, bool details);
[[nodiscard]] boost::json::object money_json(const core::Money& money);
// {status, at, reason?}: one step of an order's history (also a live status event).
[[nodiscard]] boost::json::object history_entry_json(const HistoryEntry& entry);
// GET /orders/{id}/payment: {status, amount, attempts}.
[[nodiscard]] boost::json::object payment_json(const Payment& payment);

}  // namespace orderly::orders
