#pragma once

#include <span>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "store/store.hpp"

namespace orderly::store {

// One schema change, in both dialects. Versions only grow; an applied
// migration is never edited (add a new one instead).
struct Migration {
  int version;
  std::string_view name;
  std::string_view sqlite;
  std::string_view postgres;  // empty: same text as sqlite

  [[nodiscard]] std::string_view text(Dialect dialect) const {
    return dialect == Dialect::postgres && !postgres.empty() ? postgres : sqlite;
  }
};

// Orderly's migrations, in version order.
[[nodiscard]] std::span<const Migration> orderly_migrations();

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this run
  int current = 0;           // the schema version afterwards
};

// Applies, in order, every migration of `migrations` not yet recorded in the
// schema_migrations table, each in its own transaction together with its
// record: a migration is applied once, or not at all. Safe to run from
// several processes at once (SQLite: one writer; PostgreSQL: an advisory
// lock). Throws StoreError when one fails; the ones before it stay applied.
boost::asio::awaitable<MigrationReport> migrate(Store& store, std::span<const Migration> migrations);

}  // namespace orderly::store
