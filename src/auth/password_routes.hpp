#pragma once

#include "auth/audit_log.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_service.hpp"
#include "core/metrics.hpp"
#include "net/router.hpp"
#include "resilience/rate_limiter.hpp"

namespace orderly::auth {

struct PasswordRouteDependencies {
  PasswordService& service;
  LoginThrottle& throttle;                     // guesses at the current password count as logins
  resilience::RateLimiter& reset_per_address;  // reset requests and confirmations from one address
  resilience::RateLimiter& reset_per_account;  // reset mails to one account
  core::metrics::Registry& metrics;
  AuditLog& audit;  // changes, wrong current passwords and resets
};

// Adds POST /api/v1/auth/password, /password-reset and /password-reset/confirm
// (API.md, "Accounts"). A reset request answers 202 before anything is looked
// up: whether the account exists changes neither the answer nor its timing,
// and the lookup and mail run afterwards. Metrics:
// orderly_auth_password_changes_total{kind,outcome}.
void add_password_routes(net::Router& router, PasswordRouteDependencies dependencies);

}  // namespace orderly::auth
