#pragma once

// Test-only: the storefront flows of API.md over real sockets (sign up, log
// in, add a card, create products as the admin, place and follow orders),
// shared by the orders end-to-end, fault and benchmark tools. Every wait is
// bounded by a deadline.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "support/http_client.hpp"

namespace orderly::testing {

inline constexpr const char* kAdminEmail = "admin@orderly.local";
inline constexpr const char* kAdminPassword = "e2e-admin-password-1";  // ORDERLY_ADMIN_PASSWORD of the tests

// Test cards of API.md.
inline constexpr const char* kCardApproved = "4242424242424242";
inline constexpr const char* kCardDeclined = "4000000000000002";
inline constexpr const char* kCardInsufficientFunds = "4000000000009995";
inline constexpr const char* kCardTransient = "4000000000000119";
inline constexpr const char* kCardSlow = "4000000000003220";

class ShopClient {
 public:
  // `port` may change (a restarted server): the client reads it on every call.
  explicit ShopClient(const std::atomic<std::uint16_t>& port) : port_(port) {}

  // One request on a fresh connection; nullopt when the server is unreachable or the answer incomplete.
  std::optional<HttpResponse> call(const std::string& method, const std::string& target, const std::string& token,
                                   const std::string& body = {},
                                   std::vector<std::pair<std::string, std::string>> headers = {}) const;

  std::string login(const std::string& email, const std::string& password) const;  // access token; throws
  std::string admin_token() const { return login(kAdminEmail, kAdminPassword); }
  // Signs up (name from the email) and logs in; returns the access token. Throws.
  std::string customer(const std::string& email) const;
  std::string add_card(const std::string& token, const std::string& number) const;  // payment method id; throws
  std::string create_product(const std::string& admin, const std::string& sku, std::int64_t price,
                             std::int64_t stock) const;  // product id; throws
  std::int64_t stock_of(const std::string& product_id) const;  // throws

  static std::string order_body(const std::string& product_id, std::int64_t quantity,
                                const std::string& payment_method_id);
  std::optional<HttpResponse> place(const std::string& token, const std::string& key, const std::string& body) const;

  // The order once it left pending_payment (or nullopt after `timeout`).
  std::optional<boost::json::object> wait_settled(const std::string& token, const std::string& order_id,
                                                  std::chrono::milliseconds timeout) const;
  std::optional<boost::json::object> payment_of(const std::string& token, const std::string& order_id) const;

 private:
  const std::atomic<std::uint16_t>& port_;
};

// Mail files in `<data_dir>/maildir/new` whose text contains `needle`.
int count_mails_containing(const std::string& data_dir, const std::string& needle);

// Polls `condition` every 50 ms until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace orderly::testing
