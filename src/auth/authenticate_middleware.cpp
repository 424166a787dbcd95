#include "auth/authenticate_middleware.hpp"

#include <cctype>

#include "auth/access.hpp"
#include "core/service_unavailable.hpp"

namespace orderly::auth {

// One space after the scheme, then the token (extra spaces are tolerated).
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  auto token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

boost::asio::awaitable<std::optional<std::string>> AuthenticateMiddleware::stale_admin(
    const net::RequestContext& context, std::int64_t token_version) {
  if (versions_ == nullptr) co_return std::nullopt;
  try {
    core::CallContext call{context.request_id, context.trace.traceparent(), std::nullopt};
    const auto current = co_await versions_->token_version(context.principal->user_id, std::move(call));
    if (current && *current == token_version) co_return std::nullopt;
    co_return std::string("stale_admin");
  } catch (const std::exception&) {
    // Fail closed (auth unreachable, a store error): without an answer the
    // admin role is not granted; the request goes on as the other roles.
    co_return std::string("admin_unverified");
  }
}

AuthenticateMiddleware::AuthenticateMiddleware(const TokenVerifier& verifier, core::metrics::Registry& metrics,
                                               UserDirectory* versions, AuthenticateOptions options)
    : verifier_(verifier),
      versions_(versions),
      options_(options),
      rejections_(metrics.counter("orderly_auth_token_rejections_total",
                                  "Access tokens refused, by reason (expired, bad signature, ...).", {"reason"})) {}

boost::asio::awaitable<void> AuthenticateMiddleware::authenticate(net::RequestContext& context,
                                                                  const net::Request& request) {
  if (const auto header = request.headers.get("Authorization")) {
    if (const auto token = bearer_token(*header)) {
      try {
        auto claims = verifier_.verify(*token);
        context.principal = net::Principal{std::move(claims.subject), std::move(claims.roles)};
        context.principal->session_id = std::move(claims.session_id);
        if (context.principal->has_role(kAdminRole)) {
          if (const auto refusal = co_await stale_admin(context, claims.token_version)) {
            std::erase(context.principal->roles, std::string(kAdminRole));
            rejections_.with_labels({*refusal}).inc();
          } else if (options_.require_mfa_for_admin && !claims.second_factor) {
            std::erase(context.principal->roles, std::string(kAdminRole));
            context.principal->withheld_role = kAdminRole;
            context.principal->withheld_because = "mfa_required";
            rejections_.with_labels({"mfa_required"}).inc();
          }
        }
      } catch (const TokenError& error) {
        context.authentication_failure = std::string(to_string(error.failure()));
        rejections_.with_labels({context.authentication_failure}).inc();
      }
    } else {
      context.authentication_failure = "the Authorization header must be: Bearer <access token>";
      rejections_.with_labels({"not_bearer"}).inc();
    }
  }
}

boost::asio::awaitable<net::Response> AuthenticateMiddleware::handle(net::RequestContext& context,
                                                                     net::Request& request, net::Next next) {
  co_await authenticate(context, request);
  co_return co_await next(context, request);
}

net::Handler authenticated(std::shared_ptr<AuthenticateMiddleware> authenticate, net::Handler handler) {
  return [authenticate = std::move(authenticate), handler = std::move(handler)](
             net::RequestContext& context, net::Request& request) -> boost::asio::awaitable<net::Response> {
    co_await authenticate->authenticate(context, request);
    co_return co_await handler(context, request);
  };
}


}  // namespace orderly::auth
