#include "net/inflight_limit_middleware.hpp"

namespace orderly::net {

InflightLimitMiddleware::InflightLimitMiddleware(std::size_t limit, core::metrics::Registry& registry)
    : limit_(limit),
      shed_(registry.counter("orderly_http_requests_shed_total", "Requests refused with 503 at the in-flight limit.")
                .with_labels({})) {
  // Read from the limiter's own counter at scrape time: no second atomic per request.
  registry.gauge_callback("orderly_http_requests_in_flight", "Requests being handled now.",
                          [this] { return static_cast<double>(in_flight_.load(std::memory_order_relaxed)); });
}

boost::asio::awaitable<Response> InflightLimitMiddleware::handle(RequestContext& context, Request& request, Next next) {
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    shed_.inc();
    auto response = Response::problem(503, "/problems/overloaded", "Service Unavailable",
                                      "The server is at its in-flight request limit; retry shortly.");
    response.headers.set("Retry-After", "1");
    co_return response;
  }
  // The guard releases the slot whether the handler returns or throws.
  struct Release {
    InflightLimitMiddleware& self;
    ~Release() { self.in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  } release{*this};
  co_return co_await next(context, request);
}

}  // namespace orderly::net
