#pragma once

#include <string>
#include <vector>

#include "store/migrations.hpp"

namespace orderly::app {

// Every module's migrations, merged in version order. Each module owns a
// range of versions so modules never collide: platform (store, queue,
// lock) 1-99, auth 100-199, catalog 200-299, payments 300-399,
// orders 400-499, notify 500-599, gateway 600-699.
[[nodiscard]] std::vector<store::Migration> all_migrations();

// The platform's migrations (schema history, queue, outbox) and those of the
// named services only: what a process hosting them applies to its own
// database or schema, so no service creates another's tables. Throws
// std::invalid_argument for an unknown name.
[[nodiscard]] std::vector<store::Migration> migrations_for(const std::vector<std::string>& services);

}  // namespace orderly::app
