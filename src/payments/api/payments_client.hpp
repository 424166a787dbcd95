#pragma once

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/call_context.hpp"
#include "core/money.hpp"

namespace orderly::payments {

// What the payment provider answered, as the orders service sees it. A
// decline is an answer, not an error.
struct PaymentAnswer {
  bool approved = false;
  std::string decline_code;  // "card_declined", "insufficient_funds"; empty when approved
  std::string reference;     // the provider's id of the authorization (authorize) or of the operation
};

// The decline code of an authorize whose saved card was deleted after the
// order was placed (the caller cancels with payment_failed).
inline constexpr std::string_view kMethodUnavailable = "payment_method_unavailable";

// The provider's idempotency key for `operation` ("authorize", "capture",
// "void", "refund") of `order_id`: one per order and operation, so a repeat
// gets the first answer.
[[nodiscard]] inline std::string provider_key(std::string_view order_id, std::string_view operation) {
  std::string key = "order-";
  key.append(order_id).append("-").append(operation);
  return key;
}

// What the payments service offers the orders service. Payments owns the
// cards and the provider: the orders service names a saved card by its
// payment-method id and never sees its number. Every money call is
// idempotent by order id (the provider key is derived from the order id and
// the operation), so a repeated or resumed call gets the provider's first
// answer and a card is charged at most once per order.
//
// Throws core::ServiceUnavailable when the payments service or the provider
// behind it cannot answer now (timeout, down, breaker open): the caller
// retries later with the same order id. Thread-safe.
class PaymentsClient {
 public:
  virtual ~PaymentsClient() = default;

  // True when `payment_method_id` is a saved card of `user_id` (false for
  // another user's card: the caller answers as if it did not exist).
  virtual boost::asio::awaitable<bool> has_method(std::string user_id, std::string payment_method_id,
                                                  core::CallContext context) = 0;

  // Authorizes `amount` on the user's saved card for `order_id`.
  virtual boost::asio::awaitable<PaymentAnswer> authorize(std::string order_id, std::string user_id,
                                                          std::string payment_method_id, core::Money amount,
                                                          core::CallContext context) = 0;
  // `authorization` is the reference authorize returned.
  virtual boost::asio::awaitable<PaymentAnswer> capture(std::string order_id, std::string authorization,
                                                        core::Money amount, core::CallContext context) = 0;
  virtual boost::asio::awaitable<PaymentAnswer> void_authorization(std::string order_id, std::string authorization,
                                                                   core::CallContext context) = 0;
  virtual boost::asio::awaitable<PaymentAnswer> refund(std::string order_id, std::string authorization,
                                                       core::Money amount, core::CallContext context) = 0;
};

}  // namespace orderly::payments
