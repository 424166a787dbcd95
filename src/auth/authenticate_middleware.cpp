#include "auth/authenticate_middleware.hpp"

#include <cctype>

namespace orderly::auth {
namespace {

// RFC 6750 2.1: the scheme is case-insensitive; one space, then the token.
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

}  // namespace

AuthenticateMiddleware::AuthenticateMiddleware(const TokenVerifier& verifier, core::metrics::Registry& metrics)
    : verifier_(verifier),
      rejections_(metrics.counter("orderly_auth_token_rejections_total",
                                  "Access tokens refused, by reason (expired, bad signature, ...).", {"reason"})) {}

boost::asio::awaitable<net::Response> AuthenticateMiddleware::handle(net::RequestContext& context,
                                                                     net::Request& request, net::Next next) {
  if (const auto header = request.headers.get("Authorization")) {
    if (const auto token = bearer_token(*header)) {
      try {
        auto claims = verifier_.verify(*token);
        context.principal = net::Principal{std::move(claims.subject), std::move(claims.roles)};
      } catch (const TokenError& error) {
        context.authentication_failure = std::string(to_string(error.failure()));
        rejections_.with_labels({context.authentication_failure}).inc();
      }
    } else {
      context.authentication_failure = "the Authorization header must be: Bearer <access token>";
      rejections_.with_labels({"not_bearer"}).inc();
    }
  }
  co_return co_await next(context, request);
}

}  // namespace orderly::auth
