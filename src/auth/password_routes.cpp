#include "auth/password_routes.hpp"

#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "auth/access.hpp"
#include "auth/password_policy.hpp"
#include "auth/request_audit.hpp"
#include "auth/user.hpp"
#include "core/logging.hpp"
#include "net/blocking_pool.hpp"
#include "net/json_body.hpp"
#include "resilience/rate_limit_headers.hpp"

namespace orderly::auth {
namespace {

using boost::asio::awaitable;

constexpr std::size_t kMaxEmailBytes = 254;
constexpr std::size_t kMaxPasswordBytes = 4 * kMaxPasswordLength;
constexpr std::size_t kMaxTokenBytes = 128;

net::Response overloaded() {
  auto response = net::Response::problem(503, "/problems/overloaded", "Overloaded",
                                         "too many password changes in progress; retry shortly");
  response.headers.set("Retry-After", "1");
  return response;
}

net::Response no_store(net::Response response) {
  response.headers.set("Cache-Control", "no-store");
  return response;
}

[[noreturn]] void throw_weak(std::string_view field, std::string weakness) {
  const boost::json::object empty;
  net::FieldReader fields(empty);
  fields.add_error(std::string(field), std::move(weakness));
  fields.throw_if_invalid();
  throw std::logic_error("unreachable");
}

class PasswordHandlers {
 public:
  explicit PasswordHandlers(PasswordRouteDependencies deps)
      : deps_(deps),
        outcomes_(deps.metrics.counter("orderly_auth_password_changes_total",
                                       "Password changes and resets by kind and outcome.", {"kind", "outcome"})) {}

  awaitable<net::Response> change(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto current = fields.required_string("current_password", kMaxPasswordBytes);
    auto next = fields.required_string("new_password", kMaxPasswordBytes);
    fields.throw_if_invalid();
    const auto& user_id = caller(context).user_id;
    // A stolen access token must not become a fast oracle for the password.
    if (auto refusal = co_await deps_.throttle.admit(request.remote_address, "user:" + user_id)) {
      count("change", "rate_limited");
      co_return std::move(*refusal);
    }
    PasswordAnswer answer;
    try {
      answer = co_await deps_.service.change(user_id, std::move(current), std::move(next));
    } catch (const net::PoolSaturated&) {
      co_return overloaded();
    }
    switch (answer.outcome) {
      case PasswordOutcome::changed:
        count("change", "changed");
        core::log::info("audit.password_change", {{"user_id", user_id}, {"request_id", context.request_id}});
        co_await deps_.audit.record(request_audit_event(context, request, "auth.password_changed", user_id, user_id));
        co_return net::Response::empty(204);
      case PasswordOutcome::wrong_password:
        count("change", "wrong_password");
        core::log::warn("audit.password_change", {{"outcome", "wrong_password"},
                                                  {"user_id", user_id},
                                                  {"remote_address", request.remote_address},
                                                  {"request_id", context.request_id}});
        co_await deps_.audit.record(
            request_audit_event(context, request, "auth.password_change_refused", user_id, user_id));
        co_return net::Response::problem(401, "/problems/invalid-credentials", "Invalid credentials",
                                         "the current password is wrong");
      case PasswordOutcome::weak:
      case PasswordOutcome::bad_token:
        break;
    }
    count("change", "weak");
    throw_weak("new_password", std::move(answer.weakness));
  }

  awaitable<net::Response> request_reset(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    const auto email_text = fields.required_string("email", kMaxEmailBytes);
    auto email = normalize_email(email_text);
    if (!email_text.empty() && !email) fields.add_error("email", "is not a valid email address");
    fields.throw_if_invalid();

    const auto by_address = co_await deps_.reset_per_address.acquire("ip:" + request.remote_address);
    if (!by_address.allowed) {
      count("reset_request", "rate_limited");
      co_return resilience::rate_limited_response(deps_.reset_per_address.policy(), by_address);
    }
    // Over the per-account limit the answer stays 202 (it must not tell
    // whether the account exists); only the mail is not sent.
    const auto by_account = co_await deps_.reset_per_account.acquire("acct:" + *email);
    if (by_account.allowed) {
      auto work = [service = &deps_.service, email = std::move(*email), traceparent = context.trace.traceparent(),
                   request_id = context.request_id]() -> awaitable<void> {
        try {
          co_await service->request_reset(email, traceparent);
        } catch (const std::exception& error) {
          core::log::error("auth.password_reset_failed", {{"request_id", request_id}, {"error", error.what()}});
        }
      };
      boost::asio::co_spawn(co_await boost::asio::this_coro::executor, std::move(work), boost::asio::detached);
    }
    count("reset_request", "accepted");
    core::log::info("audit.password_reset_request",
                    {{"remote_address", request.remote_address}, {"request_id", context.request_id}});
    co_return no_store(net::Response::empty(202));
  }

  awaitable<net::Response> confirm_reset(net::RequestContext& context, net::Request& request) {
    const auto body = net::parse_json_object(request);
    net::FieldReader fields(body);
    auto token = fields.required_string("token", kMaxTokenBytes);
    auto next = fields.required_string("new_password", kMaxPasswordBytes);
    fields.throw_if_invalid();
    const auto by_address = co_await deps_.reset_per_address.acquire("ip:" + request.remote_address);
    if (!by_address.allowed) {
      count("reset", "rate_limited");
      co_return resilience::rate_limited_response(deps_.reset_per_address.policy(), by_address);
    }
    PasswordAnswer answer;
    try {
      answer = co_await deps_.service.confirm_reset(std::move(token), std::move(next));
    } catch (const net::PoolSaturated&) {
      co_return overloaded();
    }
    switch (answer.outcome) {
      case PasswordOutcome::changed:
        count("reset", "changed");
        core::log::info("audit.password_reset", {{"user_id", answer.user_id}, {"request_id", context.request_id}});
        co_await deps_.audit.record(request_audit_event(context, request, "auth.password_reset", "", answer.user_id));
        co_return net::Response::empty(204);
      case PasswordOutcome::bad_token:
        count("reset", "bad_token");
        core::log::warn(
            "audit.password_reset",
            {{"outcome", "bad_token"}, {"remote_address", request.remote_address}, {"request_id", context.request_id}});
        co_return net::Response::problem(400, "/problems/invalid-reset-token", "Invalid reset token",
                                         "the reset link is unknown, used or expired; ask for a new one");
      case PasswordOutcome::weak:
      case PasswordOutcome::wrong_password:
        break;
    }
    count("reset", "weak");
    throw_weak("new_password", std::move(answer.weakness));
  }

 private:
  void count(const char* kind, const char* outcome) { outcomes_.with_labels({kind, outcome}).inc(); }

  PasswordRouteDependencies deps_;
  core::metrics::Family<core::metrics::Counter>& outcomes_;
};

template <awaitable<net::Response> (PasswordHandlers::*Method)(net::RequestContext&, net::Request&)>
net::Handler bind(const std::shared_ptr<PasswordHandlers>& handlers) {
  return [handlers](net::RequestContext& context, net::Request& request) {
    return ((*handlers).*Method)(context, request);
  };
}

}  // namespace

void add_password_routes(net::Router& router, PasswordRouteDependencies dependencies) {
  auto handlers = std::make_shared<PasswordHandlers>(dependencies);
  router.add("POST", "/api/v1/auth/password", require_user(bind<&PasswordHandlers::change>(handlers)));
  router.add("POST", "/api/v1/auth/password-reset", bind<&PasswordHandlers::request_reset>(handlers));
  router.add("POST", "/api/v1/auth/password-reset/confirm", bind<&PasswordHandlers::confirm_reset>(handlers));
}

}  // namespace orderly::auth
