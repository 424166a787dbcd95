#include "catalog/store_stock_reservations.hpp"

#include <stdexcept>

#include "core/logging.hpp"
#include "core/time_format.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
using store::params;
using store::Statement;

constexpr Statement kInsert{"catalog.reservation_insert",
                            "INSERT INTO stock_reservations (order_id, status, expires_at_ms, created_at, updated_at)"
                            " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (order_id) DO NOTHING"};
constexpr Statement kStatus{"catalog.reservation_status",
                            "SELECT status FROM stock_reservations WHERE order_id = $1"};
constexpr Statement kInsertLine{"catalog.reservation_line_insert",
                                "INSERT INTO stock_reservation_lines (order_id, position, product_id, sku, name,"
                                " price_amount, price_currency, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
constexpr Statement kLines{"catalog.reservation_lines",
                           "SELECT product_id, sku, name, price_amount, price_currency, quantity"
                           " FROM stock_reservation_lines WHERE order_id = $1 ORDER BY position"};
constexpr Statement kConfirm{"catalog.reservation_confirm",
                             "UPDATE stock_reservations SET status = 'confirmed', updated_at = $2"
                             " WHERE order_id = $1 AND status IN ('reserved', 'confirmed')"};
constexpr Statement kRelease{"catalog.reservation_release",
                             "UPDATE stock_reservations SET status = 'released', updated_at = $2"
                             " WHERE order_id = $1 AND status <> 'released'"};
constexpr Statement kExpire{"catalog.reservation_expire",
                            "UPDATE stock_reservations SET status = 'released', updated_at = $2"
                            " WHERE order_id = $1 AND status = 'reserved' AND expires_at_ms <= $3"};
constexpr Statement kDue{"catalog.reservations_due",
                         "SELECT order_id FROM stock_reservations WHERE status = 'reserved' AND expires_at_ms <= $1"
                         " ORDER BY expires_at_ms LIMIT $2"};

// Order ids are ours (24 hex characters today); the bound keeps a bad caller
// from filling the table with megabyte keys.
constexpr std::size_t kMaxOrderIdLength = 64;

void check_order_id(const std::string& order_id) {
  if (order_id.empty() || order_id.size() > kMaxOrderIdLength) {
    throw std::invalid_argument("an order id has 1 to 64 characters");
  }
}

ReservedLine line_from(const store::Row& row) {
  return ReservedLine{row.text("product_id"), row.text("sku"), row.text("name"),
                      core::Money{row.int64("price_amount"), row.text("price_currency")}, row.int64("quantity")};
}

std::vector<std::string> products_of(const std::vector<ReservedLine>& lines) {
  std::vector<std::string> products;
  products.reserve(lines.size());
  for (const auto& line : lines) products.push_back(line.product_id);
  return products;
}

}  // namespace

asio::awaitable<std::vector<ReservedLine>> StoreStockReservations::reserve(std::string order_id,
                                                                           std::vector<StockRequest> items,
                                                                           std::chrono::milliseconds ttl,
                                                                           core::CallContext /*context*/) {
  check_order_id(order_id);
  if (items.empty()) throw std::invalid_argument("a reservation needs at least one line");
  if (ttl.count() < 1) throw std::invalid_argument("a reservation needs a ttl of at least 1 ms");
  const auto now = clock_.now();
  const auto now_text = core::format_rfc3339(now);
  const auto expires_at_ms = core::epoch_ms(now) + ttl.count();
  std::vector<ReservedLine> lines;
  bool gone = false;
  bool taken = false;
  store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
    lines.clear();  // the body may run again after a serialization failure
    gone = taken = false;
    auto insert_params = params(order_id, "reserved", expires_at_ms, now_text);
    const auto inserted = co_await tx.execute(kInsert, std::move(insert_params));
    if (inserted.affected_rows == 0) {
      // A repeat: the first call's outcome, without taking stock again.
      const auto existing = co_await tx.execute(kStatus, params(order_id));
      if (existing.first().text("status") == "released") {
        gone = true;
        co_return;
      }
      const auto rows = co_await tx.execute(kLines, params(order_id));
      for (const auto& row : rows.rows) lines.push_back(line_from(row));
      co_return;
    }
    lines = co_await inventory_.reserve(tx, items);  // OutOfStock rolls the row back too
    for (std::size_t position = 0; position < lines.size(); ++position) {
      const auto& line = lines[position];
      auto line_params = params(order_id, static_cast<std::int64_t>(position), line.product_id, line.sku, line.name,
                                line.unit_price.amount, line.unit_price.currency, line.quantity);
      co_await tx.execute(kInsertLine, std::move(line_params));
    }
    taken = true;
  };
  co_await store_.transaction(std::move(body));
  if (gone) throw ReservationGone(order_id);
  if (taken) co_await inventory_.stock_changed(products_of(lines));
  co_return lines;
}

asio::awaitable<void> StoreStockReservations::confirm(std::string order_id, core::CallContext /*context*/) {
  check_order_id(order_id);
  // An unconfirmed reservation past its expiry that the sweep has not
  // released yet still holds its stock, so confirming it is safe.
  auto confirm_params = params(order_id, core::format_rfc3339(clock_.now()));
  const auto confirmed = co_await store_.execute(kConfirm, std::move(confirm_params));
  if (confirmed.affected_rows == 0) throw ReservationGone(order_id);
}

asio::awaitable<void> StoreStockReservations::release(std::string order_id, core::CallContext /*context*/) {
  check_order_id(order_id);
  const bool released = co_await release_if(order_id, false);
  if (released) core::log::info("catalog.reservation_released", {{"order_id", order_id}});
}

asio::awaitable<std::size_t> StoreStockReservations::expire(std::int64_t limit) {
  const auto now_ms = core::epoch_ms(clock_.now());
  const store::ReadOptions primary{.allow_replica = false};  // a replica may not have seen the latest confirms
  const auto due = co_await store_.query(kDue, params(now_ms, limit), primary);
  std::size_t expired = 0;
  for (const auto& row : due.rows) {
    auto order_id = row.text("order_id");
    const bool released = co_await release_if(order_id, true);  // confirmed or released meanwhile: skipped
    if (!released) continue;
    ++expired;
    core::log::info("catalog.reservation_expired", {{"order_id", order_id}});
  }
  co_return expired;
}

asio::awaitable<bool> StoreStockReservations::release_if(std::string order_id, bool only_expired) {
  const auto now = clock_.now();
  const auto now_text = core::format_rfc3339(now);
  const auto now_ms = core::epoch_ms(now);
  std::vector<ReservedLine> lines;
  store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
    lines.clear();
    if (!only_expired) {
      // An id never reserved is recorded as released: nothing to give back,
      // and its reserve, should it still arrive, is refused.
      auto tombstone_params = params(order_id, "released", now_ms, now_text);
      const auto tombstone = co_await tx.execute(kInsert, std::move(tombstone_params));
      if (tombstone.affected_rows == 1) co_return;
    }
    auto guard_params = only_expired ? params(order_id, now_text, now_ms) : params(order_id, now_text);
    const auto changed = co_await tx.execute(only_expired ? kExpire : kRelease, std::move(guard_params));
    if (changed.affected_rows == 0) co_return;
    const auto rows = co_await tx.execute(kLines, params(order_id));
    std::vector<StockRequest> returned;
    for (const auto& row : rows.rows) {
      lines.push_back(line_from(row));
      returned.push_back(StockRequest{lines.back().product_id, lines.back().quantity});
    }
    co_await inventory_.release(tx, std::move(returned));
  };
  co_await store_.transaction(std::move(body));
  if (lines.empty()) co_return false;
  co_await inventory_.stock_changed(products_of(lines));
  co_return true;
}

}  // namespace orderly::catalog
