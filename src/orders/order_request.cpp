#include "orders/order_request.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "core/problem.hpp"
#include "net/json_body.hpp"

namespace orderly::orders {
namespace {

namespace json = boost::json;
using FieldErrors = std::vector<core::Problem::FieldError>;

constexpr std::size_t kMaxIdLength = 128;
constexpr std::size_t kMaxAddressField = 200;

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

// A required string of 1..max characters without control characters.
std::optional<std::string> text_field(const json::object& object, std::string_view name, std::string field,
                                      std::size_t max, FieldErrors& errors, bool required = true) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || value->is_null()) {
    if (required) errors.push_back({std::move(field), "is required"});
    return std::nullopt;
  }
  if (!value->is_string()) {
    errors.push_back({std::move(field), "must be a string"});
    return std::nullopt;
  }
  const std::string_view text = value->get_string();
  if (text.empty() || text.size() > max || has_control_characters(text)) {
    errors.push_back({std::move(field), fmt::format("must be 1 to {} printable characters", max)});
    return std::nullopt;
  }
  return std::string(text);
}

void parse_items(const json::object& body, CreateOrderRequest& request, FieldErrors& errors) {
  const auto* items = body.if_contains("items");
  if (items == nullptr || !items->is_array()) {
    errors.push_back({"items", "must be an array of {product_id, quantity}"});
    return;
  }
  const auto& lines = items->get_array();
  if (lines.empty() || lines.size() > kMaxOrderLines) {
    errors.push_back({"items", fmt::format("must hold 1 to {} lines", kMaxOrderLines)});
    return;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto where = fmt::format("items[{}]", i);
    if (!lines[i].is_object()) {
      errors.push_back({where, "must be an object {product_id, quantity}"});
      continue;
    }
    const auto& line = lines[i].get_object();
    auto product_id = text_field(line, "product_id", where + ".product_id", kMaxIdLength, errors);
    const auto* quantity = line.if_contains("quantity");
    std::optional<std::int64_t> count;
    if (quantity == nullptr || !(quantity->is_int64() || quantity->is_uint64())) {
      errors.push_back({where + ".quantity", "must be an integer"});
    } else {
      const auto value = quantity->is_int64() ? quantity->get_int64() : kMaxLineQuantity + 1;
      if (value < 1 || value > kMaxLineQuantity) {
        errors.push_back({where + ".quantity", fmt::format("must be from 1 to {}", kMaxLineQuantity)});
      } else {
        count = value;
      }
    }
    if (!product_id || !count) continue;
    auto same = std::find_if(request.items.begin(), request.items.end(),
                             [&](const catalog::StockRequest& seen) { return seen.product_id == *product_id; });
    if (same == request.items.end()) {
      request.items.push_back({std::move(*product_id), *count});
    } else if (same->quantity + *count > kMaxLineQuantity) {
      errors.push_back({where + ".quantity",
                        fmt::format("this product's lines add up to more than {}", kMaxLineQuantity)});
    } else {
      same->quantity += *count;
    }
  }
}

void parse_address(const json::object& body, CreateOrderRequest& request, FieldErrors& errors) {
  const auto* address = body.if_contains("shipping_address");
  if (address == nullptr || !address->is_object()) {
    errors.push_back({"shipping_address", "must be an object {name, line1, city, postal_code, country}"});
    return;
  }
  const auto& fields = address->get_object();
  json::object canonical;
  bool complete = true;
  for (const char* name : {"name", "line1", "line2", "city", "postal_code", "country"}) {
    const bool optional = std::string_view(name) == "line2";
    auto value = text_field(fields, name, std::string("shipping_address.") + name, kMaxAddressField, errors,
                            !optional);
    if (value) {
      canonical[name] = *value;
    } else if (!optional || fields.contains(name)) {
      complete = false;
    }
  }
  if (const auto* country = canonical.if_contains("country")) {
    const std::string_view code = country->get_string();
    if (code.size() != 2 || !std::isupper(static_cast<unsigned char>(code[0])) ||
        !std::isupper(static_cast<unsigned char>(code[1]))) {
      errors.push_back({"shipping_address.country", "must be an ISO 3166-1 alpha-2 code such as FR"});
      complete = false;
    }
  }
  if (complete) request.shipping_address = json::serialize(canonical);
}

}  // namespace

CreateOrderRequest parse_create_order(const net::Request& http_request) {
  const auto object = net::parse_json_object(http_request);
  CreateOrderRequest request;
  FieldErrors errors;
  parse_items(object, request, errors);
  if (auto method = text_field(object, "payment_method_id", "payment_method_id", kMaxIdLength, errors)) {
    request.payment_method_id = std::move(*method);
  }
  parse_address(object, request, errors);
  if (!errors.empty()) {
    throw core::ProblemError({422, "/problems/validation", "Invalid order", "some fields are invalid",
                              std::move(errors)});
  }
  return request;
}

}  // namespace orderly::orders
