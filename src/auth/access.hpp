#pragma once

#include <string>

#include "net/request_context.hpp"
#include "net/router.hpp"

// Route guards: wrap a handler so it runs only for the right caller.
//
//   router.add("GET", "/api/v1/auth/me", auth::require_user(me_handler));
//   router.add("PUT", "/api/v1/admin/users/{id}/roles", auth::require_role("admin", set_roles));
//
// The principal comes from the request context (AuthenticateMiddleware fills it).
namespace orderly::auth {

inline constexpr std::string_view kCustomerRole = "customer";
inline constexpr std::string_view kAdminRole = "admin";

// 401 (with WWW-Authenticate: Bearer) when the request has no valid access token.
[[nodiscard]] net::Handler require_user(net::Handler handler);
// 401 as above; 403 when the caller lacks `role` (/problems/mfa-required
// when the token claims it but auth.require_mfa_for_admin withheld it).
[[nodiscard]] net::Handler require_role(std::string role, net::Handler handler);

// The authenticated caller; throws the 401 ProblemError when there is none.
// For handlers behind require_user, this never throws.
[[nodiscard]] const net::Principal& caller(const net::RequestContext& context);
[[nodiscard]] bool is_admin(const net::RequestContext& context);

}  // namespace orderly::auth
