#pragma once

#include "auth/token_verifier.hpp"
#include "core/metrics.hpp"
#include "net/pipeline.hpp"

namespace orderly::auth {

// Reads `Authorization: Bearer <access token>`, verifies it, and puts the
// caller into context.principal. It never answers by itself: a request
// without a token, or with a bad one, goes on without a principal (the
// reason in context.authentication_failure), and the route's guard
// (require_user, require_role) turns that into a 401 only where a user is
// needed. Rejections are counted by reason in
// orderly_auth_token_rejections_total{reason}.
class AuthenticateMiddleware final : public net::Middleware {
 public:
  AuthenticateMiddleware(const TokenVerifier& verifier, core::metrics::Registry& metrics);
  boost::asio::awaitable<net::Response> handle(net::RequestContext& context, net::Request& request,
                                               net::Next next) override;

 private:
  const TokenVerifier& verifier_;
  core::metrics::Family<core::metrics::Counter>& rejections_;
};

}  // namespace orderly::auth
