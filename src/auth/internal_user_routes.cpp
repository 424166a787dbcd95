#include "auth/internal_user_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace orderly::auth {

void add_internal_user_routes(net::Router& router, UserDirectory& users) {
  router.add("GET", "/internal/v1/users/{user_id}/contact",
             [&users](net::RequestContext& context, net::Request&) -> boost::asio::awaitable<net::Response> {
               auto user_id = std::string(context.param("user_id").value_or(""));
               core::CallContext call{context.request_id, context.trace.traceparent(), std::nullopt};
               const auto contact = co_await users.contact(std::move(user_id), std::move(call));
               if (!contact) co_return net::Response::problem(404, "/problems/not-found", "Not found", "no such user");
               boost::json::object body{
                   {"email", contact->email}, {"name", contact->name}, {"email_verified", contact->email_verified}};
               co_return net::Response::json(200, boost::json::serialize(body));
             });
  router.add("GET", "/internal/v1/users/{user_id}/token-version",
             [&users](net::RequestContext& context, net::Request&) -> boost::asio::awaitable<net::Response> {
               auto user_id = std::string(context.param("user_id").value_or(""));
               core::CallContext call{context.request_id, context.trace.traceparent(), std::nullopt};
               const auto version = co_await users.token_version(std::move(user_id), std::move(call));
               if (!version) co_return net::Response::problem(404, "/problems/not-found", "Not found", "no such user");
               boost::json::object body{{"token_version", *version}};
               co_return net::Response::json(200, boost::json::serialize(body));
             });
}

}  // namespace orderly::auth
