#pragma once

#include <boost/json/object.hpp>

#include "catalog/product.hpp"
#include "net/http_message.hpp"

namespace orderly::catalog {

// {id, sku, name, description, price: {amount, currency}, stock, version,
// created_at, updated_at}: the product as the API shows it.
[[nodiscard]] boost::json::object product_to_json(const Product& product);

// Request bodies of POST and PATCH /api/v1/products. Throw core::ProblemError:
// 400 when the body is not a JSON object (net/json_body.hpp), 422 with one
// error per bad field (a wrong type, a value out of range; see
// product_rules.hpp). Unknown fields are ignored. POST needs sku, name and
// price; description defaults to "" and stock to 0. A PATCH may carry any
// subset (an empty one changes nothing but the version).
[[nodiscard]] ProductDraft parse_product_draft(const net::Request& request);
[[nodiscard]] ProductPatch parse_product_patch(const net::Request& request);

}  // namespace orderly::catalog
