#pragma once

#include "auth/audit_log.hpp"
#include "auth/sessions.hpp"
#include "auth/token_verifier.hpp"
#include "net/router.hpp"

namespace orderly::auth {

struct SessionRouteDependencies {
  Sessions& sessions;
  const TokenVerifier& verifier;  // reads the sid claim of the caller's own token, to mark its session
  AuditLog& audit;                // revocations
};

// Adds GET /api/v1/auth/sessions ({items: [{id, created_at, last_used_at,
// user_agent, address, current}]}) and DELETE /api/v1/auth/sessions/{id}
// (204; 404 for an id that is not a live session of the caller, whoever's
// it is). A revoked session refreshes no more at once; the access tokens it
// already handed out live out auth.access_token_ttl (15 minutes by default).
// The dependencies must outlive the router.
void add_session_routes(net::Router& router, SessionRouteDependencies dependencies);

}  // namespace orderly::auth
