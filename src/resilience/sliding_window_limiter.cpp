#include "resilience/sliding_window_limiter.hpp"

#include <algorithm>

namespace orderly::resilience {
namespace {

// Request-nanoseconds: the weighted estimate times the window length, so the
// comparison with the limit needs no division (and no rounding).
__extension__ using Units = unsigned __int128;

std::chrono::seconds seconds_up(Units nanoseconds) {
  return std::chrono::ceil<std::chrono::seconds>(std::chrono::nanoseconds(static_cast<std::int64_t>(nanoseconds)));
}

Units divide_up(Units numerator, Units denominator) { return (numerator + denominator - 1) / denominator; }

}  // namespace

struct SlidingWindowLimiter::Counts {
  std::int64_t window_index = 0;
  std::uint64_t current = 0;
  std::uint64_t previous = 0;
};

SlidingWindowLimiter::SlidingWindowLimiter(RateLimitPolicy policy, const core::Clock& clock,
                                           core::metrics::Registry& metrics, LocalLimiterOptions options)
    : policy_((validate(policy), std::move(policy))),
      clock_(clock),
      metrics_(metrics, policy_.name),
      counts_(std::make_unique<KeyedState<Counts>>(options.shards, options.keys_per_shard)) {}

SlidingWindowLimiter::~SlidingWindowLimiter() = default;

boost::asio::awaitable<RateDecision> SlidingWindowLimiter::acquire(std::string key, std::uint64_t cost) {
  co_return decide(std::move(key), cost);
}

RateDecision SlidingWindowLimiter::decide(std::string key, std::uint64_t cost) {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               clock_.monotonic().time_since_epoch())
                               .count();
  const std::int64_t window_ns = std::chrono::nanoseconds(policy_.window).count();
  const std::int64_t index = now / window_ns;
  const Units window = static_cast<Units>(window_ns);
  const Units elapsed = static_cast<Units>(now - index * window_ns);
  const Units left = window - elapsed;
  const Units limit = policy_.limit;

  auto [decision, evicted] = counts_->with(std::move(key), [&](Counts& counts, bool fresh) {
    if (fresh || counts.window_index < index - 1) {
      counts = Counts{index, 0, 0};
    } else if (counts.window_index == index - 1) {
      counts = Counts{index, 0, counts.current};
    }  // a window index ahead of `now` (a clock that went back) keeps its counts
    const Units previous = counts.previous;
    const Units used = previous * left + static_cast<Units>(counts.current) * window;
    RateDecision result;
    result.limit = policy_.limit;
    result.reset = seconds_up(left);
    if (cost <= policy_.limit && used + static_cast<Units>(cost) * window <= limit * window) {
      counts.current += cost;
      result.allowed = true;
      result.remaining = static_cast<std::uint64_t>((limit * window - used - cost * window) / window);
      return result;
    }
    result.remaining = used >= limit * window ? 0 : static_cast<std::uint64_t>((limit * window - used) / window);
    Units wait = 0;
    if (cost > policy_.limit) {
      wait = window;
    } else if (counts.current + cost <= policy_.limit) {
      // Within this window: the previous window's weight decays until
      // previous * (left - t) <= (limit - current - cost) * window.
      const Units room = (limit - counts.current - cost) * window;
      wait = divide_up(previous * left - room, previous);
    } else {
      // Not before the next window, where this window's count decays instead.
      const Units current = counts.current;
      wait = left + divide_up(window * (current + cost - limit), current);
    }
    result.retry_after = std::max(std::chrono::seconds(1), seconds_up(wait));
    return result;
  }, [&](const Counts& counts) {
    // Locked: a request of one would be refused now.
    Units previous = counts.previous;
    Units current = counts.current;
    if (counts.window_index < index - 1) {
      previous = current = 0;
    } else if (counts.window_index == index - 1) {
      previous = current;
      current = 0;
    }
    return previous * left + current * window + window > limit * window;
  });
  if (evicted) metrics_.evicted.inc();
  (decision.allowed ? metrics_.allowed : metrics_.denied).inc();
  return decision;
}

std::size_t SlidingWindowLimiter::keys() const { return counts_->size(); }

}  // namespace orderly::resilience
