#pragma once

#include <atomic>
#include <cstddef>

#include "core/metrics.hpp"
#include "net/pipeline.hpp"

namespace orderly::net {

// Load shedding: at most `limit` requests are handled at once across every
// event loop; the next one gets a fast 503 with Retry-After instead of waiting
// in a queue without end. The current count is the gauge
// orderly_http_requests_in_flight.
class InflightLimitMiddleware final : public Middleware {
 public:
  InflightLimitMiddleware(std::size_t limit, core::metrics::Registry& registry);
  boost::asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) override;

 private:
  std::size_t limit_;
  std::atomic<std::size_t> in_flight_{0};
  core::metrics::Counter& shed_;
};

}  // namespace orderly::net
