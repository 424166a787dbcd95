#include "orders/order_events.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace orderly::orders {

queue::Message order_event_message(const OrderEvent& event, const UserContact& contact) {
  boost::json::object payload{
      {"order_id", event.order_id},
      {"user_id", event.user_id},
      {"email", contact.email},
      {"name", contact.name},
      {"total", boost::json::object{{"amount", event.total.amount}, {"currency", event.total.currency}}},
  };
  if (event.reason) payload["reason"] = *event.reason;
  queue::Message message;
  message.queue = std::string(kNotificationsQueue);
  message.type = std::string(event.type);
  message.schema_version = 1;
  message.payload = boost::json::serialize(payload);
  message.traceparent = event.traceparent;
  return message;
}

boost::asio::awaitable<void> emit_order_event(queue::EventOutbox& outbox, store::Transaction& tx, OrderEvent event,
                                              UserContact contact) {
  auto message = order_event_message(event, contact);
  co_await outbox.write(tx, std::move(message));
}

}  // namespace orderly::orders
