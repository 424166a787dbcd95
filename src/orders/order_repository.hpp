#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/api/stock_reservations.hpp"
#include "orders/order.hpp"
#include "store/store.hpp"

// The orders tables (orders, order_items, order_history, payments) as plain
// functions over the Store: each names its statements, none holds state.
namespace orderly::orders::repository {

// The provider idempotency keys of one order's payment steps: fixed by the
// order id and the step, so a retried or resumed step repeats its key and the
// provider answers it once. The same keys the payments service derives
// (payments::provider_key); kept on the payment row for operators.
[[nodiscard]] std::string payment_key(const std::string& order_id, std::string_view step);

// Writes a new order: its row, lines, first history entry and a pending
// payment (with its per-step provider keys).
boost::asio::awaitable<void> insert_order(store::Transaction& tx, Order order);

// The order with its lines and history; nullopt when there is none.
boost::asio::awaitable<std::optional<Order>> find_order(store::Store& store, std::string order_id);

// The order row alone (no lines or history), from the primary.
boost::asio::awaitable<std::optional<Order>> find_order_row(store::Store& store, std::string order_id);

// The order row (no lines or history), locked for the rest of `tx` on
// PostgreSQL (SELECT ... FOR UPDATE; SQLite has one writer anyway), so the
// decisions taken on it hold until commit.
boost::asio::awaitable<std::optional<Order>> lock_order(store::Transaction& tx, std::string order_id);

// Moves the order to `status` when it is still at `version`, and appends the
// history entry. False (nothing written) when the version moved on.
boost::asio::awaitable<bool> change_status(store::Transaction& tx, const Order& order, std::string status,
                                           std::optional<std::string> reason, std::string at);

struct OrderPage {
  std::vector<Order> orders;  // newest first, without lines or history
  std::optional<std::string> next_cursor;
};

// A page of orders, newest first: everyone's, or one user's, of any status
// or of `status` only. `cursor` is a previous page's next_cursor; throws
// std::invalid_argument on a bad one.
boost::asio::awaitable<OrderPage> list_orders(store::Store& store, std::optional<std::string> user_id,
                                              std::optional<std::string> cursor, std::int64_t limit,
                                              std::optional<std::string> status = std::nullopt);

boost::asio::awaitable<std::optional<Payment>> find_payment(store::Store& store, std::string order_id);
boost::asio::awaitable<std::optional<Payment>> find_payment(store::Transaction& tx, std::string order_id);

// Payment state changes. `authorization_ref` and `decline_code` are kept when nullopt.
boost::asio::awaitable<void> update_payment(store::Transaction& tx, std::string order_id, std::string status,
                                            std::optional<std::string> authorization_ref,
                                            std::optional<std::string> decline_code, std::string at);
boost::asio::awaitable<void> count_payment_attempt(store::Transaction& tx, std::string order_id);

// Pending orders created before `created_before_ms`, oldest first.
boost::asio::awaitable<std::vector<std::string>> stale_pending_orders(store::Store& store,
                                                                      std::int64_t created_before_ms,
                                                                      std::int64_t limit);

}  // namespace orderly::orders::repository
