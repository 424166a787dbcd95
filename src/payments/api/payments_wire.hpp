#pragma once

#include <string>
#include <string_view>

namespace orderly::payments::wire {

// The payments service's internal API: the contract between
// internal_payment_routes.cpp and HttpPaymentsClient.
//   GET  /internal/v1/users/{user_id}/payment-methods/{id}  -> 204 (the user's card) or 404
//   POST /internal/v1/payments/{order_id}/authorize {user_id, payment_method_id, amount}
//   POST /internal/v1/payments/{order_id}/capture   {authorization, amount}
//   POST /internal/v1/payments/{order_id}/void      {authorization}
//   POST /internal/v1/payments/{order_id}/refund    {authorization, amount}
//        -> 200 {approved, decline_code, reference}; 503 + Retry-After when the provider cannot answer
inline constexpr std::string_view kPayments = "/internal/v1/payments";

inline std::string method_target(std::string_view user_id, std::string_view method_id) {
  std::string target = "/internal/v1/users/";
  target.append(user_id).append("/payment-methods/").append(method_id);
  return target;
}

}  // namespace orderly::payments::wire
