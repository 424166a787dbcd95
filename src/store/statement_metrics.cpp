#include "store/statement_metrics.hpp"

#include <string>

namespace orderly::store {

StatementMetrics::StatementMetrics(core::metrics::Registry& registry)
    : queries_(registry.counter("orderly_store_queries_total", "Statements run, by name and outcome.",
                                {"statement", "outcome"})),
      durations_(registry.histogram("orderly_store_query_duration_seconds", "Time to run a statement, by name.",
                                    {"statement"}, core::metrics::latency_buckets())) {}

void StatementMetrics::record(const Statement& statement, const char* outcome,
                              std::chrono::steady_clock::time_point started) {
  const std::string name(statement.name);
  queries_.with_labels({name, outcome}).inc();
  durations_.with_labels({name}).observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace orderly::store
