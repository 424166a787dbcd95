#pragma once

#include <string>
#include <string_view>

namespace orderly::store::postgres {

// The SQL (for a role with CREATEROLE, once per service) that gives a service its own
// part of a shared PostgreSQL database: a login role, a schema owned by that
// role, and the role's search_path set to it. The role has no privilege on
// any other service's schema (each is owned by its own role, with no grant to
// PUBLIC), so a statement of one service on another's tables is refused by
// the database: "permission denied for schema ...". `schema` and `role` are
// lowercase identifiers ([a-z][a-z0-9_]*, at most 63 bytes); `password` is
// [A-Za-z0-9]+. Throws std::invalid_argument otherwise (nothing is quoted
// from outside).
[[nodiscard]] std::string service_schema_sql(std::string_view schema, std::string_view role,
                                             std::string_view password);

}  // namespace orderly::store::postgres
