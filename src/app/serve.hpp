#pragma once

#include "core/config.hpp"

namespace orderly::app {

// Embedded mode: every service in one process. Blocks until SIGTERM or SIGINT,
// then drains and returns the exit code (0 after a drain, 2 when a listener
// cannot bind or the data folder cannot be made).
int serve(const core::Config& config);

}  // namespace orderly::app
