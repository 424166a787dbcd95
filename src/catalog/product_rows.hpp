#pragma once

#include <cstdint>

#include "catalog/product.hpp"
#include "store/row.hpp"

namespace orderly::catalog {

// A products row (seq, id, sku, ..., updated_at) as a Product, and its paging key.
[[nodiscard]] Product product_from_row(const store::Row& row);
[[nodiscard]] std::int64_t seq_of_row(const store::Row& row);

}  // namespace orderly::catalog
