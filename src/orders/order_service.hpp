#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "catalog/api/stock_reservations.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "orders/idempotency_store.hpp"
#include "orders/order.hpp"
#include "orders/order_request.hpp"
#include "orders/user_directory.hpp"
#include "payments/api/payments_client.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::orders {

struct OrderServiceParts {
  store::Store& store;
  catalog::StockReservations& stock;   // the catalog's, in-process or remote
  payments::PaymentsClient& payments;  // the payments service's, in-process or remote
  queue::EventOutbox& outbox;
  UserDirectory& users;
  IdempotencyStore& idempotency;
  const core::Clock& clock;
  core::Random& random;
  // Called after a change the checkout saga must act on (a new order, a
  // cancel): wakes the saga runner. Must not block.
  std::function<void()> wake_sagas;
  // How long the catalog holds an order's stock unconfirmed. Longer than
  // orders.reservation_timeout, after which orders cancels a pending order
  // itself, so the catalog's expiry only ever catches orders that were never
  // created (a crash between the reservation and the order's commit).
  std::chrono::milliseconds reservation_ttl{std::chrono::minutes(30)};
  // orders.require_verified_email: an account whose e-mail auth has not
  // verified gets a 403 before anything is reserved or recorded.
  bool require_verified_email = false;
};

// What the order routes do, without HTTP. Thread-safe.
class OrderService {
 public:
  explicit OrderService(OrderServiceParts parts) : parts_(std::move(parts)) {}

  struct Placed {
    RecordedResponse response;  // 201 with the order, or the problem
    bool replayed = false;      // answered from the idempotency record
  };

  // POST /api/v1/orders, with the Idempotency-Key protocol. The payment
  // method is checked and the stock reserved at the catalog first, by the
  // new order's id; then the order, its first saga state, order.created and
  // the recorded answer commit in one transaction (a failed commit releases
  // the reservation; a crash in between leaves one that expires by itself).
  // Throws core::ProblemError for 409 (key in use) and 422 (key reused with
  // another body); every other outcome is in the answer (201, 409
  // out-of-stock, 422 unknown product or payment method), recorded for
  // replays. core::ServiceUnavailable (catalog or payments down) propagates
  // with nothing recorded and the key released, so the client's retry runs
  // afresh.
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
  // `timeout` ago, then releases their stock; returns how many. Each is guarded
  // by its status and version, so a saga that paid it first wins.
  boost::asio::awaitable<std::size_t> expire_reservations(std::chrono::milliseconds timeout, std::int64_t limit);

 private:
  boost::asio::awaitable<RecordedResponse> create(const IdempotencyKeyRef& owned, const std::string& user_id,
                                                  CreateOrderRequest& request, const std::string& traceparent);

  OrderServiceParts parts_;
};

}  // namespace orderly::orders
