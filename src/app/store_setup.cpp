#include "app/store_setup.hpp"

#include "app/schema.hpp"
#include "core/run_sync.hpp"
#include "store/migrations.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::app {

std::string sqlite_path(const core::Config& config) {
  return config.store.sqlite_path.empty() ? config.data_dir + "/orderly.db" : config.store.sqlite_path;
}

std::string store_description(const core::Config& config) {
  return config.store.driver == core::StoreDriver::postgres ? std::string("postgres") : "sqlite " + sqlite_path(config);
}

std::unique_ptr<store::Store> open_store(const core::Config& config, core::metrics::Registry& metrics) {
  if (config.store.driver == core::StoreDriver::postgres) {
    store::postgres::PgOptions options;
    options.primary = config.store.postgres_primary;
    options.replicas = config.store.postgres_replicas;
    options.patroni = config.store.patroni;
    options.connections.pool_size = config.store.postgres_pool_size;
    options.connections.connect_timeout = config.store.postgres_connect_timeout;
    options.connections.statement_timeout = config.store.postgres_statement_timeout;
    options.connections.acquire_timeout = config.store.postgres_acquire_timeout;
    return std::make_unique<store::postgres::PgStore>(std::move(options), metrics);
  }
  return std::make_unique<store::sqlite::SqliteStore>(
      store::sqlite::SqliteOptions{.path = sqlite_path(config),
                                   .readers = config.store.readers,
                                   .busy_timeout = config.store.busy_timeout},
      metrics);
}

std::unique_ptr<store::Store> open_migrated_store(const core::Config& config, core::metrics::Registry& metrics) {
  auto store = open_store(config, metrics);
  const auto migrations = all_migrations();
  core::run_sync(store::migrate(*store, migrations));
  return store;
}

ServiceStores::ServiceStores(store::Store& shared, const std::vector<std::string>& services) : shared_(shared) {
  auto* sqlite = dynamic_cast<store::sqlite::SqliteStore*>(&shared);
  if (sqlite == nullptr) return;
  for (const auto& service : services) {
    owned_.emplace(service, sqlite->owned_by(store::sqlite::table_owner(service, migrations_for({service}))));
  }
}

store::Store& ServiceStores::of(const std::string& service) const {
  const auto found = owned_.find(service);
  return found != owned_.end() ? *found->second : shared_;
}

net::HealthCheck store_check(store::Store& store) {
  static constexpr store::Statement kPing{"health.ping", "SELECT 1 AS ok"};
  return [&store]() -> boost::asio::awaitable<net::HealthStatus> {
    co_await store.query(kPing);  // an exception marks it down (HealthRegistry logs why)
    co_return net::HealthStatus{};
  };
}

}  // namespace orderly::app
