#pragma once

#include <string>
#include <vector>

#include "core/config.hpp"

namespace orderly::app {

// `orderly migrate [--service NAME]...`: applies pending migrations to the
// configured store (every service's, or only the platform's and the named
// services', for a service's own schema), prints what it did, and returns
// the exit code (0 done, 1 a migration failed).
int migrate(const core::Config& config, const std::vector<std::string>& services);

}  // namespace orderly::app
