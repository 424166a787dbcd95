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

// `orderly provision SERVICE --password P` (PostgreSQL, as a role with
// CREATEROLE): the service's own schema and login role orderly_SERVICE
// (store::postgres::service_schema_sql); nothing when the role exists.
// Returns 0 done, 1 failed, 2 not on PostgreSQL.
int provision_service(const core::Config& config, const std::string& service, const std::string& password);

}  // namespace orderly::app
