#pragma once

#include "core/metrics.hpp"

namespace orderly::core::metrics {

// The standard process_* gauges (resident memory, open file descriptors, start
// time, CPU seconds), read from /proc at scrape time.
void register_process_metrics(Registry& registry);

}  // namespace orderly::core::metrics
