#pragma once

#include <string_view>

#include "gateway/gateway_config.hpp"
#include "net/http_message.hpp"
#include "net/request_context.hpp"

// How a request and its answer change on their way through the gateway.
namespace orderly::gateway {

// Headers a client may never send upstream itself: the gateway sets the user
// from a verified token (routes with auth: required) or not at all, and the
// roles never (they need the token-version check that services make).
inline constexpr std::string_view kUserHeader = "X-Orderly-User";
inline constexpr std::string_view kRolesHeader = "X-Orderly-Roles";

// Removes the hop-by-hop fields (RFC 9110 7.6.1): Connection and every field
// it names, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding,
// Upgrade, Proxy-Authorization, Proxy-Authenticate.
void strip_hop_by_hop(net::Headers& headers);

// The request to send upstream: the client's method, path (minus the
// route's strip_prefix) and query, and its end-to-end headers; the identity
// headers removed; X-Forwarded-For (appended), X-Forwarded-Proto,
// X-Forwarded-Host, X-Request-Id and traceparent (this request's span as the
// parent) set. The Host header is kept as the client sent it.
[[nodiscard]] net::Request upstream_request(const net::Request& request, const net::RequestContext& context,
                                            const RouteConfig& route, bool https);

// The upstream's answer, made ready for the client: hop-by-hop fields, and
// Date and Server (the server adds its own), removed.
void prepare_downstream(net::Response& response);

// resilience::is_retry_safe for this request (its method, and whether it
// carries an Idempotency-Key): safe to send twice, so safe to retry after it
// may have reached an upstream.
[[nodiscard]] bool is_retry_safe(const net::Request& request);

}  // namespace orderly::gateway
