#pragma once

#include <span>

#include "store/migrations.hpp"

namespace orderly::payments {

// The payments module's tables (versions 300-399), both dialects.
[[nodiscard]] std::span<const store::Migration> payments_migrations();

}  // namespace orderly::payments
