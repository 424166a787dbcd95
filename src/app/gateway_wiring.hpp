#pragma once

#include <string>

#include "core/config.hpp"

namespace orderly::app {

// `orderly gateway --config FILE`: the edge gateway alone. Reads the gateway
// file (listeners, upstreams, routes), serves until SIGTERM or SIGINT, then
// drains. SIGHUP re-reads the file: a valid one is put in force without
// closing a connection; an invalid one is refused with a
// gateway.reload_refused log line and the running configuration stays.
// `settings` holds the shared knobs (HTTP limits, logging, threads).
// Returns the exit code (2 for a bad file or a listener that cannot bind).
int run_gateway(const std::string& gateway_file, const core::Config& settings);

}  // namespace orderly::app
