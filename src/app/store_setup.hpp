#pragma once

#include <memory>
#include <string>

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

// Where the embedded database lives.
std::string sqlite_path(const core::Config& config);

// The store named for messages and logs: "sqlite ./data/orderly.db" or
// "postgres" (never a URI: it may hold a password).
std::string store_description(const core::Config& config);

// A readiness probe: one trivial query.
net::HealthCheck store_check(store::Store& store);

}  // namespace orderly::app
