#pragma once

#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/metrics.hpp"
#include "net/health.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The store for the configured mode (embedded: SQLite in the data folder).
// Throws store::StoreError when it cannot be opened.
std::unique_ptr<store::Store> open_store(const core::Config& config, core::metrics::Registry& metrics);

// Where the embedded database lives.
std::string sqlite_path(const core::Config& config);

// A readiness probe: one trivial query.
net::HealthCheck store_check(store::Store& store);

}  // namespace orderly::app
