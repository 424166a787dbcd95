#include "payments/simulated_provider.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.hpp"

namespace orderly::payments {
namespace {

ProviderResult approved(std::string reference) { return ProviderResult{true, {}, std::move(reference)}; }
ProviderResult declined(std::string code) { return ProviderResult{false, std::move(code), {}}; }

std::string answer_key(std::string_view operation, const std::string& idempotency_key) {
  std::string key(operation);
  key += '\n';
  key += idempotency_key;
  return key;
}

}  // namespace

TestCardBehaviour test_card_behaviour(std::string_view number) {
  if (number == "4000000000000002") return TestCardBehaviour::decline;
  if (number == "4000000000009995") return TestCardBehaviour::insufficient_funds;
  if (number == "4000000000000119") return TestCardBehaviour::transient_error;
  if (number == "4000000000003220") return TestCardBehaviour::slow_answer;
  return TestCardBehaviour::approve;
}

SimulatedProvider::SimulatedProvider(SimulatorOptions options, core::Random& random)
    : options_(options), random_(random) {}

boost::asio::awaitable<ProviderResult> SimulatedProvider::authorize(std::string idempotency_key, CardDetails card,
                                                                    core::Money amount) {
  auto decision = decide_authorization(idempotency_key, card, amount);
  if (decision.slow) {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, options_.slow_answer);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
  co_return decision.result;
}

boost::asio::awaitable<ProviderResult> SimulatedProvider::capture(std::string idempotency_key,
                                                                  std::string authorization, core::Money amount) {
  co_return decide_capture(idempotency_key, authorization, amount);
}

boost::asio::awaitable<ProviderResult> SimulatedProvider::void_authorization(std::string idempotency_key,
                                                                             std::string authorization) {
  co_return decide_void(idempotency_key, authorization);
}

boost::asio::awaitable<ProviderResult> SimulatedProvider::refund(std::string idempotency_key,
                                                                 std::string authorization, core::Money amount) {
  co_return decide_refund(idempotency_key, authorization, amount);
}

SimulatorCounts SimulatedProvider::counts() const {
  const std::lock_guard lock(mutex_);
  return counts_;
}

SimulatedProvider::Decision SimulatedProvider::decide_authorization(const std::string& key, const CardDetails& card,
                                                                    const core::Money& amount) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  auto answer = answer_key("authorize", key);
  if (const auto* earlier = replay(answer)) return {*earlier, false};
  const auto behaviour = test_card_behaviour(card.number);
  switch (behaviour) {
    case TestCardBehaviour::decline:
      return {remember(std::move(answer), declined("card_declined")), false};
    case TestCardBehaviour::insufficient_funds:
      return {remember(std::move(answer), declined("insufficient_funds")), false};
    case TestCardBehaviour::transient_error:
      if (transient_failures_[key]++ < options_.transient_failures) {
        throw ProviderUnavailable("simulated transient provider error");
      }
      break;
    case TestCardBehaviour::approve:
    case TestCardBehaviour::slow_answer:
      break;
  }
  if (amount.amount <= 0 || amount.currency.empty()) return {remember(std::move(answer), declined("invalid_amount")), false};
  auto reference = new_reference("auth_");
  authorizations_.emplace(reference, Authorization{amount});
  ++counts_.authorizations;
  // Remembered now, answered later: a retry while the slow answer is on its
  // way gets the same authorization at once.
  return {remember(std::move(answer), approved(std::move(reference))), behaviour == TestCardBehaviour::slow_answer};
}

ProviderResult SimulatedProvider::decide_capture(const std::string& key, const std::string& authorization,
                                                 const core::Money& amount) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  auto answer = answer_key("capture", key);
  if (const auto* earlier = replay(answer)) return *earlier;
  const auto found = authorizations_.find(authorization);
  if (found == authorizations_.end()) return remember(std::move(answer), declined("authorization_not_found"));
  auto& held = found->second;
  if (held.state == AuthorizationState::voided) return remember(std::move(answer), declined("authorization_voided"));
  if (held.state == AuthorizationState::captured) return remember(std::move(answer), declined("already_captured"));
  if (amount.currency != held.amount.currency || amount.amount <= 0 || amount.amount > held.amount.amount) {
    return remember(std::move(answer), declined("invalid_amount"));
  }
  held.state = AuthorizationState::captured;
  held.captured = amount.amount;
  ++counts_.captures;
  return remember(std::move(answer), approved(new_reference("cap_")));
}

ProviderResult SimulatedProvider::decide_void(const std::string& key, const std::string& authorization) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  auto answer = answer_key("void", key);
  if (const auto* earlier = replay(answer)) return *earlier;
  const auto found = authorizations_.find(authorization);
  if (found == authorizations_.end()) return remember(std::move(answer), declined("authorization_not_found"));
  auto& held = found->second;
  if (held.state == AuthorizationState::captured) return remember(std::move(answer), declined("already_captured"));
  if (held.state == AuthorizationState::authorized) {
    held.state = AuthorizationState::voided;
    ++counts_.voids;
  }
  return remember(std::move(answer), approved(new_reference("void_")));
}

ProviderResult SimulatedProvider::decide_refund(const std::string& key, const std::string& authorization,
                                                const core::Money& amount) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  auto answer = answer_key("refund", key);
  if (const auto* earlier = replay(answer)) return *earlier;
  const auto found = authorizations_.find(authorization);
  if (found == authorizations_.end()) return remember(std::move(answer), declined("authorization_not_found"));
  auto& held = found->second;
  if (held.state != AuthorizationState::captured) return remember(std::move(answer), declined("not_captured"));
  if (amount.currency != held.amount.currency || amount.amount <= 0 ||
      amount.amount > held.captured - held.refunded) {
    return remember(std::move(answer), declined("invalid_amount"));
  }
  held.refunded += amount.amount;
  ++counts_.refunds;
  return remember(std::move(answer), approved(new_reference("re_")));
}

const ProviderResult* SimulatedProvider::replay(const std::string& answer_key) {
  const auto found = answers_.find(answer_key);
  return found == answers_.end() ? nullptr : &found->second;
}

const ProviderResult& SimulatedProvider::remember(std::string answer_key, ProviderResult result) {
  return answers_.insert_or_assign(std::move(answer_key), std::move(result)).first->second;
}

std::string SimulatedProvider::new_reference(std::string_view prefix) {
  return std::string(prefix) + core::random_hex(random_, 12);
}

}  // namespace orderly::payments
