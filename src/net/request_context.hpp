#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/trace_context.hpp"
#include "net/http_message.hpp"

namespace orderly::net {

struct Route;

// The caller, once a verified access token says who it is (auth's
// AuthenticateMiddleware, or the gateway's headers in scale-out mode).
struct Principal {
  std::string user_id;
  std::vector<std::string> roles;
  std::string session_id{};  // the token's sid (its refresh family), when it names one
  // Set when the token claims a role that this request does not grant for a
  // reason the caller can fix (auth: "mfa_required"); the role guard names
  // it in its 403 instead of the generic one.
  std::string withheld_role{};
  std::string withheld_because{};

  [[nodiscard]] bool has_role(std::string_view role) const {
    for (const auto& held : roles) {
      if (held == role) return true;
    }
    return false;
  }
};

// What the server knows about one request beyond its bytes. Created by the
// session, filled in by the router and the middleware, read by handlers.
struct RequestContext {
  std::chrono::steady_clock::time_point started;
  bool secure = false;  // arrived over TLS (X-Forwarded-Proto: https)
  std::string request_id;
  core::TraceContext trace;      // this request's span
  const Route* route = nullptr;  // null when no route matched
  std::vector<std::pair<std::string, std::string>> path_params;
  std::string allow;  // set when the path exists but not for this method (405)
  // Set by the session when the request failed before a handler could run
  // (431, 413, 400): the pipeline still adds ids, logs and metrics to it.
  std::optional<Response> early_response;
  std::optional<Principal> principal;  // set when the request carried a valid access token
  // Why a presented token was refused (expired, bad signature, ...); shown in
  // the 401 of a route that needs a user. Never contains the token.
  std::string authentication_failure;

  [[nodiscard]] std::optional<std::string_view> param(std::string_view name) const {
    for (const auto& [key, value] : path_params) {
      if (key == name) return std::string_view(value);
    }
    return std::nullopt;
  }
};

}  // namespace orderly::net
