#include "notify/templates.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace orderly::notify {
namespace {

constexpr std::size_t kMaxInsertedLength = 200;

std::string as_text(std::string_view value) { return one_line(value); }

std::string greeting(const OrderEvent& event) {
  const auto name = as_text(event.name);
  return name.empty() ? "Hello," : "Hello " + name + ",";
}

std::string cancellation_reason(std::string_view reason) {
  if (reason == "payment_declined") return "the payment was declined";
  if (reason == "payment_failed") return "the payment could not be completed";
  if (reason == "cancelled_by_user") return "you cancelled it";
  if (reason == "reservation_expired") return "the payment did not arrive in time";
  if (reason.empty()) return "no reason was given";
  return as_text(reason);
}

constexpr std::string_view kSignature = "\n-- \nOrderly\n";

}  // namespace

std::string one_line(std::string_view value) {
  std::string out;
  out.reserve(std::min(value.size(), kMaxInsertedLength));
  for (const char c : value) {
    if (out.size() >= kMaxInsertedLength) break;
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? ' ' : c;
  }
  return out;
}

std::string_view template_name(OrderEventType type) {
  switch (type) {
    case OrderEventType::created: return "order_received";
    case OrderEventType::paid: return "payment_confirmed";
    case OrderEventType::cancelled: return "order_cancelled";
    case OrderEventType::shipped: return "order_shipped";
  }
  return "unknown";
}

std::string format_money(const core::Money& money) {
  const auto units = std::llabs(money.amount) / 100;
  const auto cents = std::llabs(money.amount) % 100;
  return fmt::format("{} {}{}.{:02}", as_text(money.currency), money.amount < 0 ? "-" : "", units, cents);
}

RenderedEmail render_order_email(OrderEventType type, const OrderEvent& event) {
  // The order id goes into the subject as is: compose_rfc5322 refuses it if
  // it holds a line break, which is what the header-injection test checks.
  const auto& order = event.order_id;
  const auto total = format_money(event.total);
  const auto order_text = as_text(order);
  RenderedEmail email{std::string(template_name(type)), {}, {}};
  switch (type) {
    case OrderEventType::created:
      email.subject = "Order " + order + " received";
      email.body = fmt::format(
          "{}\n\nWe have received your order {} for {}.\nWe will write again once the payment is confirmed.\n{}",
          greeting(event), order_text, total, kSignature);
      break;
    case OrderEventType::paid:
      email.subject = "Payment confirmed for order " + order;
      email.body = fmt::format("{}\n\nYour payment of {} for order {} is confirmed.\nWe will write again when it ships.\n{}",
                               greeting(event), total, order_text, kSignature);
      break;
    case OrderEventType::cancelled:
      email.subject = "Order " + order + " cancelled";
      email.body = fmt::format(
          "{}\n\nYour order {} ({}) was cancelled: {}.\nAnything you were charged for it is refunded.\n{}",
          greeting(event), order_text, total, cancellation_reason(event.reason), kSignature);
      break;
    case OrderEventType::shipped:
      email.subject = "Order " + order + " shipped";
      email.body = fmt::format("{}\n\nYour order {} ({}) is on its way.\n{}", greeting(event), order_text, total,
                               kSignature);
      break;
  }
  return email;
}

}  // namespace orderly::notify
