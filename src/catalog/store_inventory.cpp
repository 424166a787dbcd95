#include "catalog/store_inventory.hpp"

#include <algorithm>
#include <numeric>
#include <optional>

#include "core/logging.hpp"
#include "core/time_format.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
using store::params;
using store::Statement;

constexpr Statement kReserve{"catalog.stock_reserve",
                             "UPDATE products SET stock = stock - $2, version = version + 1, updated_at = $3"
                             " WHERE id = $1 AND stock >= $2 RETURNING id, sku, name, price_amount, price_currency"};
constexpr Statement kRelease{"catalog.stock_release",
                             "UPDATE products SET stock = stock + $2, version = version + 1, updated_at = $3"
                             " WHERE id = $1"};
constexpr Statement kExists{"catalog.product_exists", "SELECT 1 AS found FROM products WHERE id = $1"};

void check_quantities(const std::vector<StockRequest>& items) {
  for (const auto& item : items) {
    if (item.quantity < 1) throw std::invalid_argument("a stock request needs a quantity of at least 1");
  }
}

// Indices of `items` in product-id order: the order rows are locked in.
std::vector<std::size_t> lock_order(const std::vector<StockRequest>& items) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return items[a].product_id < items[b].product_id; });
  return order;
}

}  // namespace

asio::awaitable<std::vector<ReservedLine>> StoreInventory::reserve(store::Transaction& tx,
                                                                   std::vector<StockRequest> items) {
  check_quantities(items);
  const auto now = core::format_rfc3339(clock_.now());
  std::vector<std::optional<ReservedLine>> lines(items.size());
  for (const auto index : lock_order(items)) {
    const auto& item = items[index];
    if (!is_plausible_id(item.product_id)) throw UnknownProduct(item.product_id);
    store::Result taken;
    try {
      auto reserve_params = params(item.product_id, item.quantity, now);
      taken = co_await tx.execute(kReserve, std::move(reserve_params));
    } catch (const store::ConstraintViolation& violation) {
      if (violation.kind() != store::ConstraintViolation::Kind::check) throw;
      throw OutOfStock(item.product_id);  // the CHECK refused what the WHERE should have
    }
    if (taken.empty()) {
      const auto exists = co_await tx.execute(kExists, params(item.product_id));
      if (exists.empty()) throw UnknownProduct(item.product_id);
      throw OutOfStock(item.product_id);
    }
    const auto& row = taken.first();
    lines[index] = ReservedLine{row.text("id"), row.text("sku"), row.text("name"),
                                core::Money{row.int64("price_amount"), row.text("price_currency")}, item.quantity};
  }
  std::vector<ReservedLine> reserved;
  reserved.reserve(lines.size());
  std::vector<std::string> changed;
  for (auto& line : lines) {
    changed.push_back(line->product_id);
    reserved.push_back(std::move(*line));
  }
  co_await cache_.changed(tx, std::move(changed));
  co_return reserved;
}

asio::awaitable<void> StoreInventory::release(store::Transaction& tx, std::vector<StockRequest> items) {
  check_quantities(items);
  const auto now = core::format_rfc3339(clock_.now());
  std::vector<std::string> changed;
  for (const auto index : lock_order(items)) {
    const auto& item = items[index];
    if (!is_plausible_id(item.product_id)) continue;  // never reserved, so nothing to return
    auto release_params = params(item.product_id, item.quantity, now);
    const auto returned = co_await tx.execute(kRelease, std::move(release_params));
    if (returned.affected_rows == 0) {
      core::log::warn("catalog.release_skipped",
                      {{"product_id", item.product_id}, {"quantity", item.quantity}, {"reason", "product deleted"}});
      continue;
    }
    changed.push_back(item.product_id);
  }
  co_await cache_.changed(tx, std::move(changed));
}

asio::awaitable<void> StoreInventory::stock_changed(std::vector<std::string> product_ids) {
  for (auto& id : product_ids) co_await cache_.invalidate(std::move(id));
}

}  // namespace orderly::catalog
