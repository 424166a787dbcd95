#include "notify/notification_routes.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/access.hpp"
#include "core/problem.hpp"
#include "notify/notification_store.hpp"
#include "notify/page_request.hpp"

namespace orderly::notify {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

json::object to_json(const Notification& notification) {
  return json::object{{"id", notification.id},
                      {"order_id", notification.order_id},
                      {"channel", notification.channel},
                      {"template", notification.template_name},
                      {"status", notification.status},
                      {"attempts", notification.attempts},
                      {"created_at", notification.created_at}};
}

}  // namespace

void add_notification_routes(net::Router& router, store::Store& store) {
  auto list = [&store](net::RequestContext& context, net::Request& request) -> asio::awaitable<net::Response> {
    const auto page = parse_page_request(request.query);
    std::optional<NotificationCursor> after;
    if (page.cursor) {
      const auto decoded = decode_cursor(*page.cursor);
      if (!decoded) {
        throw core::ProblemError({422, "/problems/validation", "Invalid request", "a query parameter is invalid",
                                  {{"cursor", "is not a cursor this listing returned"}}});
      }
      after = NotificationCursor{decoded->first, decoded->second};
    }
    NotificationStore notifications(store);
    std::string user_id = auth::caller(context).user_id;
    const auto found = co_await notifications.list_for_user(std::move(user_id), page.limit, std::move(after));
    json::array items;
    for (const auto& notification : found.items) items.push_back(to_json(notification));
    json::object body{{"items", std::move(items)}, {"next_cursor", nullptr}};
    if (found.next) body["next_cursor"] = encode_cursor(found.next->created_at, found.next->id);
    co_return net::Response::json(200, json::serialize(body));
  };
  router.add("GET", "/api/v1/notifications", auth::require_user(std::move(list)));
}

}  // namespace orderly::notify
