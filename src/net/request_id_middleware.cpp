#include "net/request_id_middleware.hpp"

#include "core/ids.hpp"

namespace orderly::net {

boost::asio::awaitable<Response> RequestIdMiddleware::handle(RequestContext& context, Request& request, Next next) {
  const auto sent = request.headers.get("X-Request-Id");
  context.request_id = sent && core::is_sane_request_id(*sent) ? std::string(*sent) : core::new_request_id(random_);
  auto response = co_await next(context, request);
  response.headers.set("X-Request-Id", context.request_id);
  co_return response;
}

}  // namespace orderly::net
