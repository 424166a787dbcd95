#include "rpc/service_channel.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "core/logging.hpp"
#include "core/service_unavailable.hpp"
#include "core/trace_context.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/retry.hpp"
#include "resilience/retry_budget.hpp"

namespace orderly::rpc {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The callee answered that it cannot serve now (502, 503, 504): worth
// another instance or a later try when the call is idempotent.
class TransientStatus : public std::runtime_error {
 public:
  explicit TransientStatus(unsigned status) : std::runtime_error("answered " + std::to_string(status)) {}
};

// No instance to call: none known, or every one ejected just now.
class NoInstance : public std::runtime_error {
 public:
  NoInstance() : std::runtime_error("no instance") {}
};

bool is_transient_status(unsigned status) { return status == 502 || status == 503 || status == 504; }

std::string outcome_of(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const resilience::CircuitOpenError&) {
    return "circuit_open";
  } catch (const resilience::TimeoutError&) {
    return "timeout";
  } catch (const net::HttpClientError& error) {
    return std::string(net::to_string(error.kind()));
  } catch (const TransientStatus&) {
    return "unavailable";
  } catch (const NoInstance&) {
    return "no_instance";
  } catch (...) {
    return "error";
  }
}

}  // namespace

struct ServiceChannel::State {
  State(ServiceChannelOptions settings, net::HttpClient& http, InstanceSource& source, CredentialSource* tokens,
        const core::Clock& the_clock, core::Random& the_random, core::metrics::Registry& metrics)
      : options(std::move(settings)),
        client(http),
        instances(source),
        credentials(tokens),
        clock(the_clock),
        random(the_random),
        budget("rpc_" + options.service, resilience::RetryBudgetOptions{}, the_clock, metrics),
        breaker("rpc_" + options.service, resilience::CircuitBreakerOptions{}, the_clock, metrics),
        calls(metrics.counter("orderly_rpc_calls_total", "Calls to other services' internal APIs, by outcome.",
                              {"service", "operation", "outcome"})),
        durations(metrics.histogram("orderly_rpc_call_seconds",
                                    "Time of a call to another service, retries included.", {"service", "operation"},
                                    core::metrics::latency_buckets())) {}

  // The next instance in round-robin order, skipping ejected ones unless
  // every instance is ejected (then the least recently ejected is tried).
  core::HostPort pick() {
    const auto all = instances.instances();
    if (all.empty()) throw NoInstance();
    const auto now = clock.monotonic();
    const auto start = next.fetch_add(1, std::memory_order_relaxed);
    const std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < all.size(); ++i) {
      const auto& candidate = all[(start + i) % all.size()];
      const auto ejected = ejected_until.find(candidate.to_string());
      if (ejected == ejected_until.end() || ejected->second <= now) return candidate;
    }
    return all[start % all.size()];
  }

  void eject(const core::HostPort& instance) {
    const std::lock_guard lock(mutex);
    ejected_until[instance.to_string()] = clock.monotonic() + options.eject_for;
  }

  ServiceChannelOptions options;
  net::HttpClient& client;
  InstanceSource& instances;
  CredentialSource* credentials;
  const core::Clock& clock;
  core::Random& random;
  resilience::RetryBudget budget;
  resilience::CircuitBreaker breaker;
  core::metrics::Family<core::metrics::Counter>& calls;
  core::metrics::Family<core::metrics::Histogram>& durations;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::map<std::string, std::chrono::steady_clock::time_point> ejected_until;
};

ServiceChannel::ServiceChannel(ServiceChannelOptions options, net::HttpClient& client, InstanceSource& instances,
                               CredentialSource* credentials, const core::Clock& clock, core::Random& random,
                               core::metrics::Registry& metrics)
    : state_(std::make_unique<State>(std::move(options), client, instances, credentials, clock, random, metrics)) {
  if (state_->options.service.empty()) throw std::invalid_argument("a service channel needs the callee's name");
}

ServiceChannel::~ServiceChannel() = default;

const std::string& ServiceChannel::service() const {
  return state_->options.service;
}

asio::awaitable<net::Response> ServiceChannel::call(std::string operation, std::string method, std::string target,
                                                    std::string body, bool idempotent, core::CallContext context) {
  auto& state = *state_;
  const auto started = Clock::now();
  net::Request request;
  request.method = std::move(method);
  const auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string::npos) request.query = target.substr(question + 1);
  request.target = std::move(target);
  if (!body.empty()) request.headers.set("Content-Type", "application/json");
  request.body = std::move(body);
  if (!context.request_id.empty()) request.headers.set("X-Request-Id", context.request_id);
  if (auto parent = core::TraceContext::parse(context.traceparent)) {
    request.headers.set("traceparent", parent->child(state.random).traceparent());
  }

  resilience::RetryPolicy policy;
  policy.max_attempts = state.options.attempts;
  policy.base_delay = state.options.backoff_base;
  policy.max_delay = state.options.backoff_max;
  policy.per_try_timeout = state.options.try_timeout;
  std::optional<Clock::time_point> deadline = context.deadline;
  if (deadline) {
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
    policy.overall_timeout = std::max(std::chrono::milliseconds(1), remaining);
  }

  std::optional<std::string> token_failure;
  if (state.credentials != nullptr) {
    try {
      auto token = co_await state.credentials->token(state.options.service);
      request.headers.set("Authorization", "Bearer " + token);
    } catch (const std::exception& error) {
      token_failure = error.what();
    }
  }
  if (token_failure) {
    state.calls.with_labels({state.options.service, operation, "no_credential"}).inc();
    throw core::ServiceUnavailable(state.options.service, state.options.service + " " + operation +
                                                              ": no service credential: " + *token_failure);
  }

  const auto make_attempt = [&]() -> asio::awaitable<net::Response> {
    if (!state.breaker.try_acquire()) throw resilience::CircuitOpenError(state.breaker.name());
    const auto instance = state.pick();
    if (deadline) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      request.headers.set(kDeadlineHeader, std::to_string(std::max<long long>(0, left.count())));
    }
    net::Response response;
    std::exception_ptr failure;
    try {
      response = co_await state.client.send_borrowed(instance, request, state.options.try_timeout);
    } catch (const net::HttpClientError& error) {
      if (!error.request_sent() || error.kind() == net::HttpClientError::Kind::timeout) state.eject(instance);
      failure = std::current_exception();
    }
    if (failure) {
      state.breaker.on_failure();
      std::rethrow_exception(failure);
    }
    if (is_transient_status(response.status)) {
      state.breaker.on_failure();
      throw TransientStatus(response.status);
    }
    state.breaker.on_success();
    co_return response;
  };
  const auto should_retry = [idempotent](const std::exception_ptr& failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const resilience::CircuitOpenError&) {
      return false;  // fail fast: the breaker believes the service is down
    } catch (const NoInstance&) {
      return false;
    } catch (const net::HttpClientError& error) {
      return idempotent || !error.request_sent();  // never reached: safe to send elsewhere
    } catch (...) {
      return idempotent;
    }
  };

  std::optional<net::Response> answer;
  std::exception_ptr failure;
  try {
    answer = co_await resilience::retry_call(make_attempt, policy, state.random, &state.budget, should_retry);
  } catch (...) {
    failure = std::current_exception();
  }
  const auto elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  state.durations.with_labels({state.options.service, operation}).observe(elapsed);
  if (answer) {
    state.calls.with_labels({state.options.service, operation, "answered"}).inc();
    co_return std::move(*answer);
  }
  const auto outcome = outcome_of(failure);
  state.calls.with_labels({state.options.service, operation, outcome}).inc();
  core::log::warn("rpc.unavailable", {{"service", state.options.service},
                                      {"operation", operation},
                                      {"outcome", outcome},
                                      {"request_id", context.request_id}});
  throw core::ServiceUnavailable(state.options.service, state.options.service + " " + operation + ": " + outcome);
}

}  // namespace orderly::rpc
