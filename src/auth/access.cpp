#include "auth/access.hpp"

#include <utility>

#include "core/problem.hpp"

namespace orderly::auth {
namespace {

[[noreturn]] void throw_unauthenticated(const net::RequestContext& context) {
  throw core::ProblemError({401, "/problems/unauthenticated", "Authentication required",
                            context.authentication_failure.empty() ? "send Authorization: Bearer <access token>"
                                                                   : context.authentication_failure,
                            {}});
}

}  // namespace

const net::Principal& caller(const net::RequestContext& context) {
  if (!context.principal) throw_unauthenticated(context);
  return *context.principal;
}

bool is_admin(const net::RequestContext& context) {
  return context.principal && context.principal->has_role(kAdminRole);
}

net::Handler require_user(net::Handler handler) {
  return [handler = std::move(handler)](net::RequestContext& context,
                                        net::Request& request) -> boost::asio::awaitable<net::Response> {
    (void)caller(context);
    co_return co_await handler(context, request);
  };
}

net::Handler require_role(std::string role, net::Handler handler) {
  return [role = std::move(role), handler = std::move(handler)](
             net::RequestContext& context, net::Request& request) -> boost::asio::awaitable<net::Response> {
    const auto& principal = caller(context);
    if (!principal.has_role(role)) {
      if (principal.withheld_role == role && principal.withheld_because == "mfa_required") {
        throw core::ProblemError({403, "/problems/mfa-required", "Multi-factor authentication required",
                                  "the " + role + " role needs multi-factor authentication: turn it on "
                                  "(POST /api/v1/auth/mfa/totp), then log in again with a code",
                                  {}});
      }
      throw core::ProblemError({403, "/problems/forbidden", "Forbidden", "this needs the " + role + " role", {}});
    }
    co_return co_await handler(context, request);
  };
}

}  // namespace orderly::auth
