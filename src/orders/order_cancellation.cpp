#include "orders/order_cancellation.hpp"

#include "orders/order_events.hpp"
#include "orders/order_repository.hpp"

namespace orderly::orders {

boost::asio::awaitable<std::optional<std::vector<std::string>>> cancel_locked_order(
    store::Transaction& tx, catalog::Inventory& inventory, queue::EventOutbox& outbox, Order order,
    std::string reason, std::string at, UserContact contact, std::string traceparent) {
  const bool changed = co_await repository::change_status(tx, order, std::string(kCancelled), reason, at);
  if (!changed) co_return std::nullopt;
  auto stock = co_await repository::reserved_stock(tx, order.id);
  std::vector<std::string> products;
  for (const auto& line : stock) products.push_back(line.product_id);
  co_await inventory.release(tx, std::move(stock));
  OrderEvent event{notify::OrderEventType::cancelled, order.id, order.user_id, order.total, std::move(reason), std::move(traceparent)};
  co_await emit_order_event(outbox, tx, std::move(event), std::move(contact));
  co_return products;
}

}  // namespace orderly::orders
