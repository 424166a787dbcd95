#pragma once

#include <chrono>
#include <memory>

#include "payments/payment_provider.hpp"

namespace orderly::payments {

// A PaymentProvider in front of another that bounds every call by a
// timeout (payments.provider_timeout) and reports every transient failure
// the same way: a call that times out, fails with a network error, or is
// refused by the provider as unavailable throws ProviderUnavailable, so the
// checkout saga retries it later with the same idempotency key (the
// provider then gives the first answer, never a second charge). Declines
// pass through untouched. The abandoned call is cancelled
// (resilience::with_timeout); the simulator's slow answer reacts at once.
// For the remote provider, HttpPaymentProvider does this itself, with
// retries and a circuit breaker. Thread-safe when the inner provider is.
class ResilientProvider final : public PaymentProvider {
 public:
  ResilientProvider(std::shared_ptr<PaymentProvider> inner, std::chrono::milliseconds timeout);

  boost::asio::awaitable<ProviderResult> authorize(std::string idempotency_key, CardDetails card,
                                                   core::Money amount) override;
  boost::asio::awaitable<ProviderResult> capture(std::string idempotency_key, std::string authorization,
                                                 core::Money amount) override;
  boost::asio::awaitable<ProviderResult> void_authorization(std::string idempotency_key,
                                                            std::string authorization) override;
  boost::asio::awaitable<ProviderResult> refund(std::string idempotency_key, std::string authorization,
                                                core::Money amount) override;

 private:
  boost::asio::awaitable<ProviderResult> bounded(boost::asio::awaitable<ProviderResult> call, const char* operation);

  std::shared_ptr<PaymentProvider> inner_;
  std::chrono::milliseconds timeout_;
};

}  // namespace orderly::payments
