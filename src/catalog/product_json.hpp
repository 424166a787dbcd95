#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "catalog/product.hpp"

namespace orderly::catalog {

// {id, sku, name, description, price: {amount, currency}, stock, version,
// created_at, updated_at}: the product as the API shows it.
[[nodiscard]] boost::json::object product_to_json(const Product& product);

// Request bodies of POST and PATCH /api/v1/products. Throw core::ProblemError:
// 400 when the body is not JSON, 422 with one error per bad field when it is
// not an object, a field has the wrong type or a value is out of range.
// Unknown fields are ignored. POST needs sku, name and price; description
// defaults to "" and stock to 0. A PATCH may carry any subset (an empty one
// is valid and changes nothing but the version).
[[nodiscard]] ProductDraft parse_product_draft(std::string_view body);
[[nodiscard]] ProductPatch parse_product_patch(std::string_view body);

}  // namespace orderly::catalog
