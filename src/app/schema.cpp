#include "app/schema.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>

#include "auth/schema.hpp"
#include "notify/schema.hpp"
#include "catalog/schema.hpp"
#include "payments/schema.hpp"
#include "orders/schema.hpp"

namespace orderly::app {

namespace {

std::span<const store::Migration> migrations_of(const std::string& service) {
  if (service == "auth") return auth::auth_migrations();
  if (service == "catalog") return catalog::catalog_migrations();
  if (service == "orders") return orders::orders_migrations();
  if (service == "payments") return payments::payments_migrations();
  if (service == "notify") return notify::notify_migrations();
  throw std::invalid_argument("no such service: " + service);
}

}  // namespace

std::vector<store::Migration> migrations_for(const std::vector<std::string>& services) {
  const auto platform = store::orderly_migrations();
  std::vector<store::Migration> merged(platform.begin(), platform.end());
  for (const auto& service : services) {
    const auto module = migrations_of(service);
    merged.insert(merged.end(), module.begin(), module.end());
  }
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return merged;
}

std::vector<store::Migration> all_migrations() {
  return migrations_for({"auth", "notify", "catalog", "payments", "orders"});
}

}  // namespace orderly::app
