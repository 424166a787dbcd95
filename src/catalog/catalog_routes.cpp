#include "catalog/catalog_routes.hpp"

#include <string>

#include "auth/access.hpp"

namespace orderly::catalog {
namespace {

template <class Handlers, class Member>
net::Handler bind(Handlers& handlers, Member member) {
  return [&handlers, member](net::RequestContext& context, net::Request& request) {
    return (handlers.*member)(context, request);
  };
}

net::Handler admin(net::Handler handler) {
  return auth::require_role(std::string(auth::kAdminRole), std::move(handler));
}

}  // namespace

void add_catalog_routes(net::Router& router, ProductHandlers& products, ImportHandlers& imports,
                        CatalogRouteOptions options) {
  router.add("GET", "/api/v1/products", bind(products, &ProductHandlers::list));
  router.add("POST", "/api/v1/products", admin(bind(products, &ProductHandlers::create)));
  router.add("GET", "/api/v1/products/{id}", bind(products, &ProductHandlers::get));
  router.add("PATCH", "/api/v1/products/{id}", admin(bind(products, &ProductHandlers::update)));
  router.add("DELETE", "/api/v1/products/{id}", admin(bind(products, &ProductHandlers::remove)));
  router.add("POST", "/api/v1/products/import", admin(bind(imports, &ImportHandlers::start_import)),
             net::RouteOptions{.body_limit = options.import_body_limit});
  router.add("GET", "/api/v1/jobs/{id}", admin(bind(imports, &ImportHandlers::get_job)));
}

}  // namespace orderly::catalog
