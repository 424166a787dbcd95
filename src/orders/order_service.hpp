#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "catalog/inventory.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "orders/idempotency_store.hpp"
#include "orders/order.hpp"
#include "orders/order_request.hpp"
#include "orders/user_directory.hpp"
#include "payments/card_vault.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::orders {

struct OrderServiceParts {
  store::Store& store;
  catalog::Inventory& inventory;
  payments::CardVault& vault;
  queue::EventOutbox& outbox;
  UserDirectory& users;
  IdempotencyStore& idempotency;
  const core::Clock& clock;
  core::Random& random;
  // Called after a change the checkout saga must act on (a new order, a
  // cancel): wakes the saga runner. Must not block.
  std::function<void()> wake_sagas;
};

// What the order routes do, without HTTP. Thread-safe.
class OrderService {
 public:
  explicit OrderService(OrderServiceParts parts) : parts_(std::move(parts)) {}

  struct Placed {
    RecordedResponse response;  // 201 with the order, or the problem
    bool replayed = false;      // answered from the idempotency record
  };

  // POST /api/v1/orders, with the Idempotency-Key protocol: the order, its
  // stock reservation, its first saga state, order.created and the recorded
  // answer commit in one transaction. Throws core::ProblemError for 409 (key
  // in use) and 422 (key reused with another body); every other outcome is
  // in the answer (201, 409 out-of-stock, 422 unknown product or payment
  // method), recorded for replays.
  boost::asio::awaitable<Placed> place(std::string user_id, std::string idempotency_key, std::string fingerprint,
                                       CreateOrderRequest request, std::string traceparent);

  boost::asio::awaitable<std::optional<Order>> find(std::string order_id);

  // Cancels a pending or paid order (a paid one is refunded by the saga);
  // a cancelled one is returned as it is. Throws ProblemError 404 when there
  // is no such order, 409 once shipped.
  boost::asio::awaitable<Order> cancel(std::string order_id, std::string traceparent);

  // Marks a paid order shipped (order.shipped). Throws ProblemError 404, or
  // 409 unless paid.
  boost::asio::awaitable<Order> ship(std::string order_id, std::string traceparent);

  // Cancels (reservation_expired) up to `limit` orders pending since before
  // `timeout` ago, releasing their stock; returns how many. Each is guarded
  // by its status and version, so a saga that paid it first wins.
  boost::asio::awaitable<std::size_t> expire_reservations(std::chrono::milliseconds timeout, std::int64_t limit);

 private:
  boost::asio::awaitable<RecordedResponse> create(const IdempotencyKeyRef& owned, const std::string& user_id,
                                                  CreateOrderRequest& request, const std::string& traceparent);

  OrderServiceParts parts_;
};

}  // namespace orderly::orders
