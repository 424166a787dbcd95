#pragma once

#include <span>

#include "store/migrations.hpp"

namespace orderly::notify {

// The notifications module's tables (versions 500-599), both dialects.
[[nodiscard]] std::span<const store::Migration> notify_migrations();

}  // namespace orderly::notify
