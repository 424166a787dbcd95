#include "auth/session_routes.hpp"

#include <chrono>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/access.hpp"
#include "auth/authenticate_middleware.hpp"
#include "auth/request_audit.hpp"
#include "core/logging.hpp"
#include "core/time_format.hpp"

namespace orderly::auth {
namespace {

using boost::asio::awaitable;

// Family ids are 16 random bytes in base64url (22 characters); anything
// else names no session and is not worth a query.
constexpr std::size_t kMaxSessionIdBytes = 64;

bool plausible_session_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxSessionIdBytes) return false;
  for (const char c : id) {
    const bool base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                           c == '_';
    if (!base64url) return false;
  }
  return true;
}

std::string rfc3339_of_ms(std::int64_t ms) {
  return core::format_rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

net::Response no_such_session() {
  return net::Response::problem(404, "/problems/not-found", "Not found", "no such session");
}

class SessionHandlers {
 public:
  explicit SessionHandlers(SessionRouteDependencies deps) : deps_(deps) {}

  awaitable<net::Response> list(net::RequestContext& context, net::Request& request) {
    const auto current = current_session(request);
    const auto sessions = co_await deps_.sessions.list(caller(context).user_id);
    boost::json::array items;
    for (const auto& session : sessions) {
      items.push_back(boost::json::object{{"id", session.id},
                                          {"created_at", rfc3339_of_ms(session.created_at_ms)},
                                          {"last_used_at", rfc3339_of_ms(session.last_used_at_ms)},
                                          {"user_agent", session.user_agent},
                                          {"address", session.address},
                                          {"current", !current.empty() && session.id == current}});
    }
    auto response = net::Response::json(200, boost::json::serialize(boost::json::object{{"items", std::move(items)}}));
    response.headers.set("Cache-Control", "no-store");
    co_return response;
  }

  awaitable<net::Response> revoke(net::RequestContext& context, net::Request& request) {
    const std::string id(context.param("id").value_or(""));
    const auto& user_id = caller(context).user_id;
    const bool revoked = plausible_session_id(id) && co_await deps_.sessions.revoke(user_id, id);
    if (!revoked) {
      core::log::warn("audit.session_revoke", {{"outcome", "not_found"},
                                               {"user_id", user_id},
                                               {"remote_address", request.remote_address},
                                               {"request_id", context.request_id}});
      co_return no_such_session();
    }
    core::log::info("audit.session_revoke",
                    {{"user_id", user_id}, {"session_id", id}, {"request_id", context.request_id}});
    co_await deps_.audit.record(request_audit_event(context, request, "auth.session_revoked", user_id, user_id));
    co_return net::Response::empty(204);
  }

 private:
  // The sid of the caller's access token (require_user has verified it once already).
  std::string current_session(const net::Request& request) const {
    const auto header = request.headers.get("Authorization");
    if (!header) return {};
    const auto token = bearer_token(*header);
    if (!token) return {};
    try {
      return deps_.verifier.verify(*token).session_id;
    } catch (const TokenError&) {
      return {};
    }
  }

  SessionRouteDependencies deps_;
};

template <awaitable<net::Response> (SessionHandlers::*Method)(net::RequestContext&, net::Request&)>
net::Handler bind(const std::shared_ptr<SessionHandlers>& handlers) {
  return [handlers](net::RequestContext& context, net::Request& request) {
    return ((*handlers).*Method)(context, request);
  };
}

}  // namespace

void add_session_routes(net::Router& router, SessionRouteDependencies dependencies) {
  auto handlers = std::make_shared<SessionHandlers>(dependencies);
  router.add("GET", "/api/v1/auth/sessions", require_user(bind<&SessionHandlers::list>(handlers)));
  router.add("DELETE", "/api/v1/auth/sessions/{id}", require_user(bind<&SessionHandlers::revoke>(handlers)));
}

}  // namespace orderly::auth
