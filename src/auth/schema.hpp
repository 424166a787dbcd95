#pragma once

#include <span>

#include "store/migrations.hpp"

namespace orderly::auth {

// Auth's tables (versions 100-199): users, refresh_tokens, signing_keys.
[[nodiscard]] std::span<const store::Migration> auth_migrations();

}  // namespace orderly::auth
