#include "auth/mfa_routes.hpp"

#include <memory>

#include <boost/json/array.hpp>

#include "auth/access.hpp"
#include "auth/auth_responses.hpp"
#include "auth/request_audit.hpp"
#include "auth/session_client.hpp"
#include "core/logging.hpp"
#include "net/json_body.hpp"

namespace orderly::auth {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

constexpr std::size_t kMaxCodeBytes = 16;  // six digits; a little slack so a near miss gets a 422 that says so
constexpr std::size_t kMaxRecoveryCodeBytes = 64;
constexpr std::size_t kMaxChallengeBytes = 128;

net::Response wrong_code() {
  return net::Response::problem(401, "/problems/invalid-mfa-code", "Invalid code",
                                "the code is wrong, expired or already used");
}

// {code} or {recovery_code}: exactly one; a code is six digits.
struct SecondFactorFields {
  std::string code;
  std::string recovery_code;
};

SecondFactorFields read_second_factor(net::FieldReader& fields, bool recovery_allowed) {
  SecondFactorFields out;
  out.code = fields.optional_string("code", kMaxCodeBytes).value_or("");
  if (recovery_allowed) out.recovery_code = fields.optional_string("recovery_code", kMaxRecoveryCodeBytes).value_or("");
  if (out.code.empty() == out.recovery_code.empty()) {
    fields.add_error("code", recovery_allowed ? "send either code (six digits) or recovery_code" : "is required");
  } else if (!out.code.empty()) {
    bool digits = out.code.size() == 6;
    for (const char c : out.code) digits = digits && c >= '0' && c <= '9';
    if (!digits) fields.add_error("code", "must be the six digits the authenticator app shows");
  }
  return out;
}

class MfaHandlers {
 public:
  explicit MfaHandlers(MfaRouteDependencies deps)
      : deps_(deps),
        outcomes_(deps.metrics.counter("orderly_auth_mfa_total", "MFA enrolments, confirmations, removals and "
                                                                 "challenges by outcome.",
                                       {"kind", "outcome"})) {}

  awaitable<net::Response> enroll(net::RequestContext& context, net::Request& request) {
    const auto& user_id = caller(context).user_id;
    const auto user = co_await deps_.service.users().find(user_id);
    if (!user) {
      co_return net::Response::problem(401, "/problems/unauthenticated", "Authentication required",
                                       "the account no longer exists");
    }
    const auto enrolment = co_await deps_.mfa.enroll(*user);
    if (!enrolment) {
      count("enroll", "already_enabled");
      co_return net::Response::problem(409, "/problems/mfa-already-enabled", "MFA already on",
                                       "turn multi-factor authentication off before enrolling again");
    }
    count("enroll", "pending");
    core::log::info("audit.mfa_enrolment", {{"user_id", user_id}, {"request_id", context.request_id}});
    co_await deps_.audit.record(request_audit_event(context, request, "auth.mfa_enrolment_started", user_id, user_id));
    co_return json_response(201, {{"otpauth_uri", enrolment->otpauth_uri}, {"secret", enrolment->secret}});
  }

  awaitable<net::Response> confirm(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto factor = read_second_factor(fields, false);
    fields.throw_if_invalid();
    const auto& principal = caller(context);
    if (auto refusal = co_await deps_.throttle.admit(request.remote_address, "mfa:" + principal.user_id)) {
      count("confirm", "rate_limited");
      co_return std::move(*refusal);
    }
    auto answer = co_await deps_.mfa.confirm(principal.user_id, std::move(factor.code), principal.session_id);
    switch (answer.outcome) {
      case MfaConfirmOutcome::enabled: {
        count("confirm", "enabled");
        core::log::info("audit.mfa_enabled", {{"user_id", principal.user_id}, {"request_id", context.request_id}});
        co_await deps_.audit.record(
            request_audit_event(context, request, "auth.mfa_enabled", principal.user_id, principal.user_id));
        json::array codes;
        for (auto& code : answer.recovery_codes) codes.emplace_back(std::move(code));
        co_return json_response(200, {{"recovery_codes", std::move(codes)}});
      }
      case MfaConfirmOutcome::nothing_pending:
        count("confirm", "nothing_pending");
        co_return net::Response::problem(409, "/problems/mfa-not-pending", "Nothing to confirm",
                                         "start an enrolment first (POST /api/v1/auth/mfa/totp); "
                                         "multi-factor authentication may be on already");
      case MfaConfirmOutcome::wrong_code:
        break;
    }
    count("confirm", "wrong_code");
    co_await refused(context, request, principal.user_id, principal.user_id);
    co_return wrong_code();
  }

  awaitable<net::Response> disable(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto factor = read_second_factor(fields, true);
    fields.throw_if_invalid();
    const auto& user_id = caller(context).user_id;
    if (auto refusal = co_await deps_.throttle.admit(request.remote_address, "mfa:" + user_id)) {
      count("disable", "rate_limited");
      co_return std::move(*refusal);
    }
    const auto proved = co_await deps_.mfa.check(user_id, std::move(factor.code), std::move(factor.recovery_code));
    switch (proved) {
      case SecondFactor::not_enabled:
        count("disable", "not_enabled");
        co_return net::Response::problem(409, "/problems/mfa-not-enabled", "MFA is off",
                                         "multi-factor authentication is not on for this account");
      case SecondFactor::wrong:
        count("disable", "wrong_code");
        co_await refused(context, request, user_id, user_id);
        co_return wrong_code();
      case SecondFactor::recovery_code:
        co_await recovery_code_used(context, request, user_id, user_id);
        break;
      case SecondFactor::totp:
        break;
    }
    co_await deps_.mfa.disable(user_id);
    count("disable", "disabled");
    core::log::info("audit.mfa_disabled", {{"user_id", user_id}, {"request_id", context.request_id}});
    co_await deps_.audit.record(request_audit_event(context, request, "auth.mfa_disabled", user_id, user_id));
    co_return net::Response::empty(204);
  }

  awaitable<net::Response> complete_login(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto challenge = fields.required_string("challenge", kMaxChallengeBytes);
    auto factor = read_second_factor(fields, true);
    fields.throw_if_invalid();

    const auto user_id = co_await deps_.mfa.challenges().peek(challenge);
    if (!user_id) {
      count("challenge", "bad_challenge");
      core::log::warn("audit.login_mfa", {{"outcome", "bad_challenge"},
                                          {"remote_address", request.remote_address},
                                          {"request_id", context.request_id}});
      co_return bad_challenge();
    }
    if (auto refusal = co_await deps_.throttle.admit(request.remote_address, "mfa:" + *user_id)) {
      count("challenge", "rate_limited");
      core::log::warn("audit.login_mfa", {{"outcome", "rate_limited"},
                                          {"user_id", *user_id},
                                          {"remote_address", request.remote_address},
                                          {"request_id", context.request_id}});
      co_return std::move(*refusal);
    }
    const auto proved = co_await deps_.mfa.check(*user_id, std::move(factor.code), std::move(factor.recovery_code));
    if (proved == SecondFactor::wrong || proved == SecondFactor::not_enabled) {
      count("challenge", "wrong_code");
      co_await refused(context, request, "", *user_id);
      co_return wrong_code();
    }
    // A challenge completes one login: a second use is refused even with a fresh code.
    if (!co_await deps_.mfa.challenges().spend(challenge)) co_return bad_challenge();
    if (proved == SecondFactor::recovery_code) co_await recovery_code_used(context, request, *user_id, *user_id);
    const auto user = co_await deps_.service.users().find(*user_id);
    if (!user) co_return bad_challenge();
    const auto tokens = co_await deps_.service.open_session(*user, session_client_of(request));
    count("challenge", "success");
    core::log::info("audit.login", {{"outcome", "success"},
                                    {"factor", proved == SecondFactor::totp ? "totp" : "recovery_code"},
                                    {"user_id", user->id},
                                    {"remote_address", request.remote_address},
                                    {"request_id", context.request_id}});
    co_await deps_.audit.record(request_audit_event(context, request, "auth.login_succeeded", user->id, user->id));
    co_return token_response(tokens);
  }

 private:
  static net::Response bad_challenge() {
    return net::Response::problem(401, "/problems/invalid-mfa-challenge", "Invalid challenge",
                                  "the login challenge is unknown, used or expired; log in again");
  }

  awaitable<void> refused(net::RequestContext& context, net::Request& request, std::string actor,
                          std::string subject) {
    core::log::warn("audit.mfa_code_refused", {{"user_id", subject},
                                               {"remote_address", request.remote_address},
                                               {"request_id", context.request_id}});
    co_await deps_.audit.record(
        request_audit_event(context, request, "auth.mfa_code_refused", std::move(actor), std::move(subject)));
  }

  awaitable<void> recovery_code_used(net::RequestContext& context, net::Request& request, std::string actor,
                                     std::string subject) {
    count("recovery_code", "used");
    core::log::info("audit.mfa_recovery_code_used", {{"user_id", subject}, {"request_id", context.request_id}});
    co_await deps_.audit.record(
        request_audit_event(context, request, "auth.mfa_recovery_code_used", std::move(actor), std::move(subject)));
  }

  void count(const char* kind, const char* outcome) { outcomes_.with_labels({kind, outcome}).inc(); }

  MfaRouteDependencies deps_;
  core::metrics::Family<core::metrics::Counter>& outcomes_;
};

template <awaitable<net::Response> (MfaHandlers::*Method)(net::RequestContext&, net::Request&)>
net::Handler bind(const std::shared_ptr<MfaHandlers>& handlers) {
  return [handlers](net::RequestContext& context, net::Request& request) {
    return ((*handlers).*Method)(context, request);
  };
}

}  // namespace

void add_mfa_routes(net::Router& router, MfaRouteDependencies dependencies) {
  auto handlers = std::make_shared<MfaHandlers>(dependencies);
  router.add("POST", "/api/v1/auth/mfa/totp", require_user(bind<&MfaHandlers::enroll>(handlers)));
  router.add("POST", "/api/v1/auth/mfa/totp/confirm", require_user(bind<&MfaHandlers::confirm>(handlers)));
  router.add("DELETE", "/api/v1/auth/mfa/totp", require_user(bind<&MfaHandlers::disable>(handlers)));
  router.add("POST", "/api/v1/auth/login/mfa", bind<&MfaHandlers::complete_login>(handlers));
}

}  // namespace orderly::auth
