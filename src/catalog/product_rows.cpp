#include "catalog/product_rows.hpp"

namespace orderly::catalog {

Product product_from_row(const store::Row& row) {
  return Product{row.text("id"),
                 row.text("sku"),
                 row.text("name"),
                 row.text("description"),
                 core::Money{row.int64("price_amount"), row.text("price_currency")},
                 row.int64("stock"),
                 row.int64("version"),
                 row.text("created_at"),
                 row.text("updated_at")};
}

std::int64_t seq_of_row(const store::Row& row) {
  return row.int64("seq");
}

}  // namespace orderly::catalog
