#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "catalog/api/stock_reservations.hpp"
#include "orders/order.hpp"
#include "orders/user_directory.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::orders {

// Cancels `order` (locked in `tx`, pending_payment or paid) as part of `tx`:
// status and history, and order.cancelled through the outbox. False when the
// order's version moved on (nothing written). The stock is the catalog's:
// after the commit the caller gives it back (release_stock_quietly).
boost::asio::awaitable<bool> cancel_locked_order(store::Transaction& tx, queue::EventOutbox& outbox, Order order,
                                                 std::string reason, std::string at, UserContact contact,
                                                 std::string traceparent);

// Releases the stock of a cancelled order at the catalog, best effort: when
// the catalog cannot answer, the reservation expires by itself (an
// unconfirmed one) or the saga's refund step releases it (a paid one), so a
// caller that already committed the cancellation does not fail for it.
boost::asio::awaitable<void> release_stock_quietly(catalog::StockReservations& stock, std::string order_id);

}  // namespace orderly::orders
