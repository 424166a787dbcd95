#pragma once

#include "auth/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "auth/email_verifications.hpp"
#include "auth/key_ring.hpp"
#include "auth/login_throttle.hpp"
#include "auth/mfa_service.hpp"
#include "core/metrics.hpp"
#include "net/router.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::auth {

struct AuthRouteDependencies {
  AuthService& service;
  const KeyRing& keys;
  LoginThrottle& throttle;
  resilience::RateLimiter& signup_per_address;
  core::metrics::Registry& metrics;
  EmailVerifications& verifications;  // signup mails the first link
  AuditLog& audit;
  MfaService& mfa;  // a login of an account with MFA on answers with one of its challenges
};

// Adds the Auth rows of API.md to `router`: signup, login, refresh, logout,
// logout-all (Accounts), me, the JWKS document and the admin roles endpoint. Signups, logins (both
// outcomes), logout-all and role changes are appended to the audit log. The dependencies must
// outlive the router. A login of an account with MFA on answers
// {mfa_required: true, challenge, expires_in} instead of tokens (mfa_routes.hpp
// completes it). Metrics: orderly_auth_logins_total{outcome} (success,
// second_factor_needed, wrong_credentials, rate_limited, shed),
// orderly_auth_refresh_total{outcome}.
void add_auth_routes(net::Router& router, AuthRouteDependencies dependencies);

}  // namespace orderly::auth
