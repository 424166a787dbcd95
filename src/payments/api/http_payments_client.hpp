#pragma once

#include "payments/api/payments_client.hpp"
#include "rpc/service_channel.hpp"

namespace orderly::payments {

// PaymentsClient over the payments service's internal API
// (api/payments_wire.hpp), for an orders service in another process. Every
// call is idempotent (by order id, or a read), so the channel retries each
// one; an answer it cannot read is core::ServiceUnavailable, never a wrong
// answer. `channel` must outlive the client.
class HttpPaymentsClient final : public PaymentsClient {
 public:
  explicit HttpPaymentsClient(rpc::ServiceChannel& channel) : channel_(channel) {}

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
  boost::asio::awaitable<PaymentAnswer> money_call(std::string operation, std::string order_id, std::string body,
                                                   core::CallContext context);

  rpc::ServiceChannel& channel_;
};

}  // namespace orderly::payments
