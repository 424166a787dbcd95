#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/random.hpp"
#include "net/http_message.hpp"
#include "payments/payment_provider.hpp"
#include "resilience/backoff.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/retry_budget.hpp"

namespace orderly::payments {

// One HTTP exchange with the provider, bounded by `timeout`: how
// HttpPaymentProvider reaches `orderly provider-sim` (or a real provider's
// adapter). The composition root binds it to net::HttpClient::send for the
// configured upstream; tests bind it to the provider-sim routes in-process.
// Throws on a transport failure (connect, timeout, reset).
using ProviderTransport =
    std::function<boost::asio::awaitable<net::Response>(net::Request request, std::chrono::milliseconds timeout)>;

struct HttpProviderOptions {
  // Each attempt's limit; the slow test card's first answer takes longer.
  std::chrono::milliseconds timeout{1'000};
  // Attempts per call (the first included), each with the caller's
  // idempotency key, so a retry after a lost answer never charges twice.
  resilience::RetryPolicy retry{3, std::chrono::milliseconds(50), std::chrono::milliseconds(1'000), {}, {}};
};

// The payment provider over HTTP (provider_wire.hpp): every call carries the
// caller's Idempotency-Key; an attempt that times out, fails in transport or
// gets a 5xx is retried with back-off under the retry budget, through a
// circuit breaker that fails fast while the provider is down. When the tries
// run out, or the breaker is open, the call throws ProviderUnavailable (the
// saga retries later with the same key). Declines are answers, not failures.
// A 4xx means this client sent something wrong: std::logic_error, not retried.
// Thread-safe; `breaker`, `budget` and `random` must outlive the provider.
class HttpPaymentProvider final : public PaymentProvider {
 public:
  HttpPaymentProvider(ProviderTransport transport, HttpProviderOptions options, resilience::CircuitBreaker& breaker,
                      resilience::RetryBudget& budget, core::Random& random);

  boost::asio::awaitable<ProviderResult> authorize(std::string idempotency_key, CardDetails card,
                                                   core::Money amount) override;
  boost::asio::awaitable<ProviderResult> capture(std::string idempotency_key, std::string authorization,
                                                 core::Money amount) override;
  boost::asio::awaitable<ProviderResult> void_authorization(std::string idempotency_key,
                                                            std::string authorization) override;
  boost::asio::awaitable<ProviderResult> refund(std::string idempotency_key, std::string authorization,
                                                core::Money amount) override;

 private:
  boost::asio::awaitable<ProviderResult> call(std::string operation, std::string target, std::string idempotency_key,
                                              std::string body);
  boost::asio::awaitable<ProviderResult> attempt(const net::Request& request);

  ProviderTransport transport_;
  HttpProviderOptions options_;
  resilience::CircuitBreaker& breaker_;
  resilience::RetryBudget& budget_;
  core::Random& random_;
};

}  // namespace orderly::payments
