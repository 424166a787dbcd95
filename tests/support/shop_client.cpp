#include "support/shop_client.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::testing {
namespace {

namespace json = boost::json;

json::object body_of(const std::optional<HttpResponse>& response, int expected, const std::string& what) {
  if (!response) throw std::runtime_error(what + ": no answer");
  if (response->status != expected) {
    throw std::runtime_error(what + ": status " + std::to_string(response->status) + " " + response->body);
  }
  return json::parse(response->body).as_object();
}

}  // namespace

std::optional<HttpResponse> ShopClient::call(const std::string& method, const std::string& target,
                                             const std::string& token, const std::string& body,
                                             std::vector<std::pair<std::string, std::string>> headers) const {
  try {
    HttpConnection connection(port_.load());
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return connection.request(method, target, std::move(headers), body);
  } catch (const std::exception&) {
    return std::nullopt;  // refused: the server is down or restarting
  }
}

std::string ShopClient::login(const std::string& email, const std::string& password) const {
  const auto body = json::serialize(json::object{{"email", email}, {"password", password}});
  return std::string(body_of(call("POST", "/api/v1/auth/login", "", body), 200, "login").at("access_token").as_string());
}

std::string ShopClient::customer(const std::string& email) const {
  const std::string password = "customer-password-1";
  const auto body =
      json::serialize(json::object{{"email", email}, {"password", password}, {"name", email.substr(0, email.find('@'))}});
  (void)body_of(call("POST", "/api/v1/auth/signup", "", body), 201, "signup");
  return login(email, password);
}

std::string ShopClient::add_card(const std::string& token, const std::string& number) const {
  const auto body = json::serialize(
      json::object{{"card", json::object{{"number", number}, {"exp_month", 12}, {"exp_year", 2040}, {"cvc", "123"}}}});
  return std::string(body_of(call("POST", "/api/v1/payment-methods", token, body), 201, "add card").at("id").as_string());
}

std::string ShopClient::create_product(const std::string& admin, const std::string& sku, std::int64_t price,
                                       std::int64_t stock) const {
  const auto body = json::serialize(json::object{{"sku", sku},
                                                 {"name", "Product " + sku},
                                                 {"description", "for the orders tests"},
                                                 {"price", json::object{{"amount", price}, {"currency", "USD"}}},
                                                 {"stock", stock}});
  return std::string(body_of(call("POST", "/api/v1/products", admin, body), 201, "create product").at("id").as_string());
}

std::int64_t ShopClient::stock_of(const std::string& product_id) const {
  return body_of(call("GET", "/api/v1/products/" + product_id, ""), 200, "get product").at("stock").as_int64();
}

std::string ShopClient::order_body(const std::string& product_id, std::int64_t quantity,
                                   const std::string& payment_method_id) {
  return json::serialize(json::object{
      {"items", json::array{json::object{{"product_id", product_id}, {"quantity", quantity}}}},
      {"payment_method_id", payment_method_id},
      {"shipping_address", json::object{{"name", "Test Buyer"},
                                         {"line1", "1 Test Street"},
                                         {"city", "Paris"},
                                         {"postal_code", "75001"},
                                         {"country", "FR"}}}});
}

std::optional<HttpResponse> ShopClient::place(const std::string& token, const std::string& key,
                                              const std::string& body) const {
  return call("POST", "/api/v1/orders", token, body, {{"Idempotency-Key", key}});
}

std::optional<json::object> ShopClient::wait_settled(const std::string& token, const std::string& order_id,
                                                     std::chrono::milliseconds timeout) const {
  std::optional<json::object> settled;
  eventually(
      [&] {
        const auto response = call("GET", "/api/v1/orders/" + order_id, token);
        if (!response || response->status != 200) return false;
        auto order = json::parse(response->body).as_object();
        if (order.at("status").as_string() == "pending_payment") return false;
        settled = std::move(order);
        return true;
      },
      timeout);
  return settled;
}

std::optional<json::object> ShopClient::payment_of(const std::string& token, const std::string& order_id) const {
  const auto response = call("GET", "/api/v1/orders/" + order_id + "/payment", token);
  if (!response || response->status != 200) return std::nullopt;
  return json::parse(response->body).as_object();
}

int count_mails_containing(const std::string& data_dir, const std::string& needle) {
  int found = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/maildir/new", ec)) {
    std::ifstream file(entry.path());
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (text.find(needle) != std::string::npos) ++found;
  }
  return found;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {  // bounded by the deadline
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace orderly::testing
