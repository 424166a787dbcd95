#include "auth/internal_token_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "auth/jwks.hpp"
#include "core/logging.hpp"
#include "net/json_body.hpp"

namespace orderly::auth {

void add_internal_token_routes(net::Router& router, const ServiceTokens& tokens, const KeyRing& keys) {
  router.add("POST", "/internal/v1/service-tokens",
             [&tokens](net::RequestContext&, net::Request& request) -> boost::asio::awaitable<net::Response> {
               const auto body = net::parse_json_object(request);
               net::FieldReader fields(body);
               auto caller = fields.required_string("caller", 32);
               auto audience = fields.required_string("audience", 32);
               const auto secret = fields.required_string("secret", 1024);
               fields.throw_if_invalid();
               if (!tokens.secret_matches(secret)) {
                 core::log::warn("auth.service_token_refused", {{"caller", caller}, {"reason", "wrong secret"}});
                 co_return net::Response::problem(401, "/problems/unauthorized", "Unauthorized",
                                                  "wrong internal secret");
               }
               if (!is_service_name(caller) || !is_service_name(audience)) {
                 co_return net::Response::problem(422, "/problems/validation", "Invalid request",
                                                  "caller and audience are service names");
               }
               const auto issued = tokens.issue(caller, audience);
               boost::json::object answer{{"token", issued.token}, {"expires_in", issued.expires_in.count()}};
               co_return net::Response::json(200, boost::json::serialize(answer));
             });
  router.add("GET", "/internal/v1/jwks",
             [&keys](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
               co_return net::Response::json(200, render_jwks(keys.verification_keys()));
             });
}

}  // namespace orderly::auth
