#include "auth/auth_routes.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include <boost/json/serialize.hpp>

#include "auth/access.hpp"
#include "auth/auth_responses.hpp"
#include "auth/jwks.hpp"
#include "auth/password_policy.hpp"
#include "auth/request_audit.hpp"
#include "auth/session_client.hpp"
#include "core/logging.hpp"
#include "net/blocking_pool.hpp"
#include "net/json_body.hpp"
#include "resilience/rate_limit_headers.hpp"

namespace orderly::auth {
namespace {

using boost::asio::awaitable;
namespace json = boost::json;

// Generous bounds on what is read before any validation or hashing.
constexpr std::size_t kMaxEmailBytes = 254;
constexpr std::size_t kMaxPasswordBytes = 4 * kMaxPasswordLength;  // 128 characters of up to 4 UTF-8 bytes
constexpr std::size_t kMaxNameBytes = 200;
constexpr std::size_t kMaxRefreshTokenBytes = 128;

net::Response invalid_credentials() {
  return net::Response::problem(401, "/problems/invalid-credentials", "Invalid credentials",
                                "the email or the password is wrong");
}

net::Response invalid_refresh_token() {
  return net::Response::problem(401, "/problems/invalid-refresh-token", "Invalid refresh token",
                                "the refresh token is unknown, expired, revoked or already used; log in again");
}

net::Response overloaded(std::string_view what = "logins") { return overloaded_response(what); }

class AuthHandlers {
 public:
  explicit AuthHandlers(AuthRouteDependencies deps)
      : deps_(deps),
        logins_(deps.metrics.counter("orderly_auth_logins_total", "Login attempts by outcome.", {"outcome"})),
        refreshes_(deps.metrics.counter("orderly_auth_refresh_total", "Refresh-token uses by outcome.", {"outcome"})) {}

  awaitable<net::Response> signup(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    const auto email_text = fields.required_string("email", kMaxEmailBytes);
    auto password = fields.required_string("password", kMaxPasswordBytes);
    auto name = fields.required_string("name", kMaxNameBytes);
    auto email = normalize_email(email_text);
    if (!email_text.empty() && !email) fields.add_error("email", "is not a valid email address");
    if (!password.empty()) {
      if (auto weakness = password_weakness(password, email_text)) fields.add_error("password", *weakness);
    }
    if (!name.empty() && !is_displayable_name(name)) {
      fields.add_error("name", "must not be blank or hold control characters or line breaks");
    }
    fields.throw_if_invalid();

    // After validation (bad input costs nothing), before any store read or hash.
    const auto admitted = co_await deps_.signup_per_address.acquire("ip:" + request.remote_address);
    if (!admitted.allowed) {
      core::log::warn("audit.signup", {{"outcome", "rate_limited"},
                                       {"remote_address", request.remote_address},
                                       {"request_id", context.request_id}});
      co_return resilience::rate_limited_response(deps_.signup_per_address.policy(), admitted);
    }
    try {
      std::vector<std::string> roles{std::string(kCustomerRole)};
      const auto user = co_await deps_.service.sign_up(*email, std::move(password), std::move(name), std::move(roles));
      core::log::info("audit.signup", {{"user_id", user.id}, {"request_id", context.request_id}});
      co_await deps_.audit.record(request_audit_event(context, request, "auth.signup", user.id, user.id));
      try {
        co_await deps_.verifications.start(user, context.trace.traceparent());
      } catch (const std::exception& error) {
        // The account exists; its owner can ask for the link again (resend).
        core::log::error("auth.verification_mail_failed", {{"user_id", user.id},
                                                           {"request_id", context.request_id},
                                                           {"error", error.what()}});
      }
      auto response = json_response(201, to_json(user));
      response.headers.set("Location", "/api/v1/auth/me");
      co_return response;
    } catch (const EmailTaken&) {
      co_return net::Response::problem(409, "/problems/email-taken", "Email taken",
                                       "an account with this email exists");
    } catch (const net::PoolSaturated&) {
      co_return overloaded("signups");
    }
  }

  awaitable<net::Response> login(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    const auto email_text = fields.required_string("email", kMaxEmailBytes);
    auto password = fields.required_string("password", kMaxPasswordBytes);
    fields.throw_if_invalid();
    // An unparsable email still counts against the limits, under its own text.
    const auto email = normalize_email(email_text).value_or(email_text);

    auto refusal = co_await deps_.throttle.admit(request.remote_address, email);
    if (refusal) {
      count_login("rate_limited");
      core::log::warn("audit.login", {{"outcome", "rate_limited"},
                                      {"remote_address", request.remote_address},
                                      {"request_id", context.request_id}});
      co_return std::move(*refusal);
    }

    try {
      auto result = co_await deps_.service.log_in(email, std::move(password), session_client_of(request));
      if (result.second_factor_needed) co_return co_await challenge(context, request, *result.user);
      if (!result.tokens) {
        count_login("wrong_credentials");
        core::log::warn("audit.login", {{"outcome", "wrong_credentials"},
                                        {"remote_address", request.remote_address},
                                        {"request_id", context.request_id}});
        // Neither the typed e-mail (it may be a password typed in the wrong
        // field) nor whether the account exists goes into the row.
        co_await deps_.audit.record(request_audit_event(context, request, "auth.login_failed", "", ""));
        co_return invalid_credentials();
      }
      count_login("success");
      core::log::info("audit.login", {{"outcome", "success"},
                                      {"user_id", result.user->id},
                                      {"remote_address", request.remote_address},
                                      {"request_id", context.request_id}});
      co_await deps_.audit.record(
          request_audit_event(context, request, "auth.login_succeeded", result.user->id, result.user->id));
      co_return token_response(*result.tokens);
    } catch (const net::PoolSaturated&) {
      count_login("shed");
      co_return overloaded();
    }
  }

  // The password matched an account with MFA on: a challenge, no tokens
  // yet; POST /auth/login/mfa completes it with a code.
  awaitable<net::Response> challenge(net::RequestContext& context, net::Request& request, const User& user) {
    count_login("second_factor_needed");
    const auto issued = co_await deps_.mfa.challenges().start(user.id);
    core::log::info("audit.login", {{"outcome", "second_factor_needed"},
                                    {"user_id", user.id},
                                    {"remote_address", request.remote_address},
                                    {"request_id", context.request_id}});
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(deps_.mfa.challenges().lifetime());
    co_return json_response(200,
                            {{"mfa_required", true}, {"challenge", issued}, {"expires_in", lifetime.count()}});
  }

  awaitable<net::Response> refresh(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto token = fields.required_string("refresh_token", kMaxRefreshTokenBytes);
    fields.throw_if_invalid();
    auto answer = co_await deps_.service.refresh(std::move(token), session_client_of(request));
    switch (answer.result.outcome) {
      case RefreshOutcome::rotated:
        refreshes_.with_labels({"rotated"}).inc();
        core::log::info("audit.refresh", {{"outcome", "rotated"},
                                          {"user_id", answer.result.user_id},
                                          {"request_id", context.request_id}});
        co_return token_response(*answer.tokens);
      case RefreshOutcome::reused:
        refreshes_.with_labels({"reused"}).inc();
        core::log::warn("audit.refresh_reuse", {{"user_id", answer.result.user_id},
                                                {"family_id", answer.result.family_id},
                                                {"remote_address", request.remote_address},
                                                {"request_id", context.request_id}});
        co_return invalid_refresh_token();
      case RefreshOutcome::invalid:
        break;
    }
    refreshes_.with_labels({"invalid"}).inc();
    co_return invalid_refresh_token();
  }

  awaitable<net::Response> logout(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto token = fields.required_string("refresh_token", kMaxRefreshTokenBytes);
    fields.throw_if_invalid();
    co_await deps_.service.log_out(std::move(token));
    core::log::info("audit.logout", {{"request_id", context.request_id}});
    co_return net::Response::empty(204);
  }

  awaitable<net::Response> logout_all(net::RequestContext& context, net::Request& request) {
    const auto& user_id = caller(context).user_id;
    co_await deps_.service.log_out_everywhere(user_id);
    core::log::info("audit.logout_all", {{"user_id", user_id}, {"request_id", context.request_id}});
    co_await deps_.audit.record(request_audit_event(context, request, "auth.logout_all", user_id, user_id));
    co_return net::Response::empty(204);
  }

  awaitable<net::Response> me(net::RequestContext& context, net::Request&) {
    const auto user = co_await deps_.service.users().find(caller(context).user_id);
    if (!user) {
      co_return net::Response::problem(401, "/problems/unauthenticated", "Authentication required",
                                       "the account no longer exists");
    }
    co_return json_response(200, to_json(*user));
  }

  awaitable<net::Response> jwks(net::RequestContext&, net::Request&) {
    auto response = net::Response::json(200, render_jwks(deps_.keys.verification_keys()));
    // Short enough that a rotation reaches caches well within a token's
    // lifetime; verifiers refetch on an unknown kid anyway.
    response.headers.set("Cache-Control", "public, max-age=300");
    co_return response;
  }

  awaitable<net::Response> set_roles(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    std::vector<std::string> roles;
    if (const auto* list = fields.required_array("roles")) {
      for (const auto& entry : *list) {
        const bool known = entry.is_string() && (entry.as_string() == kCustomerRole || entry.as_string() == kAdminRole);
        if (!known) {
          fields.add_error("roles", "each role must be \"customer\" or \"admin\"");
          break;
        }
        std::string role(entry.as_string());
        if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(std::move(role));
      }
      if (list->empty()) fields.add_error("roles", "must name at least one role");
    }
    fields.throw_if_invalid();

    const std::string user_id(context.param("id").value_or(""));
    const auto user = co_await deps_.service.change_roles(user_id, roles);
    if (!user) co_return net::Response::problem(404, "/problems/not-found", "Not found", "no such user");
    core::log::info("audit.role_change", {{"actor", caller(context).user_id},
                                          {"user_id", user->id},
                                          {"roles", join_roles(user->roles)},
                                          {"request_id", context.request_id}});
    co_await deps_.audit.record(
        request_audit_event(context, request, "auth.roles_changed", caller(context).user_id, user->id));
    co_return json_response(200, to_json(*user));
  }

 private:
  void count_login(const char* outcome) { logins_.with_labels({outcome}).inc(); }

  AuthRouteDependencies deps_;
  core::metrics::Family<core::metrics::Counter>& logins_;
  core::metrics::Family<core::metrics::Counter>& refreshes_;
};

template <awaitable<net::Response> (AuthHandlers::*Method)(net::RequestContext&, net::Request&)>
net::Handler bind(const std::shared_ptr<AuthHandlers>& handlers) {
  return [handlers](net::RequestContext& context, net::Request& request) {
    return ((*handlers).*Method)(context, request);
  };
}

}  // namespace

void add_auth_routes(net::Router& router, AuthRouteDependencies dependencies) {
  auto handlers = std::make_shared<AuthHandlers>(dependencies);
  router.add("POST", "/api/v1/auth/signup", bind<&AuthHandlers::signup>(handlers));
  router.add("POST", "/api/v1/auth/login", bind<&AuthHandlers::login>(handlers));
  router.add("POST", "/api/v1/auth/refresh", bind<&AuthHandlers::refresh>(handlers));
  router.add("POST", "/api/v1/auth/logout", bind<&AuthHandlers::logout>(handlers));
  router.add("POST", "/api/v1/auth/logout-all", require_user(bind<&AuthHandlers::logout_all>(handlers)));
  router.add("GET", "/api/v1/auth/me", require_user(bind<&AuthHandlers::me>(handlers)));
  router.add("GET", "/.well-known/jwks.json", bind<&AuthHandlers::jwks>(handlers));
  router.add("PUT", "/api/v1/admin/users/{id}/roles", require_role("admin", bind<&AuthHandlers::set_roles>(handlers)));
}

}  // namespace orderly::auth
