#pragma once

#include "core/config.hpp"

namespace orderly::app {

// `orderly migrate`: applies pending migrations to the configured store,
// prints what it did, and returns the exit code (0 done, 1 a migration failed).
int migrate(const core::Config& config);

}  // namespace orderly::app
