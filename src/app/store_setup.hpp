#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "net/health.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The store for the configured driver: SQLite in the data folder (the
// default, embedded mode) or PostgreSQL with its replicas (store.driver =
// postgres; connections open on first use). Throws store::StoreError when it
// cannot be opened (for PostgreSQL: no primary, or a URI that does not parse
// or resolve).
std::unique_ptr<store::Store> open_store(const core::Config& config, core::metrics::Registry& metrics);

// open_store() with every migration applied: what the operator commands
// (keys, vault rotate, audit verify) work on. Throws as open_store() and
// store::migrate() do.
std::unique_ptr<store::Store> open_migrated_store(const core::Config& config, core::metrics::Registry& metrics);

// Where the embedded database lives.
std::string sqlite_path(const core::Config& config);

// The store named for messages and logs: "sqlite ./data/orderly.db" or
// "postgres" (never a URI: it may hold a password).
std::string store_description(const core::Config& config);

// Each hosted service's view of the store, so a service's SQL touches only
// its own tables in both modes. Embedded (SQLite): a view per service whose
// statements may touch only the tables its migrations and the platform's
// create (store::sqlite::SqliteStore::owned_by). PostgreSQL: the store
// itself, where the service's database role refuses other schemas. Must not
// outlive `shared`.
class ServiceStores {
 public:
  ServiceStores(store::Store& shared, const std::vector<std::string>& services);

  // The view of a service named at construction; the shared store for any other.
  [[nodiscard]] store::Store& of(const std::string& service) const;

 private:
  store::Store& shared_;
  std::map<std::string, std::unique_ptr<store::Store>, std::less<>> owned_;
};

// A readiness probe: one trivial query.
net::HealthCheck store_check(store::Store& store);

}  // namespace orderly::app
