#include "payments/provider_wire.hpp"

#include "core/problem.hpp"

namespace orderly::payments::wire {
namespace {

namespace json = boost::json;

[[noreturn]] void throw_field(std::string field, std::string message) {
  throw core::ProblemError({422, "/problems/validation", "Invalid request", "see errors", {{std::move(field), std::move(message)}}});
}

const json::object& object_field(const json::object& body, std::string_view field) {
  const auto* value = body.if_contains(field);
  if (value == nullptr || !value->is_object()) throw_field(std::string(field), "is required, as an object");
  return value->as_object();
}

std::int64_t integer_field(const json::object& body, std::string_view field, std::string_view path) {
  const auto* value = body.if_contains(field);
  if (value == nullptr || !value->is_int64()) throw_field(std::string(path), "is required, as an integer");
  return value->as_int64();
}

std::string string_field(const json::object& body, std::string_view field, std::string_view path) {
  const auto* value = body.if_contains(field);
  if (value == nullptr || !value->is_string()) throw_field(std::string(path), "is required, as a string");
  return std::string(value->as_string());
}

}  // namespace

json::object money_json(const core::Money& money) { return {{"amount", money.amount}, {"currency", money.currency}}; }

json::object card_json(const CardDetails& card) {
  return {{"number", card.number}, {"exp_month", card.exp_month}, {"exp_year", card.exp_year}};
}

json::object result_json(const ProviderResult& result) {
  return {{"approved", result.approved}, {"decline_code", result.decline_code}, {"reference", result.reference}};
}

core::Money money_from(const json::object& body, std::string_view field) {
  const auto& money = object_field(body, field);
  const auto path = std::string(field);
  return core::Money{integer_field(money, "amount", path + ".amount"),
                     string_field(money, "currency", path + ".currency")};
}

CardDetails card_from(const json::object& body) {
  const auto& card = object_field(body, "card");
  return CardDetails{string_field(card, "number", "card.number"),
                     static_cast<int>(integer_field(card, "exp_month", "card.exp_month")),
                     static_cast<int>(integer_field(card, "exp_year", "card.exp_year"))};
}

ProviderResult result_from(const json::object& body) {
  const auto* approved = body.if_contains("approved");
  if (approved == nullptr || !approved->is_bool()) throw_field("approved", "is required, as a boolean");
  return ProviderResult{approved->as_bool(), string_field(body, "decline_code", "decline_code"),
                        string_field(body, "reference", "reference")};
}

}  // namespace orderly::payments::wire
