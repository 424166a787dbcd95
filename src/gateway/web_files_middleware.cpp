#include "gateway/web_files_middleware.hpp"

#include "gateway/gateway.hpp"
#include "gateway/static_files.hpp"

namespace orderly::gateway {

namespace {

bool is_page_request(const net::RequestContext& context, const net::Request& request) {
  if (context.route != nullptr || !context.allow.empty() || context.early_response) return false;
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string_view path = request.path;
  if (path.starts_with("/api/") || path == "/api" || path.starts_with("/internal/")) return false;
  return !has_dot_segment(path);
}

}  // namespace

WebFilesMiddleware::WebFilesMiddleware(std::string root, std::chrono::seconds cache_max_age) {
  route_.name = "web";
  route_.type = RouteType::static_files;
  route_.path_prefix = "/";
  route_.static_root = std::move(root);
  route_.cache_max_age = cache_max_age;
}

boost::asio::awaitable<net::Response> WebFilesMiddleware::handle(net::RequestContext& context, net::Request& request,
                                                                 net::Next next) {
  if (is_page_request(context, request)) co_return serve_static(route_, request);
  co_return co_await next(context, request);
}

}  // namespace orderly::gateway
