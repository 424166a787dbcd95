#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/inventory.hpp"
#include "orders/order.hpp"
#include "orders/user_directory.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::orders {

// Cancels `order` (locked in `tx`, pending_payment or paid) as part of `tx`:
// status and history, its stock back to the catalog, and order.cancelled
// through the outbox. Returns the products whose stock changed (call
// Inventory::stock_changed after the commit), or nullopt when the order's
// version moved on (nothing written).
boost::asio::awaitable<std::optional<std::vector<std::string>>> cancel_locked_order(
    store::Transaction& tx, catalog::Inventory& inventory, queue::EventOutbox& outbox, Order order,
    std::string reason, std::string at, UserContact contact, std::string traceparent);

}  // namespace orderly::orders
