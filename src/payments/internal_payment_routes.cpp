#include "payments/internal_payment_routes.hpp"

#include <functional>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "net/json_body.hpp"
#include "payments/api/payments_wire.hpp"

namespace orderly::payments {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::size_t kMaxIdLength = 64;
constexpr std::size_t kMaxReferenceLength = 128;
constexpr std::int64_t kMaxAmount = 1'000'000'000'000;

core::CallContext call_context(const net::RequestContext& context) {
  return core::CallContext{context.request_id, context.trace.traceparent(), std::nullopt};
}

net::Response answer_json(const PaymentAnswer& answer) {
  json::object body{{"approved", answer.approved}, {"decline_code", answer.decline_code},
                    {"reference", answer.reference}};
  return net::Response::json(200, json::serialize(body));
}

std::string path_id(const net::RequestContext& context, std::string_view name) {
  auto id = std::string(context.param(name).value_or(""));
  if (id.empty() || id.size() > kMaxIdLength) {
    throw core::ProblemError({404, "/problems/not-found", "Not found", "no such resource", {}});
  }
  return id;
}

core::Money amount_of(net::FieldReader& fields) {
  core::Money money;
  const auto* amount = fields.required_object("amount");
  if (amount == nullptr) return money;
  net::FieldReader amount_fields(*amount);
  money.amount = amount_fields.required_integer("amount", 0, kMaxAmount);
  money.currency = amount_fields.required_string("currency", 3);
  if (!amount_fields.valid()) fields.add_error("amount", "needs amount and currency");
  return money;
}

// One money call: reads its fields (throwing 422 when they are wrong) and
// asks the payments service.
using Operation =
    std::function<asio::awaitable<PaymentAnswer>(std::string order_id, net::FieldReader& fields, core::CallContext call)>;

void add_money_route(net::Router& router, const std::string& action, Operation operation) {
  router.add("POST", std::string(wire::kPayments) + "/{order_id}/" + action,
             [operation = std::move(operation)](net::RequestContext& context,
                                                net::Request& request) -> asio::awaitable<net::Response> {
               auto order_id = path_id(context, "order_id");
               const auto body = net::parse_json_object(request);
               net::FieldReader fields(body);
               auto call = call_context(context);
               const auto answer = co_await operation(std::move(order_id), fields, std::move(call));
               co_return answer_json(answer);
             });
}

}  // namespace

void add_internal_payment_routes(net::Router& router, PaymentsClient& payments) {
  router.add("GET", "/internal/v1/users/{user_id}/payment-methods/{method_id}",
             [&payments](net::RequestContext& context, net::Request&) -> asio::awaitable<net::Response> {
               auto user_id = path_id(context, "user_id");
               auto method_id = path_id(context, "method_id");
               auto call = call_context(context);
               const bool exists = co_await payments.has_method(std::move(user_id), std::move(method_id),
                                                                std::move(call));
               if (!exists) co_return net::Response::problem(404, "/problems/not-found", "Not found",
                                                             "no such payment method");
               co_return net::Response::empty(204);
             });
  add_money_route(router, "authorize",
                  [&payments](std::string order_id, net::FieldReader& fields,
                              core::CallContext call) -> asio::awaitable<PaymentAnswer> {
                    auto user_id = fields.required_string("user_id", kMaxIdLength);
                    auto method_id = fields.required_string("payment_method_id", kMaxIdLength);
                    auto amount = amount_of(fields);
                    fields.throw_if_invalid();
                    co_return co_await payments.authorize(std::move(order_id), std::move(user_id),
                                                          std::move(method_id), std::move(amount), std::move(call));
                  });
  add_money_route(router, "capture",
                  [&payments](std::string order_id, net::FieldReader& fields,
                              core::CallContext call) -> asio::awaitable<PaymentAnswer> {
                    auto authorization = fields.required_string("authorization", kMaxReferenceLength);
                    auto amount = amount_of(fields);
                    fields.throw_if_invalid();
                    co_return co_await payments.capture(std::move(order_id), std::move(authorization),
                                                        std::move(amount), std::move(call));
                  });
  add_money_route(router, "void",
                  [&payments](std::string order_id, net::FieldReader& fields,
                              core::CallContext call) -> asio::awaitable<PaymentAnswer> {
                    auto authorization = fields.required_string("authorization", kMaxReferenceLength);
                    fields.throw_if_invalid();
                    co_return co_await payments.void_authorization(std::move(order_id), std::move(authorization),
                                                                   std::move(call));
                  });
  add_money_route(router, "refund",
                  [&payments](std::string order_id, net::FieldReader& fields,
                              core::CallContext call) -> asio::awaitable<PaymentAnswer> {
                    auto authorization = fields.required_string("authorization", kMaxReferenceLength);
                    auto amount = amount_of(fields);
                    fields.throw_if_invalid();
                    co_return co_await payments.refund(std::move(order_id), std::move(authorization),
                                                       std::move(amount), std::move(call));
                  });
}

}  // namespace orderly::payments
