#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "resilience/rate_limit_metrics.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::cache {
class RedisClient;
}

namespace orderly::resilience {

// What a shared limiter decides when its store cannot answer.
enum class FailureMode {
  open,    // allow: an outage of Redis does not become an outage of the service (the default)
  closed,  // deny: for limits that protect something that must not be overrun (login attempts)
};

struct RedisRateLimiterOptions {
  std::string key_prefix = "orderly:rate:";  // Redis key = prefix + policy name + ":" + key
  FailureMode failure_mode = FailureMode::open;
};

// A token bucket per key kept in Redis, so one limit holds across every
// process that shares the Redis (gateway replicas, service instances). The
// same semantics as TokenBucketLimiter (capacity `limit`, refill limit/window,
// bursts up to `limit`).
//
// Each acquire() is one round trip running one Lua script atomically
// (EVALSHA, falling back to EVAL when Redis has not cached the script, e.g.
// after a restart); the script reads Redis's own TIME, so the processes'
// clocks need not agree, and sets the key to expire once the bucket would be
// full again, so idle keys cost no memory.
//
// When Redis is unreachable, slow (past the client's command timeout) or
// answers with an error, the decision follows `failure_mode`: open allows
// (remaining = limit, reset = 0), closed denies (retry_after = 1 s). Such
// decisions are counted in orderly_rate_limit_backend_failures_total{policy,
// mode}, and logged (event rate_limit_backend_failed) at most once per 10 s
// per limiter.
//
// Thread-safe; call from any event loop (the client keeps a pool per loop).
// The client must outlive the limiter.
class RedisRateLimiter final : public RateLimiter {
 public:
  // Throws std::invalid_argument for an invalid policy (see validate()).
  RedisRateLimiter(RateLimitPolicy policy, cache::RedisClient& redis, const core::Clock& clock,
                   core::metrics::Registry& metrics, RedisRateLimiterOptions options = {});

  [[nodiscard]] const RateLimitPolicy& policy() const override { return policy_; }
  boost::asio::awaitable<RateDecision> acquire(std::string key, std::uint64_t cost = 1) override;

  // The script, and its SHA-1 as EVALSHA wants it (for tests and operators).
  [[nodiscard]] static const std::string& script();
  [[nodiscard]] static const std::string& script_sha1();

 private:
  boost::asio::awaitable<std::string> evaluate(std::string redis_key, std::uint64_t cost);
  RateDecision decide_without_redis(const std::string& why);

  RateLimitPolicy policy_;
  cache::RedisClient& redis_;
  const core::Clock& clock_;
  RateLimitMetrics metrics_;
  RedisRateLimiterOptions options_;
  std::atomic<std::int64_t> last_failure_log_ns_{0};
};

}  // namespace orderly::resilience
