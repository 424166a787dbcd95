#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.hpp"

// The order as the orders module stores and shows it (API.md, Orders).
namespace orderly::orders {

inline constexpr std::string_view kPendingPayment = "pending_payment";
inline constexpr std::string_view kPaid = "paid";
inline constexpr std::string_view kShipped = "shipped";
inline constexpr std::string_view kCancelled = "cancelled";

// Why an order was cancelled (API.md).
inline constexpr std::string_view kPaymentDeclined = "payment_declined";
inline constexpr std::string_view kPaymentFailed = "payment_failed";
inline constexpr std::string_view kCancelledByUser = "cancelled_by_user";
inline constexpr std::string_view kReservationExpired = "reservation_expired";

struct OrderLine {
  std::string product_id;
  std::string sku;
  std::string name;
  core::Money unit_price;
  std::int64_t quantity = 0;
};

struct HistoryEntry {
  std::string status;
  std::string at;  // RFC 3339 UTC
  std::optional<std::string> reason;
};

struct Order {
  std::string id;
  std::string user_id;
  std::string status;
  std::optional<std::string> cancel_reason;
  core::Money total;
  std::string payment_method_id;
  std::string shipping_address;  // canonical JSON text
  std::string created_at;
  std::int64_t created_at_ms = 0;
  std::string updated_at;
  std::int64_t version = 1;
  std::vector<OrderLine> items;       // empty in list views
  std::vector<HistoryEntry> history;  // empty in list views
};

struct Payment {
  std::string status;  // pending | authorized | captured | voided | refunded | failed
  core::Money amount;
  std::int64_t attempts = 0;
  std::optional<std::string> authorization_ref;
  std::optional<std::string> decline_code;
};

}  // namespace orderly::orders
