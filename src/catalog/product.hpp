#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/money.hpp"

namespace orderly::catalog {

// A product as stored and as clients see it. `version` starts at 1 and grows
// with every change (an edit, a reservation, a release): it is the ETag.
struct Product {
  std::string id;
  std::string sku;
  std::string name;
  std::string description;
  core::Money price;
  std::int64_t stock = 0;
  std::int64_t version = 1;
  std::string created_at;  // RFC 3339 UTC
  std::string updated_at;
};

// The fields a client (or a CSV line) gives for a new product, already valid
// (see product_rules.hpp).
struct ProductDraft {
  std::string sku;
  std::string name;
  std::string description;
  core::Money price;
  std::int64_t stock = 0;
};

// A PATCH: only the fields present change.
struct ProductPatch {
  std::optional<std::string> sku;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<core::Money> price;
  std::optional<std::int64_t> stock;

  void apply_to(Product& product) const {
    if (sku) product.sku = *sku;
    if (name) product.name = *name;
    if (description) product.description = *description;
    if (price) product.price = *price;
    if (stock) product.stock = *stock;
  }
};

}  // namespace orderly::catalog
