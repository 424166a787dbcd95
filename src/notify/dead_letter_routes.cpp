#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>

#include "auth/access.hpp"
#include "core/logging.hpp"
#include "core/problem.hpp"
#include "notify/notification_routes.hpp"
#include "notify/page_request.hpp"

namespace orderly::notify {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Dead letters one "replay all" request puts back at most; the admin repeats it for more.
constexpr std::size_t kMaxReplayAll = 10'000;

// Type and ids only: the payload and the trace context stay out.
json::object to_json(const queue::DeadLetter& dead) {
  return json::object{{"id", dead.message.id},
                      {"queue", dead.message.queue},
                      {"type", dead.message.type},
                      {"schema_version", dead.message.schema_version},
                      {"attempts", dead.attempts},
                      {"last_error", dead.last_error},
                      {"created_at", dead.message.created_at}};
}

std::optional<std::string> queue_parameter(std::string_view query) {
  if (query.empty()) return std::nullopt;
  for (const auto& param : boost::urls::params_view(query)) {
    if (param.key == "queue") return param.value;
  }
  return std::nullopt;
}

}  // namespace

void add_dead_letter_routes(net::Router& router, queue::Broker& broker, std::span<const std::string> queues) {
  auto list = [&broker, queues](net::RequestContext&, net::Request& request) -> asio::awaitable<net::Response> {
    const auto page = parse_page_request(request.query);  // validates the query string too
    const auto only = queue_parameter(request.query);
    if (only && std::find(queues.begin(), queues.end(), *only) == queues.end()) {
      throw core::ProblemError({422, "/problems/validation", "Invalid request", "a query parameter is invalid",
                                {{"queue", "is not one of the platform's queues"}}});
    }
    json::array items;
    for (const auto& queue : queues) {
      if (only && queue != *only) continue;
      const auto dead = co_await broker.dead_letters(queue, page.limit);
      for (const auto& letter : dead) items.push_back(to_json(letter));
    }
    json::object body{{"items", std::move(items)}, {"next_cursor", nullptr}};
    co_return net::Response::json(200, json::serialize(body));
  };
  auto replay = [&broker](net::RequestContext& context, net::Request&) -> asio::awaitable<net::Response> {
    const std::string id(context.param("id").value_or(""));
    const bool replayed = co_await broker.replay(id);
    if (!replayed) {
      throw core::ProblemError({404, "/problems/not-found", "Not found", "no dead letter has this id", {}});
    }
    core::log::info("queue.dead_letter_replayed", {{"message_id", id}, {"by", auth::caller(context).user_id}});
    json::object body{{"id", id}, {"status", "replayed"}};
    co_return net::Response::json(202, json::serialize(body));
  };
  // Every dead letter of one queue, as it stood when the request came: the
  // ids are read once (at most kMaxReplayAll), so a message that fails again
  // and comes back meanwhile is not replayed twice in one request.
  auto replay_all = [&broker, queues](net::RequestContext& context,
                                      net::Request& request) -> asio::awaitable<net::Response> {
    const auto only = queue_parameter(request.query);
    if (!only || std::find(queues.begin(), queues.end(), *only) == queues.end()) {
      throw core::ProblemError({422, "/problems/validation", "Invalid request", "a query parameter is invalid",
                                {{"queue", "must name one of the platform's queues"}}});
    }
    const auto dead = co_await broker.dead_letters(*only, kMaxReplayAll);
    std::int64_t replayed = 0;
    for (const auto& letter : dead) {
      if (co_await broker.replay(letter.message.id)) ++replayed;
    }
    core::log::info("queue.dead_letters_replayed",
                    {{"queue", *only}, {"count", replayed}, {"by", auth::caller(context).user_id}});
    json::object body{{"queue", *only}, {"replayed", replayed}};
    co_return net::Response::json(202, json::serialize(body));
  };
  router.add("GET", "/api/v1/admin/dlq", auth::require_role(std::string(auth::kAdminRole), std::move(list)));
  router.add("POST", "/api/v1/admin/dlq/replay",
             auth::require_role(std::string(auth::kAdminRole), std::move(replay_all)));
  router.add("POST", "/api/v1/admin/dlq/{id}/replay",
             auth::require_role(std::string(auth::kAdminRole), std::move(replay)));
}

}  // namespace orderly::notify
