// The JSON request bodies of every route family, through the functions the
// routes call: orders (orders/order_request.cpp), products (POST and PATCH,
// catalog/product_json.cpp), cards (payments/new_card.cpp) and the sign-up
// and login fields (net::FieldReader with auth/user.cpp's and
// auth/password_policy.cpp's checks). The first byte picks the family, the
// rest is the body. Properties: only a 400 or 422 ProblemError escapes, a
// 422 names each bad field, no error repeats a card number or CVC, the
// problem body is valid JSON, and what is accepted obeys the documented
// limits (product_rules.hpp, order_request.hpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "auth/password_policy.hpp"
#include "auth/user.hpp"
#include "catalog/product_json.hpp"
#include "catalog/product_rules.hpp"
#include "core/manual_clock.hpp"
#include "core/problem.hpp"
#include "net/json_body.hpp"
#include "orders/order_request.hpp"
#include "payments/new_card.hpp"
#include "property.hpp"

namespace {

using namespace orderly;

void check_orders(const net::Request& request) {
  const auto order = orders::parse_create_order(request);
  FUZZ_PROPERTY(!order.items.empty() && order.items.size() <= orders::kMaxOrderLines);
  for (const auto& item : order.items) FUZZ_PROPERTY(item.quantity >= 1 && item.quantity <= orders::kMaxLineQuantity);
  FUZZ_PROPERTY(!order.payment_method_id.empty());
  FUZZ_PROPERTY(boost::json::parse(order.shipping_address).is_object());  // stored as canonical JSON
}

void check_product_draft(const net::Request& request) {
  const auto draft = catalog::parse_product_draft(request);
  FUZZ_PROPERTY(!catalog::check_sku(draft.sku) && !catalog::check_name(draft.name));
  FUZZ_PROPERTY(!catalog::check_description(draft.description) && !catalog::check_stock(draft.stock));
  FUZZ_PROPERTY(!catalog::check_price_amount(draft.price.amount) && !catalog::check_currency(draft.price.currency));
}

void check_product_patch(const net::Request& request) {
  const auto patch = catalog::parse_product_patch(request);
  if (patch.sku) FUZZ_PROPERTY(!catalog::check_sku(*patch.sku));
  if (patch.name) FUZZ_PROPERTY(!catalog::check_name(*patch.name));
  if (patch.stock) FUZZ_PROPERTY(!catalog::check_stock(*patch.stock));
  if (patch.price) FUZZ_PROPERTY(!catalog::check_price_amount(patch.price->amount));
}

// Card data must never come back in an error: the number and CVC as sent.
struct CardSecrets {
  std::string number;
  std::string cvc;
};

CardSecrets card_secrets(const boost::json::object& body) {
  CardSecrets secrets;
  const auto* card = body.if_contains("card");
  if (card == nullptr || !card->is_object()) return secrets;
  if (const auto* number = card->as_object().if_contains("number"); number && number->is_string()) {
    secrets.number = std::string(number->as_string());
  }
  if (const auto* cvc = card->as_object().if_contains("cvc"); cvc && cvc->is_string()) {
    secrets.cvc = std::string(cvc->as_string());
  }
  return secrets;
}

void check_card(const net::Request& request, const core::Clock& clock) {
  auto body = net::parse_json_object(request);
  const auto secrets = card_secrets(body);
  try {
    const auto card = payments::parse_new_card(body, clock);
    FUZZ_PROPERTY(card.number.size() >= 12 && card.number.size() <= 19);
    FUZZ_PROPERTY(card.cvc.size() == 3 || card.cvc.size() == 4);
    FUZZ_PROPERTY(card.exp_month >= 1 && card.exp_month <= 12);
  } catch (const core::ProblemError& error) {
    // The words of the problem (its status, 422, is ours and may equal a CVC).
    const auto& problem = error.problem();
    auto text = problem.title + "\n" + problem.detail;
    for (const auto& field : problem.errors) text += "\n" + field.field + ": " + field.message;
    // Short or non-digit values ("12", "exp_year") may match the message's
    // own words; what could be a card number (six digits or more) must not.
    const auto digits = std::count_if(secrets.number.begin(), secrets.number.end(),
                                      [](unsigned char c) { return c >= '0' && c <= '9'; });
    if (digits >= 6) FUZZ_PROPERTY(text.find(secrets.number) == std::string::npos);
    if (secrets.cvc.size() >= 3 && secrets.cvc.find_first_not_of("0123456789") == std::string::npos) {
      FUZZ_PROPERTY(text.find(secrets.cvc) == std::string::npos);
    }
    throw;
  }
}

// The sign-up fields as auth_routes.cpp reads them (its byte bounds).
void check_signup(const net::Request& request) {
  const auto body = net::parse_json_object(request);
  net::FieldReader fields(body);
  const auto email_text = fields.required_string("email", 254);
  const auto password = fields.required_string("password", 512);
  const auto name = fields.required_string("name", 200);
  const auto email = auth::normalize_email(email_text);
  if (email) FUZZ_PROPERTY(auth::normalize_email(*email) == email);  // normalising twice changes nothing
  if (!email_text.empty() && !email) fields.add_error("email", "is not a valid email address");
  if (!password.empty()) {
    if (auto weakness = auth::password_weakness(password, email_text)) fields.add_error("password", *weakness);
  }
  if (!name.empty() && !auth::is_displayable_name(name)) fields.add_error("name", "must not be displayable");
  fields.throw_if_invalid();
  FUZZ_PROPERTY(email.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const core::ManualClock clock;
  if (size == 0) return 0;
  net::Request request;
  request.method = "POST";
  request.headers.add("Content-Type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 5) {
      case 0: check_orders(request); break;
      case 1: check_product_draft(request); break;
      case 2: check_product_patch(request); break;
      case 3: check_card(request, clock); break;
      default: check_signup(request); break;
    }
  } catch (const core::ProblemError& error) {
    const auto& problem = error.problem();
    FUZZ_PROPERTY(problem.status == 400 || problem.status == 422);
    if (problem.status == 422) {
      FUZZ_PROPERTY(!problem.errors.empty());
      for (const auto& field : problem.errors) FUZZ_PROPERTY(!field.field.empty() && !field.message.empty());
    }
    FUZZ_PROPERTY(boost::json::parse(problem.to_json()).is_object());
  }
  return 0;
}
