#include "store/postgres/service_schema.hpp"

#include <stdexcept>

namespace orderly::store::postgres {
namespace {

void check_identifier(std::string_view name, std::string_view what) {
  bool valid = !name.empty() && name.size() <= 63 && name.front() >= 'a' && name.front() <= 'z';
  for (const char c : name) valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!valid) throw std::invalid_argument(std::string(what) + " must be a lowercase identifier");
}

}  // namespace

std::string service_schema_sql(std::string_view schema, std::string_view role, std::string_view password) {
  check_identifier(schema, "schema");
  check_identifier(role, "role");
  bool valid = !password.empty();
  for (const char c : password) valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  if (!valid) throw std::invalid_argument("password must be letters and digits");
  const std::string s(schema);
  const std::string r(role);
  // The provisioning role joins the new one, which PostgreSQL requires to
  // make it a schema's owner (and later to drop what it owns).
  return "CREATE ROLE " + r + " LOGIN PASSWORD '" + std::string(password) + "';" +  //
         "GRANT " + r + " TO CURRENT_USER;" +                                      //
         "CREATE SCHEMA " + s + " AUTHORIZATION " + r + ";" +                      //
         "REVOKE ALL ON SCHEMA " + s + " FROM PUBLIC;" +                           //
         "ALTER ROLE " + r + " SET search_path = " + s + ";";
}

}  // namespace orderly::store::postgres
