#pragma once

#include <string_view>

#include <boost/json/object.hpp>

#include "auth/auth_service.hpp"
#include "net/http_message.hpp"

// Answers that several of auth's route files give alike.
namespace orderly::auth {

// A JSON answer with Cache-Control: no-store: tokens, codes and personal
// data must not sit in shared caches (RFC 6749 5.1).
[[nodiscard]] net::Response json_response(int status, const boost::json::object& body);
// 200 {access_token, token_type: "Bearer", expires_in, refresh_token}: the end of a login.
[[nodiscard]] net::Response token_response(const TokenPair& tokens);
// 503 with Retry-After: hashing is shed, not queued without end, when the pool is full.
[[nodiscard]] net::Response overloaded_response(std::string_view what);

}  // namespace orderly::auth
