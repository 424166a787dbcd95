#include "orders/order_repository.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <sodium.h>

#include "payments/api/payments_client.hpp"

namespace orderly::orders::repository {
namespace {

namespace asio = boost::asio;
using store::params;

constexpr store::Statement kInsertOrder{
    "orders.insert",
    "INSERT INTO orders (id, user_id, status, total_amount, currency, payment_method_id, shipping_address,"
    " created_at, created_at_ms, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)"};
constexpr store::Statement kInsertItem{
    "orders.insert_item",
    "INSERT INTO order_items (order_id, line, product_id, sku, name, unit_amount, currency, quantity)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr store::Statement kAppendHistory{
    "orders.append_history",
    "INSERT INTO order_history (order_id, seq, status, at, reason)"
    " SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4 FROM order_history WHERE order_id = $1"};
constexpr store::Statement kInsertPayment{
    "orders.insert_payment",
    "INSERT INTO payments (order_id, status, amount, currency, attempts, authorize_key, capture_key, void_key,"
    " refund_key, updated_at) VALUES ($1, 'pending', $2, $3, 0, $4, $5, $6, $7, $8)"};

#define ORDER_COLUMNS                                                                                         \
  "id, user_id, status, cancel_reason, total_amount, currency, payment_method_id, shipping_address, created_at," \
  " created_at_ms, updated_at, version"

constexpr store::Statement kFindOrder{"orders.find", "SELECT " ORDER_COLUMNS " FROM orders WHERE id = $1"};
constexpr store::Statement kLockOrder{"orders.lock", "SELECT " ORDER_COLUMNS " FROM orders WHERE id = $1",
                                      "SELECT " ORDER_COLUMNS " FROM orders WHERE id = $1 FOR UPDATE"};
constexpr store::Statement kFindItems{
    "orders.find_items",
    "SELECT product_id, sku, name, unit_amount, currency, quantity FROM order_items WHERE order_id = $1"
    " ORDER BY line"};
constexpr store::Statement kFindHistory{
    "orders.find_history", "SELECT status, at, reason FROM order_history WHERE order_id = $1 ORDER BY seq"};
constexpr store::Statement kChangeStatus{
    "orders.change_status",
    "UPDATE orders SET status = $3, cancel_reason = $4, updated_at = $5, version = version + 1"
    " WHERE id = $1 AND version = $2"};

constexpr store::Statement kListAll{"orders.list_all", "SELECT " ORDER_COLUMNS
                                                       " FROM orders ORDER BY created_at_ms DESC, id DESC LIMIT $1"};
constexpr store::Statement kListAllAfter{
    "orders.list_all_after",
    "SELECT " ORDER_COLUMNS
    " FROM orders WHERE created_at_ms < $1 OR (created_at_ms = $1 AND id < $2)"
    " ORDER BY created_at_ms DESC, id DESC LIMIT $3"};
constexpr store::Statement kListUser{
    "orders.list_user",
    "SELECT " ORDER_COLUMNS " FROM orders WHERE user_id = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2"};
constexpr store::Statement kListUserAfter{
    "orders.list_user_after",
    "SELECT " ORDER_COLUMNS
    " FROM orders WHERE user_id = $1 AND (created_at_ms < $2 OR (created_at_ms = $2 AND id < $3))"
    " ORDER BY created_at_ms DESC, id DESC LIMIT $4"};
// One status (admins' filter), everyone's or one user's ($2 empty: everyone).
constexpr store::Statement kListStatus{
    "orders.list_status",
    "SELECT " ORDER_COLUMNS " FROM orders WHERE status = $1 AND ($2 = '' OR user_id = $2)"
    " ORDER BY created_at_ms DESC, id DESC LIMIT $3"};
constexpr store::Statement kListStatusAfter{
    "orders.list_status_after",
    "SELECT " ORDER_COLUMNS " FROM orders WHERE status = $1 AND ($2 = '' OR user_id = $2)"
    " AND (created_at_ms < $3 OR (created_at_ms = $3 AND id < $4))"
    " ORDER BY created_at_ms DESC, id DESC LIMIT $5"};

constexpr store::Statement kFindPayment{
    "orders.find_payment",
    "SELECT status, amount, currency, attempts, authorization_ref, decline_code FROM payments WHERE order_id = $1"};
constexpr store::Statement kUpdatePayment{
    "orders.update_payment",
    "UPDATE payments SET status = $2, authorization_ref = COALESCE($3, authorization_ref),"
    " decline_code = COALESCE($4, decline_code), updated_at = $5 WHERE order_id = $1"};
constexpr store::Statement kCountAttempt{"orders.count_payment_attempt",
                                         "UPDATE payments SET attempts = attempts + 1 WHERE order_id = $1"};
constexpr store::Statement kStalePending{
    "orders.stale_pending",
    "SELECT id FROM orders WHERE status = 'pending_payment' AND created_at_ms < $1 ORDER BY created_at_ms LIMIT $2"};

Order order_from(const store::Row& row) {
  Order order;
  order.id = row.text("id");
  order.user_id = row.text("user_id");
  order.status = row.text("status");
  order.cancel_reason = row.optional_text("cancel_reason");
  order.total = {row.int64("total_amount"), row.text("currency")};
  order.payment_method_id = row.text("payment_method_id");
  order.shipping_address = row.text("shipping_address");
  order.created_at = row.text("created_at");
  order.created_at_ms = row.int64("created_at_ms");
  order.updated_at = row.text("updated_at");
  order.version = row.int64("version");
  return order;
}

Payment payment_from(const store::Row& row) {
  return Payment{row.text("status"), {row.int64("amount"), row.text("currency")}, row.int64("attempts"),
                 row.optional_text("authorization_ref"), row.optional_text("decline_code")};
}

// Cursors are opaque to clients: "<created_at_ms>:<id>" in URL-safe base64.
std::string encode_cursor(const Order& last) {
  const auto text = fmt::format("{}:{}", last.created_at_ms, last.id);
  std::string encoded(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  encoded.resize(encoded.find('\0'));
  return encoded;
}

std::pair<std::int64_t, std::string> decode_cursor(const std::string& cursor) {
  std::string bytes(cursor.size(), '\0');
  std::size_t length = 0;
  if (cursor.empty() || cursor.size() > 256 ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), cursor.data(), cursor.size(),
                        nullptr, &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    throw std::invalid_argument("bad cursor");
  }
  bytes.resize(length);
  const auto colon = bytes.find(':');
  if (colon == std::string::npos || colon == 0) throw std::invalid_argument("bad cursor");
  std::int64_t created = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (bytes[i] < '0' || bytes[i] > '9' || created > 1'000'000'000'000'000) throw std::invalid_argument("bad cursor");
    created = created * 10 + (bytes[i] - '0');
  }
  return {created, bytes.substr(colon + 1)};
}

}  // namespace

std::string payment_key(const std::string& order_id, std::string_view step) {
  return payments::provider_key(order_id, step);
}

asio::awaitable<void> insert_order(store::Transaction& tx, Order order) {
  co_await tx.execute(kInsertOrder, params(order.id, order.user_id, order.status, order.total.amount,
                                           order.total.currency, order.payment_method_id, order.shipping_address,
                                           order.created_at, order.created_at_ms, order.updated_at));
  for (std::size_t i = 0; i < order.items.size(); ++i) {
    const auto& line = order.items[i];
    co_await tx.execute(kInsertItem, params(order.id, static_cast<std::int64_t>(i + 1), line.product_id, line.sku,
                                            line.name, line.unit_price.amount, line.unit_price.currency,
                                            line.quantity));
  }
  for (const auto& entry : order.history) {
    co_await tx.execute(kAppendHistory, params(order.id, entry.status, entry.at, entry.reason));
  }
  co_await tx.execute(kInsertPayment,
                      params(order.id, order.total.amount, order.total.currency, payment_key(order.id, "authorize"),
                             payment_key(order.id, "capture"), payment_key(order.id, "void"),
                             payment_key(order.id, "refund"), order.created_at));
}

asio::awaitable<std::optional<Order>> find_order(store::Store& store, std::string order_id) {
  // Always the primary: a client reads its order right after creating it.
  const store::ReadOptions primary{.allow_replica = false};
  const auto rows = co_await store.query(kFindOrder, params(order_id), primary);
  if (rows.empty()) co_return std::nullopt;
  auto order = order_from(rows.first());
  const auto items = co_await store.query(kFindItems, params(order_id), primary);
  for (const auto& row : items.rows) {
    order.items.push_back({row.text("product_id"), row.text("sku"), row.text("name"),
                           {row.int64("unit_amount"), row.text("currency")}, row.int64("quantity")});
  }
  const auto history = co_await store.query(kFindHistory, params(order_id), primary);
  for (const auto& row : history.rows) {
    order.history.push_back({row.text("status"), row.text("at"), row.optional_text("reason")});
  }
  co_return order;
}

asio::awaitable<std::optional<Order>> find_order_row(store::Store& store, std::string order_id) {
  const auto rows = co_await store.query(kFindOrder, params(order_id), store::ReadOptions{.allow_replica = false});
  if (rows.empty()) co_return std::nullopt;
  co_return order_from(rows.first());
}

asio::awaitable<std::optional<Order>> lock_order(store::Transaction& tx, std::string order_id) {
  const auto rows = co_await tx.execute(kLockOrder, params(order_id));
  if (rows.empty()) co_return std::nullopt;
  co_return order_from(rows.first());
}

asio::awaitable<bool> change_status(store::Transaction& tx, const Order& order, std::string status,
                                    std::optional<std::string> reason, std::string at) {
  const auto changed = co_await tx.execute(kChangeStatus, params(order.id, order.version, status, reason, at));
  if (changed.affected_rows != 1) co_return false;
  co_await tx.execute(kAppendHistory, params(order.id, status, at, reason));
  co_return true;
}

asio::awaitable<OrderPage> list_orders(store::Store& store, std::optional<std::string> user_id,
                                       std::optional<std::string> cursor, std::int64_t limit,
                                       std::optional<std::string> status) {
  std::optional<std::pair<std::int64_t, std::string>> after;
  if (cursor) after = decode_cursor(*cursor);
  const store::ReadOptions primary{.allow_replica = false};
  store::Result rows;
  if (status && after) {
    rows = co_await store.query(
        kListStatusAfter, params(*status, user_id.value_or(""), after->first, after->second, limit + 1), primary);
  } else if (status) {
    rows = co_await store.query(kListStatus, params(*status, user_id.value_or(""), limit + 1), primary);
  } else if (user_id && after) {
    rows = co_await store.query(kListUserAfter, params(*user_id, after->first, after->second, limit + 1), primary);
  } else if (user_id) {
    rows = co_await store.query(kListUser, params(*user_id, limit + 1), primary);
  } else if (after) {
    rows = co_await store.query(kListAllAfter, params(after->first, after->second, limit + 1), primary);
  } else {
    rows = co_await store.query(kListAll, params(limit + 1), primary);
  }
  OrderPage page;
  for (const auto& row : rows.rows) page.orders.push_back(order_from(row));
  if (static_cast<std::int64_t>(page.orders.size()) > limit) {
    page.orders.resize(static_cast<std::size_t>(limit));
    page.next_cursor = encode_cursor(page.orders.back());
  }
  co_return page;
}

asio::awaitable<std::optional<Payment>> find_payment(store::Store& store, std::string order_id) {
  const auto rows = co_await store.query(kFindPayment, params(order_id), store::ReadOptions{.allow_replica = false});
  if (rows.empty()) co_return std::nullopt;
  co_return payment_from(rows.first());
}

asio::awaitable<std::optional<Payment>> find_payment(store::Transaction& tx, std::string order_id) {
  const auto rows = co_await tx.execute(kFindPayment, params(order_id));
  if (rows.empty()) co_return std::nullopt;
  co_return payment_from(rows.first());
}

asio::awaitable<void> update_payment(store::Transaction& tx, std::string order_id, std::string status,
                                     std::optional<std::string> authorization_ref,
                                     std::optional<std::string> decline_code, std::string at) {
  co_await tx.execute(kUpdatePayment, params(order_id, status, authorization_ref, decline_code, at));
}

asio::awaitable<void> count_payment_attempt(store::Transaction& tx, std::string order_id) {
  co_await tx.execute(kCountAttempt, params(order_id));
}

asio::awaitable<std::vector<std::string>> stale_pending_orders(store::Store& store, std::int64_t created_before_ms,
                                                               std::int64_t limit) {
  const auto rows = co_await store.query(kStalePending, params(created_before_ms, limit),
                                         store::ReadOptions{.allow_replica = false});
  std::vector<std::string> ids;
  for (const auto& row : rows.rows) ids.push_back(row.text("id"));
  co_return ids;
}

}  // namespace orderly::orders::repository
