#include "catalog/product_json.hpp"

#include <optional>
#include <vector>

#include <boost/json/parse.hpp>

#include "catalog/product_rules.hpp"
#include "core/problem.hpp"

namespace orderly::catalog {
namespace {

namespace json = boost::json;
using FieldErrors = std::vector<core::Problem::FieldError>;

json::object parse_object(std::string_view body) {
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  if (ec) {
    throw core::ProblemError({400, "/problems/bad-json", "Malformed JSON", "the body is not valid JSON", {}});
  }
  if (!value.is_object()) {
    throw core::ProblemError(
        {422, "/problems/validation", "Invalid request", "the body must be a JSON object", {{"body", "must be an object"}}});
  }
  return std::move(value.as_object());
}

// Reads the fields of a product body, recording every problem instead of
// stopping at the first, so a client fixes them all in one round.
class FieldReader {
 public:
  explicit FieldReader(const json::object& object) : object_(object) {}

  std::optional<std::string> text(std::string_view field, std::optional<std::string> (*check)(std::string_view)) {
    const auto* value = object_.if_contains(field);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) return fail(field, "must be a string");
    std::string text(value->as_string());
    if (auto problem = check(text)) return fail(field, std::move(*problem));
    return text;
  }

  std::optional<std::int64_t> integer(std::string_view field, std::optional<std::string> (*check)(std::int64_t)) {
    const auto* value = object_.if_contains(field);
    if (value == nullptr) return std::nullopt;
    const auto number = as_int64(*value);
    if (!number) return fail(field, "must be an integer");
    if (auto problem = check(*number)) return fail(field, std::move(*problem));
    return number;
  }

  std::optional<core::Money> price(std::string_view field) {
    const auto* value = object_.if_contains(field);
    if (value == nullptr) return std::nullopt;
    if (!value->is_object()) return fail(field, "must be an object {amount, currency}");
    const auto& price = value->as_object();
    const auto* amount_value = price.if_contains("amount");
    const auto* currency_value = price.if_contains("currency");
    std::optional<std::int64_t> amount;
    std::optional<std::string> currency;
    if (amount_value == nullptr) {
      fail("price.amount", "is required");
    } else if (amount = as_int64(*amount_value); !amount) {
      fail("price.amount", "must be an integer number of minor units");
    } else if (auto problem = check_price_amount(*amount)) {
      amount.reset();
      fail("price.amount", std::move(*problem));
    }
    if (currency_value == nullptr) {
      fail("price.currency", "is required");
    } else if (!currency_value->is_string()) {
      fail("price.currency", "must be a string");
    } else if (auto problem = check_currency(currency_value->as_string())) {
      fail("price.currency", std::move(*problem));
    } else {
      currency = std::string(currency_value->as_string());
    }
    if (!amount || !currency) return std::nullopt;
    return core::Money{*amount, std::move(*currency)};
  }

  void require(std::string_view field, bool present) {
    if (!present && object_.if_contains(field) == nullptr) fail(field, "is required");
  }

  void throw_if_failed() const {
    if (errors_.empty()) return;
    throw core::ProblemError({422, "/problems/validation", "Invalid product", "some fields are not valid", errors_});
  }

 private:
  static std::optional<std::int64_t> as_int64(const json::value& value) {
    if (value.is_int64()) return value.as_int64();
    if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      return static_cast<std::int64_t>(value.as_uint64());
    }
    return std::nullopt;
  }

  std::nullopt_t fail(std::string_view field, std::string message) {
    errors_.push_back({std::string(field), std::move(message)});
    return std::nullopt;
  }

  const json::object& object_;
  FieldErrors errors_;
};

}  // namespace

json::object product_to_json(const Product& product) {
  return json::object{{"id", product.id},
                      {"sku", product.sku},
                      {"name", product.name},
                      {"description", product.description},
                      {"price", json::object{{"amount", product.price.amount}, {"currency", product.price.currency}}},
                      {"stock", product.stock},
                      {"version", product.version},
                      {"created_at", product.created_at},
                      {"updated_at", product.updated_at}};
}

ProductDraft parse_product_draft(std::string_view body) {
  const auto object = parse_object(body);
  FieldReader reader(object);
  auto sku = reader.text("sku", check_sku);
  auto name = reader.text("name", check_name);
  auto description = reader.text("description", check_description);
  auto price = reader.price("price");
  auto stock = reader.integer("stock", check_stock);
  reader.require("sku", sku.has_value());
  reader.require("name", name.has_value());
  reader.require("price", price.has_value());
  reader.throw_if_failed();
  return ProductDraft{std::move(*sku), std::move(*name), description.value_or(""), std::move(*price),
                      stock.value_or(0)};
}

ProductPatch parse_product_patch(std::string_view body) {
  const auto object = parse_object(body);
  FieldReader reader(object);
  ProductPatch patch;
  patch.sku = reader.text("sku", check_sku);
  patch.name = reader.text("name", check_name);
  patch.description = reader.text("description", check_description);
  patch.price = reader.price("price");
  patch.stock = reader.integer("stock", check_stock);
  reader.throw_if_failed();
  return patch;
}

}  // namespace orderly::catalog
