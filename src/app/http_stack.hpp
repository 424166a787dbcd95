#pragma once

#include <memory>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/pipeline.hpp"
#include "net/route_metrics.hpp"

namespace orderly::app {

// The middleware every public request passes through, outermost first:
// request id, trace context, RED metrics + access log, in-flight limit,
// then `inner` (authentication, ...) in the order given.
// Add every route to `router` before calling: the metrics size themselves
// to the route table.
struct PublicPipeline {
  PublicPipeline(const net::Router& router, const core::Config& config, core::metrics::Registry& metrics,
                 const core::Clock& clock, core::Random& random,
                 std::vector<std::shared_ptr<net::Middleware>> inner = {});

  net::RouteMetrics route_metrics;
  net::Pipeline pipeline;
};

// The operations listener's pipeline: ids and tracing only, so scrapes and
// probes do not flood the access log or the RED metrics.
std::unique_ptr<net::Pipeline> make_ops_pipeline(const net::Router& router, core::Random& random);

// The internal listener's pipeline: ids and tracing (the caller's request id
// and traceparent are kept), then `credentials` (auth::InternalAuthMiddleware).
std::unique_ptr<net::Pipeline> make_internal_pipeline(const net::Router& router, core::Random& random,
                                                      std::shared_ptr<net::Middleware> credentials);

}  // namespace orderly::app
