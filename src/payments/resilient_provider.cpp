#include "payments/resilient_provider.hpp"

#include <boost/system/system_error.hpp>

#include "core/logging.hpp"
#include "resilience/timeout.hpp"

namespace orderly::payments {

ResilientProvider::ResilientProvider(std::shared_ptr<PaymentProvider> inner, std::chrono::milliseconds timeout)
    : inner_(std::move(inner)), timeout_(timeout) {}

boost::asio::awaitable<ProviderResult> ResilientProvider::bounded(boost::asio::awaitable<ProviderResult> call,
                                                                  const char* operation) {
  try {
    co_return co_await resilience::with_timeout(std::move(call), timeout_);
  } catch (const resilience::TimeoutError&) {
    core::log::warn("payments.provider_timeout", {{"operation", operation}, {"timeout_ms", timeout_.count()}});
    throw ProviderUnavailable(std::string("payment provider ") + operation + " timed out");
  } catch (const boost::system::system_error& error) {
    core::log::warn("payments.provider_unavailable", {{"operation", operation}, {"reason", error.code().message()}});
    throw ProviderUnavailable(std::string("payment provider ") + operation + ": " + error.code().message());
  }
}

boost::asio::awaitable<ProviderResult> ResilientProvider::authorize(std::string idempotency_key, CardDetails card,
                                                                    core::Money amount) {
  auto call = inner_->authorize(std::move(idempotency_key), std::move(card), std::move(amount));
  co_return co_await bounded(std::move(call), "authorize");
}

boost::asio::awaitable<ProviderResult> ResilientProvider::capture(std::string idempotency_key,
                                                                  std::string authorization, core::Money amount) {
  auto call = inner_->capture(std::move(idempotency_key), std::move(authorization), std::move(amount));
  co_return co_await bounded(std::move(call), "capture");
}

boost::asio::awaitable<ProviderResult> ResilientProvider::void_authorization(std::string idempotency_key,
                                                                             std::string authorization) {
  auto call = inner_->void_authorization(std::move(idempotency_key), std::move(authorization));
  co_return co_await bounded(std::move(call), "void");
}

boost::asio::awaitable<ProviderResult> ResilientProvider::refund(std::string idempotency_key,
                                                                 std::string authorization, core::Money amount) {
  auto call = inner_->refund(std::move(idempotency_key), std::move(authorization), std::move(amount));
  co_return co_await bounded(std::move(call), "refund");
}

}  // namespace orderly::payments
