#include "catalog/product_json.hpp"

#include <optional>

#include "catalog/product_rules.hpp"
#include "net/json_body.hpp"

namespace orderly::catalog {
namespace {

namespace json = boost::json;

// Generous byte bounds before the rules count characters (UTF-8 takes up to 4 bytes each).
constexpr std::size_t kMaxTextBytes = 4 * kMaxDescriptionLength;

// The catalog's rules on top of net::FieldReader's types: a value that has
// the right type but breaks a rule becomes a field error too.
class ProductFields {
 public:
  explicit ProductFields(const json::object& object) : object_(object), reader_(object) {}

  std::optional<std::string> text(std::string_view field, std::optional<std::string> (*rule)(std::string_view)) {
    auto value = reader_.optional_string(field, kMaxTextBytes);
    return checked(field, std::move(value), rule);
  }

  std::optional<std::int64_t> integer(std::string_view field, std::optional<std::string> (*rule)(std::int64_t)) {
    auto value = reader_.optional_integer(field, INT64_MIN, INT64_MAX);
    return checked(field, std::move(value), rule);
  }

  std::optional<core::Money> price() {
    const auto* value = object_.if_contains("price");
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_object()) {
      reader_.add_error("price", "must be an object {amount, currency}");
      return std::nullopt;
    }
    const auto& price = value->as_object();
    std::optional<std::int64_t> amount;
    std::optional<std::string> currency;
    if (const auto* field = price.if_contains("amount"); field == nullptr || field->is_null()) {
      reader_.add_error("price.amount", "is required");
    } else if (field->is_int64()) {
      amount = checked("price.amount", std::optional<std::int64_t>(field->as_int64()), check_price_amount);
    } else {
      reader_.add_error("price.amount", "must be an integer number of minor units");
    }
    if (const auto* field = price.if_contains("currency"); field == nullptr || field->is_null()) {
      reader_.add_error("price.currency", "is required");
    } else if (field->is_string()) {
      currency = checked("price.currency", std::optional<std::string>(field->as_string()), check_currency);
    } else {
      reader_.add_error("price.currency", "must be a string");
    }
    if (!amount || !currency) return std::nullopt;
    return core::Money{*amount, std::move(*currency)};
  }

  // After reading `field`: an absent (or null) field the body needs is an
  // error; a present one that failed already has its error.
  void require(std::string_view field, bool has_value) {
    if (has_value) return;
    const auto* value = object_.if_contains(field);
    if (value == nullptr || value->is_null()) reader_.add_error(std::string(field), "is required");
  }
  void throw_if_invalid() const { reader_.throw_if_invalid(); }

 private:
  template <class Value, class Rule>
  std::optional<Value> checked(std::string_view field, std::optional<Value> value, Rule rule) {
    if (!value) return std::nullopt;
    if (auto problem = rule(*value)) {
      reader_.add_error(std::string(field), std::move(*problem));
      return std::nullopt;
    }
    return value;
  }

  const json::object& object_;
  net::FieldReader reader_;
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

ProductDraft parse_product_draft(const net::Request& request) {
  const auto object = net::parse_json_object(request);
  ProductFields fields(object);
  auto sku = fields.text("sku", check_sku);
  auto name = fields.text("name", check_name);
  auto description = fields.text("description", check_description);
  auto price = fields.price();
  auto stock = fields.integer("stock", check_stock);
  fields.require("sku", sku.has_value());
  fields.require("name", name.has_value());
  fields.require("price", price.has_value());
  fields.throw_if_invalid();
  return ProductDraft{std::move(*sku), std::move(*name), description.value_or(""), std::move(*price),
                      stock.value_or(0)};
}

ProductPatch parse_product_patch(const net::Request& request) {
  const auto object = net::parse_json_object(request);
  ProductFields fields(object);
  ProductPatch patch;
  patch.sku = fields.text("sku", check_sku);
  patch.name = fields.text("name", check_name);
  patch.description = fields.text("description", check_description);
  patch.price = fields.price();
  patch.stock = fields.integer("stock", check_stock);
  fields.throw_if_invalid();
  return patch;
}

}  // namespace orderly::catalog
