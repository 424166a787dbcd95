#pragma once

#include <span>
#include <string>
#include <unordered_set>

#include "store/migrations.hpp"

namespace orderly::store::sqlite {

// The tables one service may touch in the embedded database: the ones its
// own migrations and the platform's create (schema history, queue, outbox,
// inbox, locks), so a SQL statement of catalog on orders' tables is refused
// in embedded mode as the service's PostgreSQL role is refused in scale-out.
struct TableOwner {
  std::string service;
  std::unordered_set<std::string> tables;

  [[nodiscard]] bool may_touch(std::string_view table) const;
};

// The owner whose tables are those `migrations` create, found by applying
// them to an empty in-memory database (no hand-kept list to forget a table
// in). Throws StoreError when one does not apply.
[[nodiscard]] TableOwner table_owner(std::string service, std::span<const Migration> migrations);

}  // namespace orderly::store::sqlite
