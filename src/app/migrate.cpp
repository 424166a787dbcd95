#include "app/migrate.hpp"

#include <filesystem>
#include <iostream>

#include "app/schema.hpp"
#include "app/store_setup.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/migrations.hpp"
#include "store/postgres/service_schema.hpp"

namespace orderly::app {

int migrate(const core::Config& config, const std::vector<std::string>& services) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  core::metrics::Registry metrics;
  try {
    const auto store = open_store(config, metrics);
    const auto migrations = services.empty() ? all_migrations() : migrations_for(services);
    const auto report = core::run_sync(store::migrate(*store, migrations));
    std::cout << "migrate: " << report.applied.size() << " applied, schema version " << report.current << "\n";
    return 0;
  } catch (const store::StoreError& error) {
    std::cerr << "orderly: migrate " << store_description(config) << ": " << error.what() << "\n";
    return 1;
  }
}

int provision_service(const core::Config& config, const std::string& service, const std::string& password) {
  if (config.store.driver != core::StoreDriver::postgres) {
    std::cerr << "orderly: provision: needs store.driver=postgres (SQLite keeps a file per service)\n";
    return 2;
  }
  const auto role = "orderly_" + service;
  core::metrics::Registry metrics;
  try {
    const auto store = open_store(config, metrics);
    static constexpr store::Statement kRoleExists{"provision.role_exists",
                                                  "SELECT 1 AS found FROM pg_roles WHERE rolname = $1"};
    const auto found = core::run_sync(store->query(kRoleExists, store::params(role), store::ReadOptions{false}));
    if (!found.empty()) {
      std::cout << "provision: role " << role << " exists; nothing to do\n";
      return 0;
    }
    const auto sql = store::postgres::service_schema_sql(service, role, password);
    core::run_sync(store->transaction([&sql](store::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute_script(sql);
    }));
    std::cout << "provision: schema " << service << " owned by role " << role << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "orderly: provision " << service << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace orderly::app
