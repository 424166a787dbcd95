#include "catalog/internal_stock_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "catalog/api/stock_wire.hpp"
#include "net/json_body.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::size_t kMaxLines = 100;
constexpr std::size_t kMaxIdLength = 64;
constexpr std::int64_t kMaxQuantity = 1'000'000;
constexpr std::int64_t kMaxTtlMs = 7LL * 24 * 3600 * 1000;

// A problem with the product it is about, as an RFC 9457 extension member.
net::Response product_problem(int status, std::string_view type, std::string_view title, const std::string& product) {
  json::object body{{"type", type}, {"title", title}, {"status", status}, {"product_id", product}};
  auto response = net::Response::json(status, json::serialize(body));
  response.headers.set("Content-Type", "application/problem+json");
  return response;
}

net::Response gone(const std::string& order_id) {
  return net::Response::problem(410, std::string(wire::kReservationGone), "Reservation gone",
                                "the reservation of order " + order_id + " expired or was released");
}

// An order id in a path: what StockReservations accepts, else no such reservation.
std::optional<std::string> order_id_param(const net::RequestContext& context) {
  auto id = std::string(context.param("order_id").value_or(""));
  if (id.empty() || id.size() > kMaxIdLength) return std::nullopt;
  return id;
}

net::Response no_such_reservation() {
  return net::Response::problem(404, "/problems/not-found", "Not found", "no such reservation");
}

core::CallContext call_context(const net::RequestContext& context) {
  return core::CallContext{context.request_id, context.trace.traceparent(), std::nullopt};
}

json::object line_json(const ReservedLine& line) {
  return {{"product_id", line.product_id},
          {"sku", line.sku},
          {"name", line.name},
          {"unit_price", {{"amount", line.unit_price.amount}, {"currency", line.unit_price.currency}}},
          {"quantity", line.quantity}};
}

asio::awaitable<net::Response> reserve(StockReservations& stock, net::RequestContext& context, net::Request& request) {
  const auto body = net::parse_json_object(request);
  net::FieldReader fields(body);
  auto order_id = fields.required_string("order_id", kMaxIdLength);
  const auto ttl_ms = fields.required_integer("ttl_ms", 1, kMaxTtlMs);
  std::vector<StockRequest> items;
  if (const auto* lines = fields.required_array("items")) {
    if (lines->empty() || lines->size() > kMaxLines) fields.add_error("items", "1 to 100 lines");
    for (std::size_t i = 0; i < lines->size() && i < kMaxLines; ++i) {
      const auto* line = (*lines)[i].if_object();
      if (line == nullptr) {
        fields.add_error("items[" + std::to_string(i) + "]", "must be an object");
        continue;
      }
      net::FieldReader line_fields(*line);
      auto product_id = line_fields.required_string("product_id", kMaxIdLength);
      const auto quantity = line_fields.required_integer("quantity", 1, kMaxQuantity);
      if (!line_fields.valid()) fields.add_error("items[" + std::to_string(i) + "]", "needs product_id and quantity");
      items.push_back({std::move(product_id), quantity});
    }
  }
  fields.throw_if_invalid();

  std::optional<net::Response> refused;
  std::vector<ReservedLine> reserved;
  try {
    auto call = call_context(context);
    reserved = co_await stock.reserve(order_id, std::move(items), std::chrono::milliseconds(ttl_ms), std::move(call));
  } catch (const OutOfStock& error) {
    refused = product_problem(409, wire::kOutOfStock, "Out of stock", error.product_id);
  } catch (const UnknownProduct& error) {
    refused = product_problem(422, wire::kUnknownProduct, "Unknown product", error.product_id);
  } catch (const ReservationGone&) {
    refused = gone(order_id);
  }
  if (refused) co_return std::move(*refused);
  json::array lines;
  for (const auto& line : reserved) lines.push_back(line_json(line));
  json::object answer{{"order_id", order_id}, {"lines", std::move(lines)}};
  co_return net::Response::json(200, json::serialize(answer));
}

}  // namespace

void add_internal_stock_routes(net::Router& router, StockReservations& stock) {
  const std::string base(wire::kReservations);
  router.add("POST", base,
             [&stock](net::RequestContext& context, net::Request& request) -> asio::awaitable<net::Response> {
               co_return co_await reserve(stock, context, request);
             });
  router.add("POST", base + "/{order_id}/confirm",
             [&stock](net::RequestContext& context, net::Request&) -> asio::awaitable<net::Response> {
               const auto order_id = order_id_param(context);
               if (!order_id) co_return no_such_reservation();
               bool is_gone = false;
               try {
                 auto call = call_context(context);
                 co_await stock.confirm(*order_id, std::move(call));
               } catch (const ReservationGone&) {
                 is_gone = true;
               }
               if (is_gone) co_return gone(*order_id);
               co_return net::Response::empty(204);
             });
  router.add("POST", base + "/{order_id}/release",
             [&stock](net::RequestContext& context, net::Request&) -> asio::awaitable<net::Response> {
               const auto order_id = order_id_param(context);
               if (!order_id) co_return no_such_reservation();
               auto call = call_context(context);
               co_await stock.release(*order_id, std::move(call));
               co_return net::Response::empty(204);
             });
}

}  // namespace orderly::catalog
