#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/call_context.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/http_client.hpp"
#include "net/http_message.hpp"
#include "rpc/instance_source.hpp"

namespace orderly::rpc {

// The bearer credential a caller presents to `audience` (a service name) on
// its internal listener. Implemented by auth's service-token client (scale-out)
// and by nothing in embedded mode (in-process calls need none). Thread-safe.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // A token valid for at least a few seconds more; cached by the source.
  // Throws core::ServiceUnavailable when none can be had.
  virtual boost::asio::awaitable<std::string> token(std::string audience) = 0;
};

struct ServiceChannelOptions {
  std::string service;  // the callee: "catalog"; the credential's audience, the label in metrics and errors
  std::chrono::milliseconds try_timeout{2'000};  // each attempt, cut short by the caller's deadline
  unsigned attempts = 3;                         // the first included
  std::chrono::milliseconds backoff_base{20};    // full jitter between attempts
  std::chrono::milliseconds backoff_max{500};
  // An instance that refused a connection or timed out is skipped for this
  // long (unless every instance is), so one dead instance costs one attempt.
  std::chrono::milliseconds eject_for{5'000};
};

// Header on every internal request: the caller's remaining time in
// milliseconds, so the callee can give up when the caller has.
inline constexpr std::string_view kDeadlineHeader = "X-Orderly-Deadline-Ms";

// A typed service client's way to one service's internal listener
// (`/internal/v1/...`): picks an instance (round robin over the source's
// snapshot, skipping recently failed ones), adds the credential, the request
// id, a child traceparent and the remaining deadline, and retries:
//   - on another instance when the call never reached one (connect failed);
//   - when `idempotent`, also after a timeout, a reset or a 502/503/504,
// after full-jitter back-off, within a retry budget for the service and the
// caller's deadline. Every internal call of Orderly is idempotent by its key
// (an order id), so clients pass true unless a call is not.
//
// Returns the first response that is not a retryable failure (any 2xx-4xx;
// the client maps 4xx to its domain errors). Throws core::ServiceUnavailable
// when no instance answered: none known, all failed, the deadline passed, or
// the circuit breaker of the service is open. Metrics:
// orderly_rpc_calls_total{service,operation,outcome} and
// orderly_rpc_call_seconds{service,operation}.
//
// Thread-safe; call from an event loop (net::HttpClient's rule). `client`,
// `instances`, `credentials` (may be null: no Authorization header),
// `clock`, `random` and `metrics` must outlive the channel.
class ServiceChannel {
 public:
  ServiceChannel(ServiceChannelOptions options, net::HttpClient& client, InstanceSource& instances,
                 CredentialSource* credentials, const core::Clock& clock, core::Random& random,
                 core::metrics::Registry& metrics);
  ~ServiceChannel();
  ServiceChannel(const ServiceChannel&) = delete;
  ServiceChannel& operator=(const ServiceChannel&) = delete;

  // `operation` names the call in metrics and logs ("reserve"); `body` is
  // sent as application/json when not empty.
  boost::asio::awaitable<net::Response> call(std::string operation, std::string method, std::string target,
                                             std::string body, bool idempotent, core::CallContext context);

  [[nodiscard]] const std::string& service() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace orderly::rpc
