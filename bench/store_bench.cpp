// orderly_store_bench: an order-shaped write transaction (one order, three
// items, one outbox row) in a loop through store::Store, from N concurrent
// coroutines, for S seconds. bench/store.sh runs it beside the sqlite3 shell
// and pgbench executing the same SQL.
//
//   orderly_store_bench --driver sqlite --path FILE --clients N --seconds S
//   orderly_store_bench --driver postgres --uri URI --clients N --seconds S
//   orderly_store_bench --driver sqlite|postgres --print-schema
//
// Prints one line: transactions=<n> seconds=<s> tps=<x>.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/run_sync.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace {

namespace asio = boost::asio;
namespace store = orderly::store;
using Clock = std::chrono::steady_clock;

// bench_outbox has the shape of the `outbox` table (src/store/migrations.cpp,
// migration 3), partial index included.
constexpr std::string_view kSchemaSqlite =
    "CREATE TABLE IF NOT EXISTS bench_orders (id BIGINT PRIMARY KEY, customer BIGINT NOT NULL,"
    " status TEXT NOT NULL, total_cents BIGINT NOT NULL, created_at TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS bench_order_items (order_id BIGINT NOT NULL, line INTEGER NOT NULL,"
    " sku TEXT NOT NULL, quantity INTEGER NOT NULL, price_cents BIGINT NOT NULL, PRIMARY KEY (order_id, line));\n"
    "CREATE TABLE IF NOT EXISTS bench_outbox ("
    " id TEXT PRIMARY KEY, queue TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,"
    " payload TEXT NOT NULL, traceparent TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
    " sent_at TEXT, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);\n"
    "CREATE INDEX IF NOT EXISTS bench_outbox_unsent ON bench_outbox (created_at) WHERE sent_at IS NULL;\n";

constexpr std::string_view kSchemaPostgres =
    "CREATE TABLE IF NOT EXISTS bench_orders (id BIGINT PRIMARY KEY, customer BIGINT NOT NULL,"
    " status TEXT NOT NULL, total_cents BIGINT NOT NULL, created_at TEXT NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS bench_order_items (order_id BIGINT NOT NULL, line INTEGER NOT NULL,"
    " sku TEXT NOT NULL, quantity INTEGER NOT NULL, price_cents BIGINT NOT NULL, PRIMARY KEY (order_id, line));\n"
    "CREATE TABLE IF NOT EXISTS bench_outbox ("
    " id TEXT PRIMARY KEY, queue TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,"
    " payload TEXT NOT NULL, traceparent TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL,"
    " sent_at TIMESTAMPTZ, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);\n"
    "CREATE INDEX IF NOT EXISTS bench_outbox_unsent ON bench_outbox (created_at) WHERE sent_at IS NULL;\n";

// The same statements as bench/store.sh writes for the sqlite3 shell and pgbench.
constexpr store::Statement kInsertOrder{
    "bench.insert_order",
    "INSERT INTO bench_orders (id, customer, status, total_cents, created_at) VALUES ($1, $2, 'placed', 14000, $3)"};
constexpr store::Statement kInsertItem{
    "bench.insert_item",
    "INSERT INTO bench_order_items (order_id, line, sku, quantity, price_cents) VALUES ($1, $2, $3, $4, $5)"};
constexpr store::Statement kInsertOutbox{
    "bench.insert_outbox",
    "INSERT INTO bench_outbox (id, queue, type, schema_version, payload, created_at)"
    " VALUES ($1, 'orders', 'order.placed', 1, $2, $3)"};
constexpr std::string_view kCreatedAt = "2026-11-21T00:00:00Z";

struct Options {
  std::string driver;
  std::string path;
  std::string uri;
  int clients = 4;
  double seconds = 10;
  int threads = 0;  // 0: min(2, clients)
  bool print_schema = false;
};

struct Shared {
  std::atomic<std::uint64_t> committed{0};
  std::atomic<std::uint64_t> failed{0};
  std::mutex error_mutex;
  std::string first_error;
};

// Parsed with CLI11, like the orderly binary: bad values get a clear message and exit 2.
Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{"Order-shaped transactions per second through a Store.", "orderly_store_bench"};
  app.add_option("--driver", options.driver, "sqlite or postgres")
      ->required()
      ->check(CLI::IsMember({"sqlite", "postgres"}));
  app.add_option("--path", options.path, "SQLite file (sqlite)");
  app.add_option("--uri", options.uri, "postgresql:// URI (postgres)");
  app.add_option("--clients", options.clients, "concurrent clients")->check(CLI::PositiveNumber);
  app.add_option("--seconds", options.seconds, "timed run length")->check(CLI::PositiveNumber);
  app.add_option("--threads", options.threads, "event loop threads (0: min(2, clients))");
  app.add_flag("--print-schema", options.print_schema, "print the schema for this driver and exit");
  try {
    app.parse(argc, argv);
    if (!options.print_schema && options.driver == "sqlite" && options.path.empty()) {
      throw CLI::ValidationError("--driver sqlite needs --path");
    }
    if (!options.print_schema && options.driver == "postgres" && options.uri.empty()) {
      throw CLI::ValidationError("--driver postgres needs --uri");
    }
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) std::exit(app.exit(error));  // --help
    std::cerr << app.get_name() << ": " << error.what() << "\n";
    std::exit(2);
  }
  if (options.threads <= 0) options.threads = std::min(2, options.clients);
  options.threads = std::min(options.threads, options.clients);
  return options;
}

asio::awaitable<void> create_schema(store::Store* db, std::string_view schema) {
  auto body = [schema](store::Transaction& tx) -> asio::awaitable<void> { co_await tx.execute_script(schema); };
  co_await db->transaction(std::move(body));
}

// One client: order transactions back to back until `end`.
asio::awaitable<void> client(store::Store* db, Clock::time_point end, Shared* shared) {
  orderly::core::FastRandom random;
  while (Clock::now() < end) {
    const auto id = static_cast<std::int64_t>(random.next_u64() % 1'000'000'000'000'000ULL) + 1;
    const auto customer = static_cast<std::int64_t>(random.next_u64() % 100'000) + 1;
    auto body = [id, customer](store::Transaction& tx) -> asio::awaitable<void> {
      auto order = store::params(id, customer, kCreatedAt);
      co_await tx.execute(kInsertOrder, std::move(order));
      for (int line = 1; line <= 3; ++line) {
        auto item = store::params(id, line, "SKU-" + std::to_string(line), line, 1000 * line);
        co_await tx.execute(kInsertItem, std::move(item));
      }
      auto message = store::params(std::to_string(id),
                                   "{\"order_id\":" + std::to_string(id) + ",\"total_cents\":14000}", kCreatedAt);
      co_await tx.execute(kInsertOutbox, std::move(message));
    };
    try {
      co_await db->transaction(std::move(body));
      shared->committed.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception& error) {
      shared->failed.fetch_add(1, std::memory_order_relaxed);
      const std::lock_guard lock(shared->error_mutex);
      if (shared->first_error.empty()) shared->first_error = error.what();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  const bool sqlite = options.driver == "sqlite";
  const std::string_view schema = sqlite ? kSchemaSqlite : kSchemaPostgres;
  if (options.print_schema) {
    std::cout << schema;
    return 0;
  }

  try {
    orderly::core::metrics::Registry metrics;
    std::unique_ptr<store::Store> db;
    const auto per_loop = static_cast<std::size_t>((options.clients + options.threads - 1) / options.threads);
    if (sqlite) {
      db = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = options.path}, metrics);
    } else {
      store::postgres::PgOptions pg;
      pg.primary = options.uri;
      pg.connections.pool_size = per_loop;
      pg.connections.application_name = "orderly_store_bench";
      db = std::make_unique<store::postgres::PgStore>(std::move(pg), metrics);
    }
    orderly::core::run_sync(create_schema(db.get(), schema));

    Shared shared;
    {
      std::vector<std::unique_ptr<asio::io_context>> loops;
      for (int t = 0; t < options.threads; ++t) loops.push_back(std::make_unique<asio::io_context>(1));
      const auto start = Clock::now();
      const auto end =
          start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
      for (int c = 0; c < options.clients; ++c) {
        asio::co_spawn(*loops[static_cast<std::size_t>(c % options.threads)], client(db.get(), end, &shared),
                       asio::detached);
      }
      std::vector<std::thread> threads;
      for (std::size_t t = 1; t < loops.size(); ++t) threads.emplace_back([&loops, t] { loops[t]->run(); });
      loops[0]->run();
      for (auto& thread : threads) thread.join();
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      const auto committed = shared.committed.load();
      if (shared.failed.load() > 0) {
        std::cerr << "orderly_store_bench: " << shared.failed.load()
                  << " transactions failed, first: " << shared.first_error << "\n";
      }
      std::printf("transactions=%llu seconds=%.3f tps=%.1f\n", static_cast<unsigned long long>(committed), elapsed,
                  static_cast<double>(committed) / elapsed);
      std::fflush(stdout);
      loops.clear();  // the PostgreSQL pools live in services of these loops
      if (committed == 0) return 1;
    }
  } catch (const std::exception& error) {
    std::cerr << "orderly_store_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
