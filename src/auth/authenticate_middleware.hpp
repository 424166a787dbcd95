#pragma once

#include "auth/api/user_directory.hpp"
#include "auth/token_verifier.hpp"
#include "core/metrics.hpp"
#include "net/pipeline.hpp"
#include "net/router.hpp"

namespace orderly::auth {

// The token of an `Authorization: Bearer <token>` value (RFC 6750 2.1: the
// scheme is case-insensitive), or nullopt when it is not one.
[[nodiscard]] std::optional<std::string_view> bearer_token(std::string_view authorization_header);

// Reads `Authorization: Bearer <access token>`, verifies it, and puts the
// caller into context.principal. It never answers by itself: a request
// without a token, or with a bad one, goes on without a principal (the
// reason in context.authentication_failure), and the route's guard
// (require_user, require_role) turns that into a 401 only where a user is
// needed. Rejections are counted by reason in
// orderly_auth_token_rejections_total{reason}.
//
// A token that claims the admin role is checked against the user's token
// version now (`versions`: auth's table in-process, or auth's internal API
// from another service): when a role or password change raised it since the
// token was issued, or auth cannot tell, the principal keeps every role but
// admin (reason stale_admin or admin_unverified). So a demotion takes effect
// on admin routes at once; other tokens live out their lifetime
// (auth.access_token_ttl, 15 minutes by default). Without `versions` (the
// gateway, which cannot reach auth's internal API) no check is made.
// Wraps one handler in the same check, for a process whose pipeline has no
// AuthenticateMiddleware (the gateway's own routes). With `versions` null the
// admin claim is honoured for the token's lifetime.
class AuthenticateMiddleware;
[[nodiscard]] net::Handler authenticated(std::shared_ptr<AuthenticateMiddleware> authenticate, net::Handler handler);

struct AuthenticateOptions {
  // auth.require_mfa_for_admin: an admin token without the second factor
  // (amr "otp") keeps every role but admin (reason mfa_required), and the
  // admin guard answers 403 /problems/mfa-required.
  bool require_mfa_for_admin = false;
};

class AuthenticateMiddleware final : public net::Middleware {
 public:
  AuthenticateMiddleware(const TokenVerifier& verifier, core::metrics::Registry& metrics,
                         UserDirectory* versions = nullptr, AuthenticateOptions options = {});
  boost::asio::awaitable<net::Response> handle(net::RequestContext& context, net::Request& request,
                                               net::Next next) override;
  // Fills context.principal (or context.authentication_failure) from the request.
  boost::asio::awaitable<void> authenticate(net::RequestContext& context, const net::Request& request);

 private:
  // The reason an admin claim is not honoured, or nullopt when it is current.
  boost::asio::awaitable<std::optional<std::string>> stale_admin(const net::RequestContext& context,
                                                                 std::int64_t token_version);

  const TokenVerifier& verifier_;
  UserDirectory* versions_;
  AuthenticateOptions options_;
  core::metrics::Family<core::metrics::Counter>& rejections_;
};

}  // namespace orderly::auth
