#pragma once

#include <chrono>

#include "core/metrics.hpp"
#include "store/statement.hpp"

namespace orderly::store {

// The metrics every Store implementation keeps per named statement:
// orderly_store_queries_total{statement,outcome} and
// orderly_store_query_duration_seconds{statement}. Thread-safe.
class StatementMetrics {
 public:
  explicit StatementMetrics(core::metrics::Registry& registry);

  // `outcome` is "ok" or "error"; `started` is when the statement was sent.
  void record(const Statement& statement, const char* outcome, std::chrono::steady_clock::time_point started);

 private:
  core::metrics::Family<core::metrics::Counter>& queries_;
  core::metrics::Family<core::metrics::Histogram>& durations_;
};

}  // namespace orderly::store
