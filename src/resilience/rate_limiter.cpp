#include "resilience/rate_limiter.hpp"

#include <stdexcept>

namespace orderly::resilience {

void validate(const RateLimitPolicy& policy) {
  if (policy.name.empty()) throw std::invalid_argument("a rate limit policy needs a name");
  if (policy.limit == 0) throw std::invalid_argument("rate limit policy " + policy.name + ": limit must be at least 1");
  if (policy.window < std::chrono::milliseconds(1)) {
    throw std::invalid_argument("rate limit policy " + policy.name + ": window must be at least 1 ms");
  }
}

}  // namespace orderly::resilience
