#pragma once

#include <cstddef>

#include "catalog/import_handlers.hpp"
#include "catalog/product_handlers.hpp"
#include "net/router.hpp"

namespace orderly::catalog {

struct CatalogRouteOptions {
  std::size_t import_body_limit = 10 * 1024 * 1024;  // bytes; the CSV of POST /products/import
};

// Adds the Catalog rows of API.md to `router`: reads for anyone, writes and
// jobs for admins (401 without a token, 403 without the role). The handlers
// must outlive the router.
void add_catalog_routes(net::Router& router, ProductHandlers& products, ImportHandlers& imports,
                        CatalogRouteOptions options);

}  // namespace orderly::catalog
