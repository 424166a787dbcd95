#include "resilience/token_bucket_limiter.hpp"

#include <algorithm>

namespace orderly::resilience {
namespace {

// Token-nanoseconds: a bucket of `limit` tokens over a window of W ns holds up
// to limit * W units and gains `limit` units per elapsed ns. 64 bits would
// overflow at a day-long window with a limit in the hundred thousands.
__extension__ using Units = unsigned __int128;

std::chrono::seconds seconds_up(Units nanoseconds) {
  return std::chrono::ceil<std::chrono::seconds>(std::chrono::nanoseconds(static_cast<std::int64_t>(nanoseconds)));
}

}  // namespace

struct TokenBucketLimiter::Bucket {
  Units credit = 0;
  std::int64_t refilled_at_ns = 0;
};

TokenBucketLimiter::TokenBucketLimiter(RateLimitPolicy policy, const core::Clock& clock,
                                       core::metrics::Registry& metrics, LocalLimiterOptions options)
    : policy_((validate(policy), std::move(policy))),
      clock_(clock),
      metrics_(metrics, policy_.name),
      buckets_(std::make_unique<KeyedState<Bucket>>(options.shards, options.keys_per_shard)) {}

TokenBucketLimiter::~TokenBucketLimiter() = default;

boost::asio::awaitable<RateDecision> TokenBucketLimiter::acquire(std::string key, std::uint64_t cost) {
  co_return decide(std::move(key), cost);
}

RateDecision TokenBucketLimiter::decide(std::string key, std::uint64_t cost) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               clock_.monotonic().time_since_epoch())
                               .count();
  const Units window = static_cast<Units>(std::chrono::nanoseconds(policy_.window).count());
  const Units limit = policy_.limit;
  const Units capacity = limit * window;

  auto [decision, evicted] = buckets_->with(std::move(key), [&](Bucket& bucket, bool fresh) {
    if (fresh) {
      bucket.credit = capacity;
      bucket.refilled_at_ns = now;
    } else if (now > bucket.refilled_at_ns) {
      bucket.credit = std::min(capacity, bucket.credit + static_cast<Units>(now - bucket.refilled_at_ns) * limit);
      bucket.refilled_at_ns = now;
    }
    RateDecision result;
    result.limit = policy_.limit;
    const Units need = static_cast<Units>(cost) * window;
    if (cost <= policy_.limit && bucket.credit >= need) {
      bucket.credit -= need;
      result.allowed = true;
    } else if (cost <= policy_.limit) {
      result.retry_after = std::max(std::chrono::seconds(1), seconds_up((need - bucket.credit + limit - 1) / limit));
    } else {
      result.retry_after = std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(policy_.window));
    }
    result.remaining = static_cast<std::uint64_t>(bucket.credit / window);
    result.reset = seconds_up((capacity - bucket.credit + limit - 1) / limit);
    return result;
  }, [&](const Bucket& bucket) {
    // Locked: a request of one token would be refused now.
    const Units gained = now > bucket.refilled_at_ns ? static_cast<Units>(now - bucket.refilled_at_ns) * limit : 0;
    return bucket.credit + gained < window;
  });
  if (evicted) metrics_.evicted.inc();
  (decision.allowed ? metrics_.allowed : metrics_.denied).inc();
  return decision;
}

std::size_t TokenBucketLimiter::keys() const { return buckets_->size(); }

}  // namespace orderly::resilience
