#include "auth/internal_auth_middleware.hpp"

#include <algorithm>
#include <optional>

#include "auth/service_tokens.hpp"

namespace orderly::auth {
namespace {

net::Response unauthorized(std::string_view reason) {
  auto response = net::Response::problem(401, "/problems/unauthorized", "Unauthorized",
                                         "an internal call needs a service credential for this service");
  response.headers.set("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"" +
                                               std::string(reason) + "\"");
  return response;
}

}  // namespace

InternalAuthMiddleware::InternalAuthMiddleware(std::vector<const TokenVerifier*> verifiers,
                                               core::metrics::Registry& metrics)
    : verifiers_(std::move(verifiers)),
      rejections_(metrics.counter("orderly_internal_auth_rejections_total",
                                  "Internal calls refused for their service credential, by reason.", {"reason"})) {}

boost::asio::awaitable<net::Response> InternalAuthMiddleware::handle(net::RequestContext& context,
                                                                     net::Request& request, net::Next next) {
  const bool open = (request.method == "POST" && request.path == "/internal/v1/service-tokens") ||
                    (request.method == "GET" && request.path == "/internal/v1/jwks");
  if (open) co_return co_await next(context, request);
  const auto header = request.headers.get("Authorization").value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view reason;
  if (!header.starts_with(kBearer)) {
    reason = "missing";
  } else {
    // A token for another audience fails every verifier; the reason kept is
    // the most telling one (a bad signature over a wrong audience).
    reason = "wrong_audience";
    std::optional<AccessClaims> claims;
    for (const auto* verifier : verifiers_) {
      try {
        claims = verifier->verify(header.substr(kBearer.size()));
        break;
      } catch (const TokenError& error) {
        if (error.failure() != TokenFailure::wrong_audience) reason = to_string(error.failure());
      }
    }
    if (claims) {
      const bool is_service = std::find(claims->roles.begin(), claims->roles.end(), kServiceRole) != claims->roles.end();
      if (is_service) {
        context.principal = net::Principal{claims->subject, claims->roles};
        co_return co_await next(context, request);
      }
      reason = "not_a_service";
    }
  }
  rejections_.with_labels({std::string(reason)}).inc();
  co_return unauthorized(reason);
}

}  // namespace orderly::auth
