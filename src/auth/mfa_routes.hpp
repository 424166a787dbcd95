#pragma once

#include "auth/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "auth/login_throttle.hpp"
#include "auth/mfa_service.hpp"
#include "core/metrics.hpp"
#include "net/router.hpp"

namespace orderly::auth {

struct MfaRouteDependencies {
  MfaService& mfa;
  AuthService& service;  // finds the user; opens the session a completed challenge logs into
  LoginThrottle& throttle;
  core::metrics::Registry& metrics;
  AuditLog& audit;
};

// Adds the MFA rows of API.md (Accounts): POST /auth/mfa/totp (enrol),
// POST /auth/mfa/totp/confirm, DELETE /auth/mfa/totp, POST /auth/login/mfa.
// Every code attempt passes the login throttle under the account's own key
// ("mfa:<user id>"), so guessing the six digits is as slow as guessing a
// password. Audit: auth.mfa_enabled, auth.mfa_disabled,
// auth.mfa_recovery_code_used, auth.mfa_code_refused, auth.login_succeeded.
// Metric: orderly_auth_mfa_total{kind, outcome}. No secret, code or
// recovery code reaches a log line or an error body. The dependencies must
// outlive the router.
void add_mfa_routes(net::Router& router, MfaRouteDependencies dependencies);

}  // namespace orderly::auth
