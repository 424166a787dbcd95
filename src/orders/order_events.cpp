#include "orders/order_events.hpp"

namespace orderly::orders {

queue::Message order_event_message(const OrderEvent& event, const UserContact& contact) {
  const notify::OrderEvent payload{event.order_id, event.user_id, contact.email, contact.name, event.total,
                                   event.reason.value_or(std::string())};
  return notify::order_event_message(event.type, payload, event.traceparent);
}

boost::asio::awaitable<void> emit_order_event(queue::EventOutbox& outbox, store::Transaction& tx, OrderEvent event,
                                              UserContact contact) {
  auto message = order_event_message(event, contact);
  co_await outbox.write(tx, std::move(message));
}

}  // namespace orderly::orders
