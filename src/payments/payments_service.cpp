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
  // A card the vault cannot decrypt (its key was retired, its row altered)
  // cannot pay: the order is refused with a 422, not a 500; the vault has
  // logged vault.card_unreadable for the operator.
  bool readable = false;
  try {
    readable = (co_await vault_.reveal(std::move(user_id), std::move(payment_method_id))).has_value();
  } catch (const CardUnreadable&) {
    readable = false;
  }
  co_return readable;
}

namespace {

// Awaits one provider call; ProviderUnavailable becomes ServiceUnavailable
// (the caller retries with the same order id, so the same key).
asio::awaitable<PaymentAnswer> ask(std::string operation, asio::awaitable<ProviderResult> call) {
  std::optional<std::string> unavailable;
  ProviderResult result;
  try {
    result = co_await std::move(call);
  } catch (const ProviderUnavailable& error) {
    unavailable = error.what();
  }
  if (unavailable) throw_unavailable(operation, *unavailable);
  co_return answer_from(std::move(result));
}

}  // namespace

asio::awaitable<PaymentAnswer> PaymentsService::authorize(std::string order_id, std::string user_id,
                                                          std::string payment_method_id, core::Money amount,
                                                          core::CallContext /*context*/) {
  std::optional<CardDetails> card;
  try {
    card = co_await vault_.reveal(std::move(user_id), std::move(payment_method_id));
  } catch (const CardUnreadable&) {
    card.reset();  // unusable since placement: declined, so the saga cancels and releases the stock
  }
  if (!card) co_return PaymentAnswer{false, std::string(kMethodUnavailable), {}};
  auto call = provider_.authorize(provider_key(order_id, "authorize"), std::move(*card), std::move(amount));
  co_return co_await ask("authorize", std::move(call));
}

asio::awaitable<PaymentAnswer> PaymentsService::capture(std::string order_id, std::string authorization,
                                                        core::Money amount, core::CallContext /*context*/) {
  auto call = provider_.capture(provider_key(order_id, "capture"), std::move(authorization), std::move(amount));
  co_return co_await ask("capture", std::move(call));
}

asio::awaitable<PaymentAnswer> PaymentsService::void_authorization(std::string order_id, std::string authorization,
                                                                   core::CallContext /*context*/) {
  auto call = provider_.void_authorization(provider_key(order_id, "void"), std::move(authorization));
  co_return co_await ask("void", std::move(call));
}

asio::awaitable<PaymentAnswer> PaymentsService::refund(std::string order_id, std::string authorization,
                                                       core::Money amount, core::CallContext /*context*/) {
  auto call = provider_.refund(provider_key(order_id, "refund"), std::move(authorization), std::move(amount));
  co_return co_await ask("refund", std::move(call));
}

}  // namespace orderly::payments
