#include "auth/auth_responses.hpp"

#include <string>

#include <boost/json/serialize.hpp>

namespace orderly::auth {

net::Response json_response(int status, const boost::json::object& body) {
  auto response = net::Response::json(status, boost::json::serialize(body));
  response.headers.set("Cache-Control", "no-store");
  return response;
}

net::Response token_response(const TokenPair& tokens) {
  return json_response(200, {{"access_token", tokens.access_token},
                             {"token_type", "Bearer"},
                             {"expires_in", tokens.expires_in.count()},
                             {"refresh_token", tokens.refresh_token}});
}

net::Response overloaded_response(std::string_view what) {
  auto response = net::Response::problem(503, "/problems/overloaded", "Overloaded",
                                         "too many " + std::string(what) + " in progress; retry shortly");
  response.headers.set("Retry-After", "1");
  return response;
}

}  // namespace orderly::auth
