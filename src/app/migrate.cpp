#include "app/migrate.hpp"

#include <filesystem>
#include <iostream>

#include "app/schema.hpp"
#include "app/store_setup.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "store/migrations.hpp"

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

}  // namespace orderly::app
