#include "net/trace_middleware.hpp"

namespace orderly::net {

boost::asio::awaitable<Response> TraceMiddleware::handle(RequestContext& context, Request& request, Next next) {
  const auto header = request.headers.get("traceparent");
  const auto parent = header ? core::TraceContext::parse(*header) : std::nullopt;
  context.trace = parent ? parent->child(random_) : core::TraceContext::start(random_);
  auto response = co_await next(context, request);
  response.headers.set("traceresponse", context.trace.traceparent());
  co_return response;
}

}  // namespace orderly::net
