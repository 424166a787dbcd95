#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace orderly::resilience {

// "`limit` requests per `window`" under a name that shows up in headers,
// metrics and problem bodies ("login", "api-per-user"). The name must not
// carry a client's identity: that goes in the key of acquire().
struct RateLimitPolicy {
  std::string name;
  std::uint64_t limit = 0;             // requests (or cost units) per window; at least 1
  std::chrono::milliseconds window{0};  // at least 1 ms
};

// The answer to one acquire(), with what the IETF RateLimit headers need.
struct RateDecision {
  bool allowed = false;
  std::uint64_t limit = 0;                 // the policy's limit
  std::uint64_t remaining = 0;             // what the key may still spend now (after this request)
  std::chrono::seconds reset{0};           // until the key's quota is whole again, rounded up
  std::chrono::seconds retry_after{0};     // when denied: until `cost` would be allowed, rounded up, at least 1 s;
                                           // 0 when allowed
};

// A keyed rate limiter: each key (client address, user id, route) spends from
// its own quota under one policy. Implementations: TokenBucketLimiter and
// SlidingWindowLimiter (in-process), RedisRateLimiter (shared by every
// process using one Redis). All are thread-safe and may be called from any
// event loop. A cost larger than the policy's limit is always denied.
class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  [[nodiscard]] virtual const RateLimitPolicy& policy() const = 0;
  // Spends `cost` from `key`'s quota when it has enough; never waits for quota.
  virtual boost::asio::awaitable<RateDecision> acquire(std::string key, std::uint64_t cost = 1) = 0;
};

// Throws std::invalid_argument when the policy has no name, a zero limit or a
// window under 1 ms.
void validate(const RateLimitPolicy& policy);

}  // namespace orderly::resilience
