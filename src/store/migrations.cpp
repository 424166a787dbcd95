#include "store/migrations.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/logging.hpp"

namespace orderly::store {
namespace {

constexpr Statement kCreateTable{
    "migrations.create_table",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"};
constexpr Statement kIsApplied{"migrations.is_applied", "SELECT 1 AS applied FROM schema_migrations WHERE version = $1"};
constexpr Statement kRecord{"migrations.record", "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)"};
constexpr Statement kCurrent{"migrations.current", "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"};
// Serialises migrating processes on PostgreSQL for the transaction's length.
constexpr Statement kLock{"migrations.lock", "SELECT 1", "SELECT pg_advisory_xact_lock(7306846101)"};

// Orderly's schema, grown by each module as it lands.
constexpr Migration kMigrations[] = {
    {1, "schema_version_marker",
     // A first, harmless migration: proves the runner end to end on a fresh
     // database; later modules add their tables from version 2 on.
     "CREATE TABLE IF NOT EXISTS orderly_instance (id INTEGER PRIMARY KEY CHECK (id = 1),"
     " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"
     "INSERT OR IGNORE INTO orderly_instance (id) VALUES (1);",
     "CREATE TABLE IF NOT EXISTS orderly_instance (id INTEGER PRIMARY KEY CHECK (id = 1),"
     " created_at TIMESTAMPTZ NOT NULL DEFAULT now());"
     "INSERT INTO orderly_instance (id) VALUES (1) ON CONFLICT DO NOTHING;"},
    {2, "queue_messages_and_inbox",
     // The embedded broker's queues (times in ms since the epoch) and the
     // consumers' dedupe records.
     "CREATE TABLE queue_messages ("
     " id TEXT PRIMARY KEY, queue TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,"
     " payload TEXT NOT NULL, traceparent TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0, visible_at INTEGER NOT NULL, receipt TEXT,"
     " state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'dead')), last_error TEXT);"
     "CREATE INDEX queue_messages_due ON queue_messages (queue, state, visible_at);"
     "CREATE TABLE inbox (message_id TEXT NOT NULL, consumer TEXT NOT NULL,"
     " processed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
     " PRIMARY KEY (message_id, consumer));",
     "CREATE TABLE queue_messages ("
     " id TEXT PRIMARY KEY, queue TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,"
     " payload TEXT NOT NULL, traceparent TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
     " attempts INTEGER NOT NULL DEFAULT 0, visible_at BIGINT NOT NULL, receipt TEXT,"
     " state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'dead')), last_error TEXT);"
     "CREATE INDEX queue_messages_due ON queue_messages (queue, state, visible_at);"
     "CREATE TABLE inbox (message_id TEXT NOT NULL, consumer TEXT NOT NULL,"
     " processed_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (message_id, consumer));"},
    {3, "outbox",
     // Messages written in a data transaction, waiting for the outbox relay
     // (queue/outbox_relay.hpp) to publish them; sent_at is NULL until the
     // broker confirmed. The partial index keeps the relay's claim cheap
     // however many sent rows remain.
     "CREATE TABLE outbox ("
     " id TEXT PRIMARY KEY, queue TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,"
     " payload TEXT NOT NULL, traceparent TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
     " sent_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);"
     "CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;",
     "CREATE TABLE outbox ("
     " id TEXT PRIMARY KEY, queue TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,"
     " payload TEXT NOT NULL, traceparent TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
     " sent_at TIMESTAMPTZ, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);"
     "CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;"},
    {4, "locks",
     // lock::StoreLock's leases: rows are never deleted (a row remembers its
     // lock's last fencing token); expires_at is ms since the epoch.
     "CREATE TABLE locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, token BIGINT NOT NULL,"
     " expires_at BIGINT NOT NULL);",
     ""},  // PostgreSQL: the same
};

// Runs `migration` and records it, unless it is recorded already. Checked
// inside the transaction: another process may have applied it since.
boost::asio::awaitable<void> apply_once(Transaction& tx, const Migration& migration, Dialect dialect, bool& applied) {
  applied = false;
  co_await tx.execute(kLock);
  const auto recorded = co_await tx.execute(kIsApplied, params(migration.version));
  if (!recorded.empty()) co_return;
  co_await tx.execute_script(migration.text(dialect));
  auto record = params(migration.version, std::string(migration.name));
  co_await tx.execute(kRecord, std::move(record));
  applied = true;
}

}  // namespace

std::span<const Migration> orderly_migrations() { return kMigrations; }

boost::asio::awaitable<MigrationReport> migrate(Store& store, std::span<const Migration> migrations) {
  if (!std::is_sorted(migrations.begin(), migrations.end(),
                      [](const Migration& a, const Migration& b) { return a.version < b.version; })) {
    throw std::logic_error("migrations must be listed in version order");
  }
  // Two instances of a service starting together both create the history
  // table: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against that
  // race, so the creation takes the migrations' advisory lock first.
  Store::Body create_history = [](Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(kLock);
    co_await tx.execute(kCreateTable);
  };
  co_await store.transaction(std::move(create_history));

  MigrationReport report;
  for (const auto& migration : migrations) {
    bool applied_now = false;
    const auto dialect = store.dialect();
    co_await store.transaction(
        [&](Transaction& tx) { return apply_once(tx, migration, dialect, applied_now); });
    if (applied_now) {
      report.applied.push_back(migration.version);
      core::log::info("store.migration_applied", {{"version", migration.version}, {"name", migration.name}});
    }
  }
  ReadOptions primary;
  primary.allow_replica = false;  // we just wrote it
  const auto current = co_await store.query(kCurrent, {}, primary);
  report.current = static_cast<int>(current.first().int64("version"));
  co_return report;
}

}  // namespace orderly::store
