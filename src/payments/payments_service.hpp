#pragma once

#include "payments/api/payments_client.hpp"
#include "payments/card_vault.hpp"
#include "payments/payment_provider.hpp"

namespace orderly::payments {

// The payments service's side of PaymentsClient: the saved card comes out of
// the vault here, goes to the provider with the order's key for the
// operation (provider_key), and never leaves this class. What embedded mode
// calls in-process, and what the payments role's internal routes call.
// A ProviderUnavailable becomes core::ServiceUnavailable ("payments"); a card
// deleted since the order was placed is a decline with kMethodUnavailable.
// Thread-safe (no state but its collaborators').
class PaymentsService final : public PaymentsClient {
 public:
  PaymentsService(CardVault& vault, PaymentProvider& provider) : vault_(vault), provider_(provider) {}

  boost::asio::awaitable<bool> has_method(std::string user_id, std::string payment_method_id,
                                          core::CallContext context) override;
  boost::asio::awaitable<PaymentAnswer> authorize(std::string order_id, std::string user_id,
                                                  std::string payment_method_id, core::Money amount,
                                                  core::CallContext context) override;
  boost::asio::awaitable<PaymentAnswer> capture(std::string order_id, std::string authorization, core::Money amount,
                                                core::CallContext context) override;
  boost::asio::awaitable<PaymentAnswer> void_authorization(std::string order_id, std::string authorization,
                                                           core::CallContext context) override;
  boost::asio::awaitable<PaymentAnswer> refund(std::string order_id, std::string authorization, core::Money amount,
                                               core::CallContext context) override;

 private:
  CardVault& vault_;
  PaymentProvider& provider_;
};

}  // namespace orderly::payments
