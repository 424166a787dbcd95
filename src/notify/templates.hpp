#pragma once

#include <string>
#include <string_view>

#include "notify/order_events.hpp"

// The email for each order event: a subject and a plain-text body. User data
// (name, reason) is inserted as text: control characters become spaces and
// long values are cut, so a value can neither add lines to the body nor push
// a line past RFC 5322's limit. Headers are checked again when composed
// (notify/email.hpp).
namespace orderly::notify {

struct RenderedEmail {
  std::string template_name;  // "order_received", "payment_confirmed", "order_cancelled", "order_shipped"
  std::string subject;
  std::string body;
};

[[nodiscard]] std::string_view template_name(OrderEventType type);

// A user-supplied value as one line of text: control characters become
// spaces, and it is cut at 200 bytes.
[[nodiscard]] std::string one_line(std::string_view value);

[[nodiscard]] RenderedEmail render_order_email(OrderEventType type, const OrderEvent& event);

// "USD 19.99": the amount in minor units with two decimals.
[[nodiscard]] std::string format_money(const core::Money& money);

}  // namespace orderly::notify
