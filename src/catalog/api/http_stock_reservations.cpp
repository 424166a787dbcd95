#include "catalog/api/http_stock_reservations.hpp"

#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "catalog/api/stock_wire.hpp"
#include "core/service_unavailable.hpp"
#include "rpc/path_segment.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

[[noreturn]] void unreadable(const std::string& operation, const net::Response& response) {
  throw core::ServiceUnavailable("catalog", "catalog " + operation + ": unexpected answer " +
                                                std::to_string(response.status));
}

// The problem's type and product, when the body is one of ours.
struct ProblemBody {
  std::string type;
  std::string product_id;
};

ProblemBody problem_of(const net::Response& response) {
  boost::system::error_code error;
  const auto parsed = json::parse(response.body, error);
  ProblemBody problem;
  if (error || !parsed.is_object()) return problem;
  const auto& object = parsed.as_object();
  if (const auto* type = object.if_contains("type"); type && type->is_string()) problem.type = type->as_string();
  if (const auto* product = object.if_contains("product_id"); product && product->is_string()) {
    problem.product_id = product->as_string();
  }
  return problem;
}

std::vector<ReservedLine> lines_of(const net::Response& response) {
  std::vector<ReservedLine> lines;
  try {
    const auto parsed = json::parse(response.body);
    for (const auto& value : parsed.at("lines").as_array()) {
      const auto& line = value.as_object();
      const auto& price = line.at("unit_price").as_object();
      lines.push_back({std::string(line.at("product_id").as_string()), std::string(line.at("sku").as_string()),
                       std::string(line.at("name").as_string()),
                       core::Money{price.at("amount").as_int64(), std::string(price.at("currency").as_string())},
                       line.at("quantity").as_int64()});
    }
  } catch (const std::exception&) {
    unreadable("reserve", response);
  }
  return lines;
}

std::string reservation_target(const std::string& order_id, std::string_view action) {
  if (!rpc::is_safe_path_segment(order_id)) throw std::invalid_argument("malformed order id");
  return std::string(wire::kReservations) + "/" + order_id + "/" + std::string(action);
}

}  // namespace

asio::awaitable<std::vector<ReservedLine>> HttpStockReservations::reserve(std::string order_id,
                                                                          std::vector<StockRequest> items,
                                                                          std::chrono::milliseconds ttl,
                                                                          core::CallContext context) {
  json::array lines;
  for (const auto& item : items) lines.push_back(json::object{{"product_id", item.product_id}, {"quantity", item.quantity}});
  json::object body{{"order_id", order_id}, {"items", std::move(lines)}, {"ttl_ms", ttl.count()}};
  auto text = json::serialize(body);
  const auto response = co_await channel_.call("reserve", "POST", std::string(wire::kReservations), std::move(text),
                                                true, std::move(context));
  if (response.status == 200) co_return lines_of(response);
  const auto problem = problem_of(response);
  if (response.status == 409 && problem.type == wire::kOutOfStock) throw OutOfStock(problem.product_id);
  if (response.status == 422 && problem.type == wire::kUnknownProduct) throw UnknownProduct(problem.product_id);
  if (response.status == 410 && problem.type == wire::kReservationGone) throw ReservationGone(order_id);
  // The catalog refused the request itself (no lines, a quantity or ttl
  // below 1, an id too long): the caller's mistake, as in-process.
  if (response.status == 422 && problem.type == "/problems/validation") {
    throw std::invalid_argument("the catalog refused the reservation request as invalid");
  }
  unreadable("reserve", response);
}

asio::awaitable<void> HttpStockReservations::confirm(std::string order_id, core::CallContext context) {
  auto target = reservation_target(order_id, "confirm");
  const auto response = co_await channel_.call("confirm", "POST", std::move(target), std::string(), true,
                                                std::move(context));
  if (response.status == 204) co_return;
  if (response.status == 410 || response.status == 404) throw ReservationGone(order_id);
  unreadable("confirm", response);
}

asio::awaitable<void> HttpStockReservations::release(std::string order_id, core::CallContext context) {
  auto target = reservation_target(order_id, "release");
  const auto response = co_await channel_.call("release", "POST", std::move(target), std::string(), true,
                                                std::move(context));
  if (response.status == 204) co_return;
  unreadable("release", response);
}

}  // namespace orderly::catalog
