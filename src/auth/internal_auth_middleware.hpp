#pragma once

#include <string>
#include <vector>

#include "auth/token_verifier.hpp"
#include "core/metrics.hpp"
#include "net/pipeline.hpp"

namespace orderly::auth {

// The gate of a process's internal listener: every request needs
// `Authorization: Bearer <service credential>` (ServiceTokens) whose aud is
// a service hosted here and whose role is "service", else 401 with
// WWW-Authenticate. Two paths of auth's own internal API are open, because
// they are how a service gets its credentials: POST
// /internal/v1/service-tokens (checked against the internal secret by its
// handler) and GET /internal/v1/jwks (public keys). Refusals are counted in
// orderly_internal_auth_rejections_total{reason}.
class InternalAuthMiddleware final : public net::Middleware {
 public:
  // One verifier per hosted service, each checking aud = that service's name;
  // they must outlive the middleware.
  InternalAuthMiddleware(std::vector<const TokenVerifier*> verifiers, core::metrics::Registry& metrics);
  boost::asio::awaitable<net::Response> handle(net::RequestContext& context, net::Request& request,
                                               net::Next next) override;

 private:
  std::vector<const TokenVerifier*> verifiers_;
  core::metrics::Family<core::metrics::Counter>& rejections_;
};

}  // namespace orderly::auth
