#include "store/sqlite/table_owner.hpp"

#include <chrono>

#include "store/sqlite/sqlite_connection.hpp"

namespace orderly::store::sqlite {

bool TableOwner::may_touch(std::string_view table) const {
  // SQLite's own tables (the schema, AUTOINCREMENT's counters, statistics).
  if (table.starts_with("sqlite_")) return true;
  return tables.contains(std::string(table));
}

TableOwner table_owner(std::string service, std::span<const Migration> migrations) {
  constexpr Statement kTables{"sqlite.owned_tables", "SELECT name FROM sqlite_master WHERE type = 'table'"};
  SqliteConnection scratch(":memory:", SqliteConnection::Mode::writer, std::chrono::milliseconds(0));
  for (const auto& migration : migrations) scratch.run_script(migration.text(Dialect::sqlite));
  TableOwner owner{std::move(service), {"schema_migrations"}};  // migrate() keeps its history there
  for (const auto& row : scratch.run(kTables, {}).rows) owner.tables.insert(row.text("name"));
  return owner;
}

}  // namespace orderly::store::sqlite
