#pragma once

#include <span>

#include "store/migrations.hpp"

namespace orderly::orders {

// The orders module's tables (versions 400-499): orders, their lines and
// history, payments, checkout saga state and idempotency keys.
[[nodiscard]] std::span<const store::Migration> orders_migrations();

}  // namespace orderly::orders
