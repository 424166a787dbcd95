#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "catalog/csv.hpp"
#include "catalog/product.hpp"

namespace orderly::catalog {

// The import format: a header row naming the columns sku, name, description,
// price_amount, price_currency, stock (in any order, case and surrounding
// spaces ignored; other columns are ignored), then one product per record.
struct ProductCsvColumns {
  std::size_t sku = 0;
  std::size_t name = 0;
  std::size_t description = 0;
  std::size_t price_amount = 0;
  std::size_t price_currency = 0;
  std::size_t stock = 0;
  std::size_t width = 0;  // fields per record
};

// The columns of `header`, or why it is not a valid header.
[[nodiscard]] std::variant<ProductCsvColumns, std::string> read_product_header(const CsvRecord& header);

// The columns of the first record of `csv`, or why it cannot be imported
// (empty, malformed or missing a column). For the 202 handler, which reads no further.
[[nodiscard]] std::variant<ProductCsvColumns, std::string> check_product_csv_header(std::string_view csv);

// A record as a valid draft, or the message for its line (which field is
// wrong, without repeating the value).
[[nodiscard]] std::variant<ProductDraft, std::string> product_from_record(const CsvRecord& record,
                                                                          const ProductCsvColumns& columns);

}  // namespace orderly::catalog
