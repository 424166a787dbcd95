#pragma once

#include <string_view>

namespace orderly::store {

enum class Dialect { sqlite, postgres };

// A named SQL statement. The name shows up in metrics, logs and errors
// (STYLE.md: named statements); it must be unique per SQL text, because
// connections prepare and cache statements by name. Parameters are written
// $1, $2, ... in both dialects. `postgres` holds the PostgreSQL text when it
// differs from the SQLite one.
//
//   inline constexpr Statement kFindUser{"users.find_by_email", "SELECT id FROM users WHERE email = $1"};
struct Statement {
  std::string_view name;
  std::string_view sql;
  std::string_view postgres = {};

  [[nodiscard]] constexpr std::string_view text(Dialect dialect) const {
    return dialect == Dialect::postgres && !postgres.empty() ? postgres : sql;
  }
};

}  // namespace orderly::store
