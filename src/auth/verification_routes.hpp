#pragma once

#include "auth/audit_log.hpp"
#include "auth/email_verifications.hpp"
#include "auth/user_store.hpp"
#include "core/metrics.hpp"
#include "net/router.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::auth {

struct VerificationRouteDependencies {
  EmailVerifications& verifications;
  UserStore& users;
  resilience::RateLimiter& resend_per_account;  // auth.verification_resend_per_account
  core::metrics::Registry& metrics;
  AuditLog& audit;  // verifications
};

// Adds POST /api/v1/auth/verify-email ({token} → 204; 400 for an unknown,
// used or expired token, one answer for the three) and
// /verify-email/resend (a logged-in user → 202, a new link mailed unless the
// address is verified already; 429 over the per-account limit). The first
// link is mailed by signup. Metrics:
// orderly_auth_email_verifications_total{kind,outcome}.
void add_verification_routes(net::Router& router, VerificationRouteDependencies dependencies);

}  // namespace orderly::auth
