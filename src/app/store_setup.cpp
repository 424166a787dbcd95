#include "app/store_setup.hpp"

#include "store/sqlite/sqlite_store.hpp"

namespace orderly::app {

std::string sqlite_path(const core::Config& config) {
  return config.store.sqlite_path.empty() ? config.data_dir + "/orderly.db" : config.store.sqlite_path;
}

std::unique_ptr<store::Store> open_store(const core::Config& config, core::metrics::Registry& metrics) {
  return std::make_unique<store::sqlite::SqliteStore>(
      store::sqlite::SqliteOptions{.path = sqlite_path(config),
                                   .readers = config.store.readers,
                                   .busy_timeout = config.store.busy_timeout},
      metrics);
}

net::HealthCheck store_check(store::Store& store) {
  static constexpr store::Statement kPing{"health.ping", "SELECT 1 AS ok"};
  return [&store]() -> boost::asio::awaitable<net::HealthStatus> {
    co_await store.query(kPing);  // an exception marks it down (HealthRegistry logs why)
    co_return net::HealthStatus{};
  };
}

}  // namespace orderly::app
