#include "orders/order_cancellation.hpp"

#include <optional>

#include "core/logging.hpp"
#include "core/service_unavailable.hpp"
#include "orders/order_events.hpp"
#include "orders/order_repository.hpp"

namespace orderly::orders {

boost::asio::awaitable<bool> cancel_locked_order(store::Transaction& tx, queue::EventOutbox& outbox, Order order,
                                                 std::string reason, std::string at, UserContact contact,
                                                 std::string traceparent) {
  const bool changed = co_await repository::change_status(tx, order, std::string(kCancelled), reason, at);
  if (!changed) co_return false;
  OrderEvent event{notify::OrderEventType::cancelled, order.id, order.user_id, order.total, std::move(reason),
                   std::move(traceparent)};
  co_await emit_order_event(outbox, tx, std::move(event), std::move(contact));
  co_return true;
}

boost::asio::awaitable<void> release_stock_quietly(catalog::StockReservations& stock, std::string order_id) {
  std::optional<std::string> deferred;
  try {
    core::CallContext release_call;
    co_await stock.release(order_id, std::move(release_call));
  } catch (const core::ServiceUnavailable& error) {
    deferred = error.what();
  }
  if (deferred) core::log::warn("orders.stock_release_deferred", {{"order_id", order_id}, {"error", *deferred}});
}

}  // namespace orderly::orders
