#pragma once

#include <boost/asio/awaitable.hpp>

#include "catalog/product_cache.hpp"
#include "catalog/product_repository.hpp"
#include "net/http_message.hpp"
#include "net/request_context.hpp"

namespace orderly::catalog {

// The product rows of API.md (GET list and one, POST, PATCH, DELETE). Reads
// of one product go through the cache; writes invalidate it after their
// commit. Access control is the router's (catalog_routes.hpp). Thread-safe.
class ProductHandlers {
 public:
  ProductHandlers(ProductRepository& products, ProductCache& cache) : products_(products), cache_(cache) {}

  // ?q=&limit=(1..100, default 20)&cursor= -> {items, next_cursor}
  boost::asio::awaitable<net::Response> list(net::RequestContext& context, net::Request& request);
  // 200 with ETag; 304 when If-None-Match names the current version; 404.
  boost::asio::awaitable<net::Response> get(net::RequestContext& context, net::Request& request);
  // 201 with Location and ETag; 409 sku taken; 422.
  boost::asio::awaitable<net::Response> create(net::RequestContext& context, net::Request& request);
  // 200 with the new ETag; 412 when If-Match is stale; 404; 409; 422.
  boost::asio::awaitable<net::Response> update(net::RequestContext& context, net::Request& request);
  // 204; 412 when If-Match is stale; 404.
  boost::asio::awaitable<net::Response> remove(net::RequestContext& context, net::Request& request);

 private:
  ProductRepository& products_;
  ProductCache& cache_;
};

}  // namespace orderly::catalog
