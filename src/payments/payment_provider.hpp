#pragma once

#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/money.hpp"
#include "payments/card_vault.hpp"

namespace orderly::payments {

// What the provider answered. A decline is an answer, not an error.
struct ProviderResult {
  bool approved = false;
  std::string decline_code;  // "card_declined", "insufficient_funds"; empty when approved
  std::string reference;     // the provider's id of the authorization (authorize) or operation
};

// The provider could not be reached or failed transiently (timeout, 5xx,
// breaker open). The caller retries later with the same idempotency key.
class ProviderUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A payment provider (the simulated one in-process, or over HTTP). Every call
// carries an idempotency key chosen by the caller: repeating a call with the
// same key returns the first answer and never charges twice. Thread-safe.
class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual boost::asio::awaitable<ProviderResult> authorize(std::string idempotency_key, CardDetails card,
                                                           core::Money amount) = 0;
  virtual boost::asio::awaitable<ProviderResult> capture(std::string idempotency_key, std::string authorization,
                                                         core::Money amount) = 0;
  virtual boost::asio::awaitable<ProviderResult> void_authorization(std::string idempotency_key,
                                                                    std::string authorization) = 0;
  virtual boost::asio::awaitable<ProviderResult> refund(std::string idempotency_key, std::string authorization,
                                                        core::Money amount) = 0;
};

}  // namespace orderly::payments
