#pragma once

#include <chrono>
#include <string>

#include "gateway/gateway_config.hpp"
#include "net/pipeline.hpp"

namespace orderly::gateway {

// `orderly serve`'s web pages: a GET or HEAD that matched no API route is
// answered from `root` (web/) by the static handler (serve_static: ETag,
// gzip, cache lifetimes, security headers), "/" with index.html. Paths
// under /api/ and /internal/, any other method, and paths with dot
// segments go on down the pipeline, so an unknown API path stays a
// problem+json 404 and never becomes a page.
// Stateless after construction: safe on every event loop at once.
class WebFilesMiddleware final : public net::Middleware {
 public:
  WebFilesMiddleware(std::string root, std::chrono::seconds cache_max_age);

  boost::asio::awaitable<net::Response> handle(net::RequestContext& context, net::Request& request,
                                               net::Next next) override;

 private:
  RouteConfig route_;
};

}  // namespace orderly::gateway
