#include "gateway/https_redirect.hpp"

#include <string>

namespace orderly::gateway {

boost::asio::awaitable<net::Response> HttpsRedirectMiddleware::handle(net::RequestContext& context,
                                                                      net::Request& request, net::Next next) {
  if (context.early_response || (context.route != nullptr && (request.path == "/healthz" || request.path == "/readyz"))) {
    co_return co_await next(context, request);
  }
  std::string host(request.headers.get("Host").value_or("localhost"));
  if (host.starts_with('[')) {
    host = host.substr(0, host.find(']') + 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  auto response = net::Response::empty(308);
  std::string location = "https://" + host;
  if (https_port_ != 443) location += ":" + std::to_string(https_port_);
  location += request.path;
  if (!request.query.empty()) location += "?" + request.query;
  response.headers.set("Location", std::move(location));
  co_return response;
}

}  // namespace orderly::gateway
