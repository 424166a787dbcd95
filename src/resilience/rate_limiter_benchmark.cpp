// Micro-benchmarks of the per-request resilience checks: a token bucket
// decision and a circuit breaker admission, the two that run on every
// request through the gateway.
#include <benchmark/benchmark.h>

#include "core/clock.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/token_bucket_limiter.hpp"

namespace orderly::resilience {
namespace {

using namespace std::chrono_literals;

// One client hammering its own key: a hash, an uncontended shard lock, the refill.
void BM_TokenBucketAcquire(benchmark::State& state) {
  core::SystemClock clock;
  core::metrics::Registry metrics;
  TokenBucketLimiter limiter({"bench", 1'000'000'000, 1s}, clock, metrics);
  const std::string key = "203.0.113.7";
  for (auto _ : state) benchmark::DoNotOptimize(limiter.decide(key));
}
BENCHMARK(BM_TokenBucketAcquire)->Threads(1)->Threads(2);

// Many distinct clients at the key bound: every call evicts the least recently used key.
void BM_TokenBucketAcquireDistinctKeysAtTheBound(benchmark::State& state) {
  core::SystemClock clock;
  core::metrics::Registry metrics;
  TokenBucketLimiter limiter({"bench", 100, 1s}, clock, metrics, {.shards = 16, .keys_per_shard = 256});
  std::vector<std::string> keys;
  for (int i = 0; i < 65'536; ++i) keys.push_back("10." + std::to_string(i / 256) + "." + std::to_string(i % 256));
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(limiter.decide(keys[next]));
    next = (next + 1) % keys.size();
  }
}
BENCHMARK(BM_TokenBucketAcquireDistinctKeysAtTheBound);

void BM_CircuitBreakerAcquireClosed(benchmark::State& state) {
  core::SystemClock clock;
  core::metrics::Registry metrics;
  CircuitBreaker breaker("bench", {}, clock, metrics);
  for (auto _ : state) benchmark::DoNotOptimize(breaker.try_acquire());
}
BENCHMARK(BM_CircuitBreakerAcquireClosed)->Threads(1)->Threads(2);

// The whole closed-state round: admission and a recorded success.
void BM_CircuitBreakerAcquireAndSuccess(benchmark::State& state) {
  core::SystemClock clock;
  core::metrics::Registry metrics;
  CircuitBreaker breaker("bench", {}, clock, metrics);
  for (auto _ : state) {
    if (breaker.try_acquire()) breaker.on_success();
  }
}
BENCHMARK(BM_CircuitBreakerAcquireAndSuccess);

}  // namespace
}  // namespace orderly::resilience
