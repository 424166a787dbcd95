#pragma once

#include "net/http_message.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::resilience {

// Writes the rate-limit headers of draft-ietf-httpapi-ratelimit-headers:
//   RateLimit-Policy: "login";q=10;w=60      (quota and window in seconds, rounded up)
//   RateLimit: "login";r=3;t=42              (remaining and seconds until reset)
// and, when the decision denied the request, Retry-After (seconds). Replaces
// earlier values of these headers.
void set_rate_limit_headers(net::Response& response, const RateLimitPolicy& policy, const RateDecision& decision);

// The 429 problem (type /problems/rate-limited) for a denied decision, with
// the headers above. The detail names the policy and the wait, never the key.
[[nodiscard]] net::Response rate_limited_response(const RateLimitPolicy& policy, const RateDecision& decision);

}  // namespace orderly::resilience
