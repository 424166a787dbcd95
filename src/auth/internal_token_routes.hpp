#pragma once

#include "auth/key_ring.hpp"
#include "auth/service_tokens.hpp"
#include "net/router.hpp"

namespace orderly::auth {

// How services get and check their credentials, on auth's internal listener:
//   POST /internal/v1/service-tokens {caller, audience, secret}
//        -> 200 {token, expires_in}; 401 for a wrong secret; 422 for a bad name
//   GET  /internal/v1/jwks -> the verification keys (the public JWKS, for
//        services that verify tokens without auth's key ring)
// Both are open on the internal listener (InternalAuthMiddleware): the
// first checks the secret itself. `tokens` and `keys` must outlive the router.
void add_internal_token_routes(net::Router& router, const ServiceTokens& tokens, const KeyRing& keys);

}  // namespace orderly::auth
