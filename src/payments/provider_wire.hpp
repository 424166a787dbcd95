#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "payments/payment_provider.hpp"

// The JSON the simulated provider speaks over HTTP (`orderly provider-sim`),
// shared by its routes and the remote client so both sides agree:
//   POST /v1/authorizations                  {"card": {number, exp_month, exp_year}, "amount": {amount, currency}}
//   POST /v1/authorizations/{id}/capture     {"amount": {amount, currency}}
//   POST /v1/authorizations/{id}/void        {}
//   POST /v1/authorizations/{id}/refund      {"amount": {amount, currency}}
// each with an Idempotency-Key header, answered 200 {"approved", "decline_code", "reference"};
// 503 when the provider fails transiently (retry with the same key).
namespace orderly::payments::wire {

inline constexpr std::string_view kAuthorizations = "/v1/authorizations";

[[nodiscard]] boost::json::object money_json(const core::Money& money);
[[nodiscard]] boost::json::object card_json(const CardDetails& card);
[[nodiscard]] boost::json::object result_json(const ProviderResult& result);

// These throw core::ProblemError (422 naming the field) on a wrong shape.
[[nodiscard]] core::Money money_from(const boost::json::object& body, std::string_view field);
[[nodiscard]] CardDetails card_from(const boost::json::object& body);
[[nodiscard]] ProviderResult result_from(const boost::json::object& body);

}  // namespace orderly::payments::wire
