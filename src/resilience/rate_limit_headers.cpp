#include "resilience/rate_limit_headers.hpp"

#include <string>

namespace orderly::resilience {
namespace {

// The policy name as a structured-field string (RFC 8941 sf-string): quoted,
// with `"` and `\` escaped; characters outside printable ASCII are dropped
// because an sf-string cannot carry them.
std::string quoted(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (c < 0x20 || c > 0x7e) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::uint64_t seconds_rounded_up(std::chrono::milliseconds window) {
  return static_cast<std::uint64_t>((window.count() + 999) / 1000);
}

}  // namespace

void set_rate_limit_headers(net::Response& response, const RateLimitPolicy& policy, const RateDecision& decision) {
  const auto name = quoted(policy.name);
  response.headers.set("RateLimit-Policy", name + ";q=" + std::to_string(policy.limit) +
                                               ";w=" + std::to_string(seconds_rounded_up(policy.window)));
  response.headers.set("RateLimit", name + ";r=" + std::to_string(decision.remaining) +
                                        ";t=" + std::to_string(decision.reset.count()));
  if (decision.allowed) {
    response.headers.erase("Retry-After");
  } else {
    response.headers.set("Retry-After", std::to_string(std::max<std::int64_t>(1, decision.retry_after.count())));
  }
}

net::Response rate_limited_response(const RateLimitPolicy& policy, const RateDecision& decision) {
  const auto wait = std::max<std::int64_t>(1, decision.retry_after.count());
  auto response = net::Response::problem(
      429, "/problems/rate-limited", "Too Many Requests",
      "The rate limit \"" + policy.name + "\" is exhausted; retry in " + std::to_string(wait) + " s.");
  set_rate_limit_headers(response, policy, decision);
  return response;
}

}  // namespace orderly::resilience
