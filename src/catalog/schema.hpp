#pragma once

#include <span>

#include "store/migrations.hpp"

namespace orderly::catalog {

// The catalog's tables (versions 200-299), both dialects: products with a
// CHECK that keeps stock at or above zero and full-text search over name and
// description (SQLite: an FTS5 index kept in sync by triggers; PostgreSQL: a
// generated tsvector column with a GIN index), the import jobs of the bulk
// worker, the marker that says the sample products were seeded, and the
// stock reservations held for orders.
[[nodiscard]] std::span<const store::Migration> catalog_migrations();

}  // namespace orderly::catalog
