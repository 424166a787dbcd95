#pragma once

#include <boost/asio/awaitable.hpp>

#include "gateway/gateway.hpp"

namespace orderly::gateway {

// Active health checks for every pool of the snapshot in force: each
// instance gets GET <health.path> every health.interval, bounded by
// health.timeout; a 2xx passes. unhealthy_threshold failures in a row take it
// out of balancing, healthy_threshold passes bring it back. Runs until its
// io_context stops; picks up reloaded pools on its next tick. Also fetches
// the JWKS of auth.jwks_upstream at start and every auth.refresh_interval.
boost::asio::awaitable<void> run_health_checks(Gateway& gateway);

}  // namespace orderly::gateway
