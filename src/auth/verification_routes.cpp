#include "auth/verification_routes.hpp"

#include <memory>

#include "auth/access.hpp"
#include "auth/request_audit.hpp"
#include "core/logging.hpp"
#include "net/json_body.hpp"
#include "resilience/rate_limit_headers.hpp"

namespace orderly::auth {
namespace {

using boost::asio::awaitable;

constexpr std::size_t kMaxTokenBytes = 128;

class VerificationHandlers {
 public:
  explicit VerificationHandlers(VerificationRouteDependencies deps)
      : deps_(deps),
        outcomes_(deps.metrics.counter("orderly_auth_email_verifications_total",
                                       "E-mail verifications and resends by kind and outcome.", {"kind", "outcome"})) {}

  awaitable<net::Response> verify(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto token = fields.required_string("token", kMaxTokenBytes);
    fields.throw_if_invalid();
    const auto user_id = co_await deps_.verifications.confirm(std::move(token));
    if (!user_id) {
      count("verify", "bad_token");
      core::log::warn("audit.email_verification", {{"outcome", "bad_token"},
                                                   {"remote_address", request.remote_address},
                                                   {"request_id", context.request_id}});
      co_return net::Response::problem(400, "/problems/invalid-verification-token", "Invalid verification token",
                                       "the verification link is unknown, used or expired; ask for a new one");
    }
    count("verify", "verified");
    core::log::info("audit.email_verification", {{"user_id", *user_id}, {"request_id", context.request_id}});
    co_await deps_.audit.record(request_audit_event(context, request, "auth.email_verified", "", *user_id));
    co_return net::Response::empty(204);
  }

  awaitable<net::Response> resend(net::RequestContext& context, net::Request& request) {
    const auto& user_id = caller(context).user_id;
    const auto admitted = co_await deps_.resend_per_account.acquire("user:" + user_id);
    if (!admitted.allowed) {
      count("resend", "rate_limited");
      co_return resilience::rate_limited_response(deps_.resend_per_account.policy(), admitted);
    }
    const auto user = co_await deps_.users.find(user_id);
    if (!user) {
      co_return net::Response::problem(401, "/problems/unauthenticated", "Authentication required",
                                       "the account no longer exists");
    }
    if (user->email_verified) {
      count("resend", "already_verified");
      co_return net::Response::empty(202);
    }
    co_await deps_.verifications.start(*user, context.trace.traceparent());
    count("resend", "sent");
    core::log::info("audit.email_verification_resend",
                    {{"user_id", user_id}, {"remote_address", request.remote_address},
                     {"request_id", context.request_id}});
    co_return net::Response::empty(202);
  }

 private:
  void count(const char* kind, const char* outcome) { outcomes_.with_labels({kind, outcome}).inc(); }

  VerificationRouteDependencies deps_;
  core::metrics::Family<core::metrics::Counter>& outcomes_;
};

template <awaitable<net::Response> (VerificationHandlers::*Method)(net::RequestContext&, net::Request&)>
net::Handler bind(const std::shared_ptr<VerificationHandlers>& handlers) {
  return [handlers](net::RequestContext& context, net::Request& request) {
    return ((*handlers).*Method)(context, request);
  };
}

}  // namespace

void add_verification_routes(net::Router& router, VerificationRouteDependencies dependencies) {
  auto handlers = std::make_shared<VerificationHandlers>(dependencies);
  router.add("POST", "/api/v1/auth/verify-email", bind<&VerificationHandlers::verify>(handlers));
  router.add("POST", "/api/v1/auth/verify-email/resend",
             require_user(bind<&VerificationHandlers::resend>(handlers)));
}

}  // namespace orderly::auth
