#include "payments/api/http_payments_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/service_unavailable.hpp"
#include "payments/api/payments_wire.hpp"
#include "rpc/path_segment.hpp"

namespace orderly::payments {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

[[noreturn]] void unreadable(const std::string& operation, const net::Response& response) {
  throw core::ServiceUnavailable("payments", "payments " + operation + ": unexpected answer " +
                                                 std::to_string(response.status));
}

const std::string& checked_id(const std::string& id) {
  if (!rpc::is_safe_path_segment(id)) throw std::invalid_argument("malformed id");
  return id;
}

json::object money_json(const core::Money& money) {
  return {{"amount", money.amount}, {"currency", money.currency}};
}

}  // namespace

asio::awaitable<bool> HttpPaymentsClient::has_method(std::string user_id, std::string payment_method_id,
                                                     core::CallContext context) {
  if (!rpc::is_safe_path_segment(user_id) || !rpc::is_safe_path_segment(payment_method_id)) {
    co_return false;  // no saved card has such an id
  }
  auto target = wire::method_target(user_id, payment_method_id);
  const auto response = co_await channel_.call("has_method", "GET", std::move(target), std::string(), true,
                                                std::move(context));
  if (response.status == 204) co_return true;
  if (response.status == 404) co_return false;
  unreadable("has_method", response);
}

asio::awaitable<PaymentAnswer> HttpPaymentsClient::authorize(std::string order_id, std::string user_id,
                                                             std::string payment_method_id, core::Money amount,
                                                             core::CallContext context) {
  json::object body{{"user_id", user_id}, {"payment_method_id", payment_method_id}, {"amount", money_json(amount)}};
  co_return co_await money_call("authorize", std::move(order_id), json::serialize(body), std::move(context));
}

asio::awaitable<PaymentAnswer> HttpPaymentsClient::capture(std::string order_id, std::string authorization,
                                                           core::Money amount, core::CallContext context) {
  json::object body{{"authorization", authorization}, {"amount", money_json(amount)}};
  co_return co_await money_call("capture", std::move(order_id), json::serialize(body), std::move(context));
}

asio::awaitable<PaymentAnswer> HttpPaymentsClient::void_authorization(std::string order_id, std::string authorization,
                                                                      core::CallContext context) {
  json::object body{{"authorization", authorization}};
  co_return co_await money_call("void", std::move(order_id), json::serialize(body), std::move(context));
}

asio::awaitable<PaymentAnswer> HttpPaymentsClient::refund(std::string order_id, std::string authorization,
                                                          core::Money amount, core::CallContext context) {
  json::object body{{"authorization", authorization}, {"amount", money_json(amount)}};
  co_return co_await money_call("refund", std::move(order_id), json::serialize(body), std::move(context));
}

asio::awaitable<PaymentAnswer> HttpPaymentsClient::money_call(std::string operation, std::string order_id,
                                                              std::string body, core::CallContext context) {
  auto target = std::string(wire::kPayments) + "/" + checked_id(order_id) + "/" + operation;
  const auto response = co_await channel_.call(operation, "POST", std::move(target), std::move(body), true,
                                                std::move(context));
  if (response.status != 200) unreadable(operation, response);
  PaymentAnswer answer;
  try {
    const auto parsed = json::parse(response.body).as_object();
    answer.approved = parsed.at("approved").as_bool();
    answer.decline_code = parsed.at("decline_code").as_string();
    answer.reference = parsed.at("reference").as_string();
  } catch (const std::exception&) {
    unreadable(operation, response);
  }
  co_return answer;
}

}  // namespace orderly::payments
