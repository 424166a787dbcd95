#include "payments/payments_service.hpp"

#include <optional>

#include "core/service_unavailable.hpp"

namespace orderly::payments {
namespace {

namespace asio = boost::asio;

PaymentAnswer answer_from(ProviderResult result) {
  return PaymentAnswer{result.approved, std::move(result.decline_code), std::move(result.reference)};
}

[[noreturn]] void throw_unavailable(const std::string& operation, const std::string& error) {
  throw core::ServiceUnavailable("payments", "payment provider unavailable for " + operation + ": " + error);
}

}  // namespace

asio::awaitable<bool> PaymentsService::has_method(std::string user_id, std::string payment_method_id,
                                                  core::CallContext /*context*/) {
  const auto card = co_await vault_.reveal(std::move(user_id), std::move(payment_method_id));
  co_return card.has_value();
}

asio::awaitable<PaymentAnswer> PaymentsService::authorize(std::string order_id, std::string user_id,
                                                          std::string payment_method_id, core::Money amount,
                                                          core::CallContext /*context*/) {
  auto card = co_await vault_.reveal(std::move(user_id), std::move(payment_method_id));
  if (!card) co_return PaymentAnswer{false, std::string(kMethodUnavailable), {}};
  std::optional<std::string> unavailable;
  ProviderResult result;
  try {
    auto key = provider_key(order_id, "authorize");
    result = co_await provider_.authorize(std::move(key), std::move(*card), std::move(amount));
  } catch (const ProviderUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) throw_unavailable("authorize", *unavailable);
  co_return answer_from(std::move(result));
}

asio::awaitable<PaymentAnswer> PaymentsService::capture(std::string order_id, std::string authorization,
                                                        core::Money amount, core::CallContext /*context*/) {
  std::optional<std::string> unavailable;
  ProviderResult result;
  try {
    auto key = provider_key(order_id, "capture");
    result = co_await provider_.capture(std::move(key), std::move(authorization), std::move(amount));
  } catch (const ProviderUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) throw_unavailable("capture", *unavailable);
  co_return answer_from(std::move(result));
}

asio::awaitable<PaymentAnswer> PaymentsService::void_authorization(std::string order_id, std::string authorization,
                                                                   core::CallContext /*context*/) {
  std::optional<std::string> unavailable;
  ProviderResult result;
  try {
    auto key = provider_key(order_id, "void");
    result = co_await provider_.void_authorization(std::move(key), std::move(authorization));
  } catch (const ProviderUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) throw_unavailable("void", *unavailable);
  co_return answer_from(std::move(result));
}

asio::awaitable<PaymentAnswer> PaymentsService::refund(std::string order_id, std::string authorization,
                                                       core::Money amount, core::CallContext /*context*/) {
  std::optional<std::string> unavailable;
  ProviderResult result;
  try {
    auto key = provider_key(order_id, "refund");
    result = co_await provider_.refund(std::move(key), std::move(authorization), std::move(amount));
  } catch (const ProviderUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) throw_unavailable("refund", *unavailable);
  co_return answer_from(std::move(result));
}

}  // namespace orderly::payments
