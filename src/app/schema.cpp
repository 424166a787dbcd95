#include "app/schema.hpp"

#include <algorithm>
#include <span>

#include "auth/schema.hpp"
#include "notify/schema.hpp"
#include "catalog/schema.hpp"
#include "payments/schema.hpp"
#include "orders/schema.hpp"

namespace orderly::app {

std::vector<store::Migration> all_migrations() {
  const std::span<const store::Migration> modules[] = {
      store::orderly_migrations(),
      auth::auth_migrations(),
      notify::notify_migrations(),
      catalog::catalog_migrations(),
      payments::payments_migrations(),
      orders::orders_migrations(),
  };
  std::vector<store::Migration> merged;
  for (const auto module : modules) merged.insert(merged.end(), module.begin(), module.end());
  std::sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return merged;
}

}  // namespace orderly::app
