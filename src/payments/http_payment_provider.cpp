#include "payments/http_payment_provider.hpp"

#include <sodium.h>

#include <optional>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "core/problem.hpp"
#include "payments/provider_wire.hpp"
#include "resilience/retry.hpp"
#include "resilience/timeout.hpp"

namespace orderly::payments {
namespace {

namespace json = boost::json;

// The provider answered, but not with an answer: a 5xx. Worth a retry.
class TransientReply : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Everything but this client's own mistakes (4xx, an answer it cannot read)
// is worth another try with the same key.
bool is_transient(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::logic_error&) {
    return false;
  } catch (const resilience::CircuitOpenError&) {
    return false;  // fail fast: the breaker believes the provider is down
  } catch (...) {
    return true;
  }
}

std::string escape_path_segment(const std::string& id) {
  // Provider references are [A-Za-z0-9_]; anything else would be a forged id.
  for (const char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      throw std::logic_error("payment provider: malformed authorization reference");
    }
  }
  return id;
}

std::string authorization_target(const std::string& authorization, std::string_view action) {
  return std::string(wire::kAuthorizations) + "/" + escape_path_segment(authorization) + "/" + std::string(action);
}

void wipe(std::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
}

void wipe(json::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
}

}  // namespace

HttpPaymentProvider::HttpPaymentProvider(ProviderTransport transport, HttpProviderOptions options,
                                         resilience::CircuitBreaker& breaker, resilience::RetryBudget& budget,
                                         core::Random& random)
    : transport_(std::move(transport)), options_(options), breaker_(breaker), budget_(budget), random_(random) {}

boost::asio::awaitable<ProviderResult> HttpPaymentProvider::authorize(std::string idempotency_key, CardDetails card,
                                                                      core::Money amount) {
  json::object body{{"card", wire::card_json(card)}, {"amount", wire::money_json(amount)}};
  wipe(card.number);
  auto text = json::serialize(body);
  wipe(body["card"].as_object()["number"].as_string());
  co_return co_await call("authorize", std::string(wire::kAuthorizations), std::move(idempotency_key),
                          std::move(text));
}

boost::asio::awaitable<ProviderResult> HttpPaymentProvider::capture(std::string idempotency_key,
                                                                    std::string authorization, core::Money amount) {
  auto target = authorization_target(authorization, "capture");
  auto body = json::serialize(json::object{{"amount", wire::money_json(amount)}});
  co_return co_await call("capture", std::move(target), std::move(idempotency_key), std::move(body));
}

boost::asio::awaitable<ProviderResult> HttpPaymentProvider::void_authorization(std::string idempotency_key,
                                                                               std::string authorization) {
  auto target = authorization_target(authorization, "void");
  co_return co_await call("void", std::move(target), std::move(idempotency_key), "{}");
}

boost::asio::awaitable<ProviderResult> HttpPaymentProvider::refund(std::string idempotency_key,
                                                                   std::string authorization, core::Money amount) {
  auto target = authorization_target(authorization, "refund");
  auto body = json::serialize(json::object{{"amount", wire::money_json(amount)}});
  co_return co_await call("refund", std::move(target), std::move(idempotency_key), std::move(body));
}

boost::asio::awaitable<ProviderResult> HttpPaymentProvider::call(std::string operation, std::string target,
                                                                 std::string idempotency_key, std::string body) {
  net::Request request;
  request.method = "POST";
  request.target = target;
  request.path = std::move(target);
  request.headers.set("Content-Type", "application/json");
  request.headers.set("Idempotency-Key", std::move(idempotency_key));
  request.body = std::move(body);

  auto policy = options_.retry;
  policy.per_try_timeout = options_.timeout;
  std::uint32_t attempts = 0;
  const auto make_attempt = [&]() {
    ++attempts;
    return attempt(request);
  };
  // The body of an authorization holds the card number: wiped on every way out.
  std::exception_ptr failure;
  std::optional<ProviderResult> result;
  try {
    result = co_await resilience::retry_call(make_attempt, policy, random_, &budget_, is_transient);
  } catch (...) {
    failure = std::current_exception();
  }
  wipe(request.body);
  if (result) co_return std::move(*result);
  std::string reason = "unknown";
  try {
    std::rethrow_exception(failure);
  } catch (const std::logic_error&) {
    throw;  // our own mistake, not the provider's unavailability
  } catch (const resilience::CircuitOpenError&) {
    reason = "circuit open";
  } catch (const resilience::TimeoutError&) {
    reason = "timeout";
  } catch (const std::exception& error) {
    reason = error.what();
  }
  core::log::warn("payments.provider_unavailable", {{"operation", operation}, {"attempts", attempts}, {"reason", reason}});
  throw ProviderUnavailable("payment provider " + operation + ": " + reason);
}

boost::asio::awaitable<ProviderResult> HttpPaymentProvider::attempt(const net::Request& request) {
  if (!breaker_.try_acquire()) throw resilience::CircuitOpenError(breaker_.name());
  net::Response response;
  try {
    response = co_await transport_(request, options_.timeout);
  } catch (...) {
    breaker_.on_failure();
    throw;
  }
  if (response.status >= 500) {
    breaker_.on_failure();
    throw TransientReply("provider answered " + std::to_string(response.status));
  }
  breaker_.on_success();  // the provider is up, even when it refuses what we sent
  if (response.status != 200) {
    throw std::logic_error("payment provider refused the request with " + std::to_string(response.status));
  }
  boost::system::error_code ec;
  const auto body = json::parse(response.body, ec);
  if (ec || !body.is_object()) throw std::logic_error("payment provider answered with malformed JSON");
  try {
    co_return wire::result_from(body.as_object());
  } catch (const core::ProblemError&) {
    throw std::logic_error("payment provider answered without approved, decline_code or reference");
  }
}

}  // namespace orderly::payments
