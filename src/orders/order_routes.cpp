#include "orders/order_routes.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>

#include "auth/access.hpp"
#include "core/problem.hpp"
#include "orders/order_json.hpp"
#include "orders/order_repository.hpp"
#include "orders/order_status_stream.hpp"

namespace orderly::orders {
namespace {

namespace asio = boost::asio;
using net::Request;
using net::RequestContext;
using net::Response;

constexpr std::int64_t kDefaultPageSize = 20;
constexpr std::int64_t kMaxPageSize = 100;

[[noreturn]] void throw_not_found() {
  throw core::ProblemError({404, "/problems/not-found", "Not found", "no such order", {}});
}

std::string order_id_of(const RequestContext& context) { return std::string(context.param("id").value_or("")); }

// Another customer's order does not exist, as far as the caller can tell.
void check_visible(const RequestContext& context, const Order& order) {
  if (order.user_id != auth::caller(context).user_id && !auth::is_admin(context)) throw_not_found();
}

Response order_response(int status, const Order& order) {
  return Response::json(status, boost::json::serialize(order_json(order, true)));
}

struct ListQuery {
  std::int64_t limit = kDefaultPageSize;
  std::optional<std::string> cursor;
  std::optional<std::string> user_id;
  std::optional<std::string> status;
};

// The statuses an order can be in (order.hpp, and those of API.md's later rows).
bool is_order_status(std::string_view status) {
  static constexpr std::string_view kStatuses[] = {kPendingPayment, kPaid, kShipped, kCancelled,
                                                   "partially_shipped", "delivered", "refunded",
                                                   "partially_refunded"};
  return std::find(std::begin(kStatuses), std::end(kStatuses), status) != std::end(kStatuses);
}

ListQuery parse_list_query(std::string_view query) {
  ListQuery parsed;
  std::vector<core::Problem::FieldError> errors;
  try {
    for (const auto& param : boost::urls::params_view(query)) {
      if (param.key == "limit") {
        std::int64_t limit = 0;
        const auto& text = param.value;
        const bool digits = !text.empty() && text.size() <= 4 &&
                            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits) limit = std::stoll(text);
        if (!digits || limit < 1 || limit > kMaxPageSize) {
          errors.push_back({"limit", "must be an integer from 1 to 100"});
        } else {
          parsed.limit = limit;
        }
      } else if (param.key == "cursor") {
        parsed.cursor = param.value;
      } else if (param.key == "user_id") {
        parsed.user_id = param.value;
      } else if (param.key == "status") {
        if (is_order_status(param.value)) {
          parsed.status = param.value;
        } else {
          errors.push_back({"status", "must be an order status such as pending_payment, paid, shipped or cancelled"});
        }
      }
    }
  } catch (const std::exception&) {
    errors.push_back({"query", "is not a valid query string"});
  }
  if (!errors.empty()) {
    throw core::ProblemError({422, "/problems/validation", "Invalid query", "some parameters are invalid",
                              std::move(errors)});
  }
  return parsed;
}

}  // namespace

void add_order_routes(net::Router& router, OrderService& service, store::Store& store,
                      OrderStatusStreams& streams) {
  router.add("POST", "/api/v1/orders",
             auth::require_user([&service](RequestContext& context, Request& request) -> asio::awaitable<Response> {
               const auto key = request.headers.get("Idempotency-Key");
               if (!key || !is_valid_idempotency_key(*key)) {
                 throw core::ProblemError({400, "/problems/idempotency-key-required", "Idempotency-Key required",
                                           "send an Idempotency-Key header of 1 to 255 visible ASCII characters",
                                           {}});
               }
               auto parsed = parse_create_order(request);
               auto fingerprint = request_fingerprint(request.method, request.path, request.body);
               auto user_id = auth::caller(context).user_id;
               auto idempotency_key = std::string(*key);
               auto traceparent = context.trace.traceparent();
               auto placed = co_await service.place(std::move(user_id), std::move(idempotency_key),
                                                    std::move(fingerprint), std::move(parsed),
                                                    std::move(traceparent));
               Response response = Response::text(placed.response.status, std::move(placed.response.body),
                                                  placed.response.content_type);
               if (placed.response.location) response.headers.set("Location", *placed.response.location);
               if (placed.replayed) response.headers.set("Idempotent-Replayed", "true");
               co_return response;
             }));

  router.add("GET", "/api/v1/orders",
             auth::require_user([&store](RequestContext& context, Request& request) -> asio::awaitable<Response> {
               auto query = parse_list_query(request.query);
               std::optional<std::string> owner = auth::caller(context).user_id;
               if (auth::is_admin(context)) owner = query.user_id;  // admins see everyone's, or one user's
               repository::OrderPage page;
               bool bad_cursor = false;
               try {
                 page = co_await repository::list_orders(store, owner, query.cursor, query.limit, query.status);
               } catch (const std::invalid_argument&) {
                 bad_cursor = true;
               }
               if (bad_cursor) {
                 throw core::ProblemError({422, "/problems/validation", "Invalid query", "bad cursor",
                                           {{"cursor", "is not a cursor from a previous page"}}});
               }
               boost::json::array items;
               for (const auto& order : page.orders) items.push_back(order_json(order, false));
               boost::json::object body{{"items", std::move(items)}, {"next_cursor", nullptr}};
               if (page.next_cursor) body["next_cursor"] = *page.next_cursor;
               co_return Response::json(200, boost::json::serialize(body));
             }));

  router.add("GET", "/api/v1/orders/{id}",
             auth::require_user([&service](RequestContext& context, Request&) -> asio::awaitable<Response> {
               auto order = co_await service.find(order_id_of(context));
               if (!order) throw_not_found();
               check_visible(context, *order);
               co_return order_response(200, *order);
             }));

  router.add("GET", "/api/v1/orders/{id}/events",
             auth::require_user([&service, &streams](RequestContext& context,
                                                     Request& request) -> asio::awaitable<Response> {
               const auto last_event_id = parse_last_event_id(request.headers.get("Last-Event-ID"));
               auto order = co_await service.find(order_id_of(context));
               if (!order) throw_not_found();
               check_visible(context, *order);
               co_return streams.open(*order, last_event_id);
             }));

  router.add("POST", "/api/v1/orders/{id}/cancel",
             auth::require_user([&service](RequestContext& context, Request&) -> asio::awaitable<Response> {
               auto order_id = order_id_of(context);
               const auto current = co_await service.find(order_id);
               if (!current) throw_not_found();
               check_visible(context, *current);
               auto traceparent = context.trace.traceparent();
               const auto cancelled = co_await service.cancel(std::move(order_id), std::move(traceparent));
               co_return order_response(200, cancelled);
             }));

  router.add("POST", "/api/v1/orders/{id}/ship",
             auth::require_role("admin", [&service](RequestContext& context, Request&) -> asio::awaitable<Response> {
               auto order_id = order_id_of(context);
               auto traceparent = context.trace.traceparent();
               const auto shipped = co_await service.ship(std::move(order_id), std::move(traceparent));
               co_return order_response(200, shipped);
             }));

  router.add("GET", "/api/v1/orders/{id}/payment",
             auth::require_user([&service, &store](RequestContext& context, Request&) -> asio::awaitable<Response> {
               auto order_id = order_id_of(context);
               const auto order = co_await service.find(order_id);
               if (!order) throw_not_found();
               check_visible(context, *order);
               const auto payment = co_await repository::find_payment(store, order_id);
               if (!payment) throw_not_found();
               co_return Response::json(200, boost::json::serialize(payment_json(*payment)));
             }));
}

}  // namespace orderly::orders
