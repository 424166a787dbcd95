#include "gateway/proxy.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <boost/beast/core/string.hpp>
#include <boost/container/small_vector.hpp>

#include "core/logging.hpp"
#include "gateway/forwarding.hpp"
#include "gateway/static_files.hpp"
#include "net/http_client.hpp"
#include "resilience/backoff.hpp"
#include "resilience/rate_limit_headers.hpp"

namespace orderly::gateway {
namespace asio = boost::asio;
using Kind = net::HttpClientError::Kind;

namespace {

// Holds one unit of an instance's in-flight count (least_request reads it)
// for as long as it lives.
class InstanceLoad {
 public:
  explicit InstanceLoad(std::atomic<long>& counter) : counter_(counter) {
    counter_.fetch_add(1, std::memory_order_relaxed);
  }
  ~InstanceLoad() { counter_.fetch_sub(1, std::memory_order_relaxed); }
  InstanceLoad(const InstanceLoad&) = delete;
  InstanceLoad& operator=(const InstanceLoad&) = delete;

 private:
  std::atomic<long>& counter_;
};

net::Response unavailable(const std::string& upstream, std::string detail) {
  auto response = net::Response::problem(503, "/problems/upstream-unavailable", "Service Unavailable",
                                         "Upstream " + upstream + ": " + std::move(detail));
  response.headers.set("Retry-After", "1");
  return response;
}

net::Response failure_response(const std::string& upstream, const net::HttpClientError& error) {
  switch (error.kind()) {
    case Kind::timeout:
      return net::Response::problem(504, "/problems/upstream-timeout", "Gateway Timeout",
                                    "Upstream " + upstream + " did not answer in time.");
    case Kind::connect_failed:
    case Kind::connect_timeout:
    case Kind::pool_exhausted: return unavailable(upstream, "no connection could be made.");
    case Kind::closed:
    case Kind::protocol_error:
    case Kind::body_too_large: break;
  }
  return net::Response::problem(502, "/problems/bad-gateway", "Bad Gateway",
                                "Upstream " + upstream + " gave no valid answer.");
}

Outcome outcome_of(Kind kind) {
  switch (kind) {
    case Kind::connect_failed:
    case Kind::connect_timeout: return Outcome::connect_failure;
    case Kind::timeout: return Outcome::timeout;
    case Kind::pool_exhausted:
      return Outcome::local_limit;
    case Kind::closed:
    case Kind::protocol_error:
    case Kind::body_too_large: break;
  }
  return Outcome::server_error;
}

bool is_retryable_status(int status) {
  return status == 502 || status == 503 || status == 504;
}

std::string hash_key(const UpstreamConfig& config, const net::RequestContext& context, const net::Request& request) {
  if (config.balance != Balance::consistent_hash) return {};
  if (config.hash_on == "user") {
    if (context.principal) return context.principal->user_id;
    return request.remote_address;
  }
  const auto header = std::string_view(config.hash_on).substr(7);  // after "header:"
  if (const auto value = request.headers.get(header)) return std::string(*value);
  return request.remote_address;
}

asio::awaitable<net::Response> proxy(Gateway& gateway, std::shared_ptr<const GatewaySnapshot> state,
                                     std::size_t index, net::RequestContext& context, net::Request& request,
                                     bool https) {
  const auto& route = state->config.routes[index];
  auto& pool = *state->route_pools[index];
  const auto& config = pool.config();

  // Holds a slot of the upstream's bulkhead until the answer is in; beyond
  // max_inflight and max_pending (or after max_wait in line): 503 at once.
  const auto permit = co_await pool.bulkhead().acquire();
  if (!permit) co_return unavailable(config.name, "too many requests in flight.");
  pool.retry_budget().on_request();

  auto outgoing = upstream_request(request, context, route, https);
  // The user only: roles are not forwarded, because the gateway cannot see
  // the user's token version; a service decides on roles from the token it
  // verifies itself, with that check (auth/authenticate_middleware.hpp).
  if (route.auth_required && context.principal) outgoing.headers.set(kUserHeader, context.principal->user_id);
  const bool safe = is_retry_safe(request);
  const auto key = hash_key(config, context, request);
  const auto& clock = gateway.clock();
  const auto deadline = clock.monotonic() + config.request_timeout;
  boost::container::small_vector<const Instance*, 4> tried;
  std::optional<net::Response> last_response;
  std::optional<net::HttpClientError> last_error;

  for (unsigned attempt = 0;; ++attempt) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.monotonic());
    if (remaining.count() <= 0) break;
    auto* instance = pool.choose(key, {tried.data(), tried.size()});
    if (instance == nullptr) {
      if (last_response) break;
      if (last_error) co_return failure_response(config.name, *last_error);
      co_return unavailable(config.name, "no instance is available (unhealthy, ejected or its breaker open).");
    }
    tried.push_back(instance);
    const auto try_timeout = std::min(config.try_timeout, remaining);
    const bool last_chance = attempt >= config.retry.max_retries;

    std::optional<net::Response> response;
    std::optional<net::HttpClientError> error;
    {
      InstanceLoad instance_load(instance->in_flight);
      try {
        // Borrowed: every attempt sends the same request, never a copy.
        response = co_await pool.client().send_borrowed(instance->address, outgoing, try_timeout);
      } catch (const net::HttpClientError& failed) {
        error = failed;
      }
    }

    bool retry = false;
    if (response) {
      pool.record(*instance, response->status >= 500 ? Outcome::server_error : Outcome::success);
      retry = safe && is_retryable_status(response->status);
      last_response = std::move(response);
      last_error.reset();
    } else {
      pool.record(*instance, outcome_of(error->kind()));
      core::log::warn("gateway.upstream_failed", {{"upstream", config.name},
                                                  {"instance", instance->label},
                                                  {"error", net::to_string(error->kind())},
                                                  {"request_id", context.request_id}});
      retry = !error->request_sent() || (safe && error->kind() != Kind::body_too_large);
      last_error = std::move(error);
      last_response.reset();
    }
    if (!retry || last_chance || !pool.retry_budget().try_spend_retry()) break;

    const auto wait = resilience::backoff_delay(pool.retry_policy(), attempt + 1, gateway.random());
    if (wait.count() > 0 && clock.monotonic() + wait < deadline) {
      asio::steady_timer timer(co_await asio::this_coro::executor, wait);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  if (last_response) {
    prepare_downstream(*last_response);
    co_return std::move(*last_response);
  }
  if (last_error) co_return failure_response(config.name, *last_error);
  co_return net::Response::problem(504, "/problems/upstream-timeout", "Gateway Timeout",
                                   "Upstream " + config.name + " did not answer in time.");
}

std::string rate_limit_key(const RateLimitConfig& limit, const RouteConfig& route,
                           const net::RequestContext& context, const net::Request& request) {
  switch (limit.key) {
    case RateLimitConfig::Key::route: return route.name;
    case RateLimitConfig::Key::user:
      if (context.principal) return "user:" + context.principal->user_id;
      break;
    case RateLimitConfig::Key::client: break;
  }
  return "client:" + request.remote_address;
}

std::optional<std::string_view> bearer_token(const net::Request& request) {
  const auto header = request.headers.get("Authorization");
  if (!header || header->size() < 8 || !boost::beast::iequals(header->substr(0, 7), "Bearer ")) return std::nullopt;
  return header->substr(7);
}

net::Response unauthenticated(std::string detail) {
  return net::Response::problem(401, "/problems/unauthenticated", "Unauthorized", std::move(detail));
}

// Verifies the bearer token of a route with auth: required and puts the
// caller in context.principal; a refusal is returned as the response. A kid
// the cached JWKS lacks triggers one (rate-bounded) refetch and a second try.
asio::awaitable<std::optional<net::Response>> authenticate(Gateway& gateway, net::RequestContext& context,
                                                           const net::Request& request) {
  const auto token = bearer_token(request);
  if (!token) co_return unauthenticated("This route needs an access token (Authorization: Bearer).");
  std::optional<auth::TokenFailure> failure;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      const auto claims = gateway.verifier().verify(*token);
      context.principal = net::Principal{claims.subject, claims.roles};
      co_return std::nullopt;
    } catch (const auth::TokenError& error) {
      failure = error.failure();
    }
    if (failure != auth::TokenFailure::unknown_key || attempt > 0) break;
    const bool refreshed = co_await gateway.keys().refetch_for_unknown_kid();
    if (!refreshed) break;
  }
  context.authentication_failure = std::string(auth::to_string(*failure));
  co_return unauthenticated("The access token was refused: " + context.authentication_failure + ".");
}

}  // namespace

asio::awaitable<net::Response> serve_route(Gateway& gateway, std::shared_ptr<const GatewaySnapshot> state,
                                           std::size_t index, net::RequestContext& context, net::Request& request,
                                           bool https) {
  const auto& route = state->config.routes[index];
  if (route.auth_required) {
    auto refused = co_await authenticate(gateway, context, request);
    if (refused) co_return std::move(*refused);
  }
  const auto& limiter = state->route_limiters[index];
  std::optional<resilience::RateDecision> decision;
  if (limiter) {
    decision = co_await limiter->acquire(rate_limit_key(*route.rate_limit, route, context, request));
    if (!decision->allowed) co_return resilience::rate_limited_response(limiter->policy(), *decision);
  }
  net::Response response;
  if (route.type == RouteType::static_files) {
    response = serve_static(route, request);
  } else {
    response = co_await proxy(gateway, state, index, context, request, https);
  }
  if (decision) resilience::set_rate_limit_headers(response, limiter->policy(), *decision);
  co_return response;
}

}  // namespace orderly::gateway
