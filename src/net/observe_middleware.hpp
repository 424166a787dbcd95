#pragma once

#include "core/clock.hpp"
#include "net/pipeline.hpp"
#include "net/route_metrics.hpp"

namespace orderly::net {

// Records every request: RED metrics per route template and, when enabled,
// one access-log event (method, route, path, status, duration, ids). The query
// string and bodies are never logged: they may carry personal data.
class ObserveMiddleware final : public Middleware {
 public:
  ObserveMiddleware(RouteMetrics& metrics, const core::Clock& clock, bool access_log)
      : metrics_(metrics), clock_(clock), access_log_(access_log) {}
  boost::asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) override;

 private:
  RouteMetrics& metrics_;
  const core::Clock& clock_;
  bool access_log_;
};

}  // namespace orderly::net
