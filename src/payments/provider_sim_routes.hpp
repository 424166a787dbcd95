#pragma once

#include "net/router.hpp"
#include "payments/simulated_provider.hpp"

namespace orderly::payments {

// The simulated provider over HTTP (provider_wire.hpp has the endpoints),
// served by `orderly provider-sim`. A missing Idempotency-Key is 400; a
// transient failure is 503 with Retry-After. `provider` must outlive the router.
void add_provider_sim_routes(net::Router& router, SimulatedProvider& provider);

}  // namespace orderly::payments
