#include "payments/simulated_provider.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/ids.hpp"

namespace orderly::payments {
namespace {

// What was asked, before the answer is filled in.
JournalEntry asked(std::string operation, const std::string& key, std::string authorization, const core::Money& amount) {
  JournalEntry entry;
  entry.operation = std::move(operation);
  entry.idempotency_key = key;
  entry.authorization = std::move(authorization);
  entry.amount = amount.amount;
  entry.currency = amount.currency;
  return entry;
}

JournalEntry approved_entry(JournalEntry entry) {
  entry.approved = true;
  return entry;
}

JournalEntry declined_entry(JournalEntry entry, std::string code) {
  entry.approved = false;
  entry.decline_code = std::move(code);
  return entry;
}

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
    : options_(std::move(options)), random_(random) {
  if (options_.journal.empty()) return;
  std::vector<JournalEntry> replayed;
  journal_ = std::make_unique<ProviderJournal>(options_.journal, replayed);
  for (const auto& entry : replayed) apply(entry);
}

SimulatedProvider::~SimulatedProvider() = default;

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
  if (const auto* earlier = replay(answer_key("authorize", key))) return {*earlier, false};
  auto entry = asked("authorize", key, {}, amount);
  const auto behaviour = test_card_behaviour(card.number);
  switch (behaviour) {
    case TestCardBehaviour::decline:
      return {record(declined_entry(std::move(entry), "card_declined")), false};
    case TestCardBehaviour::insufficient_funds:
      return {record(declined_entry(std::move(entry), "insufficient_funds")), false};
    case TestCardBehaviour::transient_error:
      if (transient_failures_[key]++ < options_.transient_failures) {
        throw ProviderUnavailable("simulated transient provider error");
      }
      break;
    case TestCardBehaviour::approve:
    case TestCardBehaviour::slow_answer:
      break;
  }
  if (amount.amount <= 0 || amount.currency.empty()) {
    return {record(declined_entry(std::move(entry), "invalid_amount")), false};
  }
  entry.authorization = new_reference("auth_");
  entry.reference = entry.authorization;
  // Remembered now, answered later: a retry while the slow answer is on its
  // way gets the same authorization at once.
  return {record(approved_entry(std::move(entry))), behaviour == TestCardBehaviour::slow_answer};
}

ProviderResult SimulatedProvider::decide_capture(const std::string& key, const std::string& authorization,
                                                 const core::Money& amount) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  if (const auto* earlier = replay(answer_key("capture", key))) return *earlier;
  auto entry = asked("capture", key, authorization, amount);
  const auto found = authorizations_.find(authorization);
  if (found == authorizations_.end()) return record(declined_entry(std::move(entry), "authorization_not_found"));
  const auto& held = found->second;
  if (held.state == AuthorizationState::voided) return record(declined_entry(std::move(entry), "authorization_voided"));
  if (held.state == AuthorizationState::captured) return record(declined_entry(std::move(entry), "already_captured"));
  if (amount.currency != held.amount.currency || amount.amount <= 0 || amount.amount > held.amount.amount) {
    return record(declined_entry(std::move(entry), "invalid_amount"));
  }
  entry.reference = new_reference("cap_");
  return record(approved_entry(std::move(entry)));
}

ProviderResult SimulatedProvider::decide_void(const std::string& key, const std::string& authorization) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  if (const auto* earlier = replay(answer_key("void", key))) return *earlier;
  auto entry = asked("void", key, authorization, {});
  const auto found = authorizations_.find(authorization);
  if (found == authorizations_.end()) return record(declined_entry(std::move(entry), "authorization_not_found"));
  if (found->second.state == AuthorizationState::captured) {
    return record(declined_entry(std::move(entry), "already_captured"));
  }
  entry.reference = new_reference("void_");  // voiding a voided authorization is approved again
  return record(approved_entry(std::move(entry)));
}

ProviderResult SimulatedProvider::decide_refund(const std::string& key, const std::string& authorization,
                                                const core::Money& amount) {
  const std::lock_guard lock(mutex_);
  ++counts_.calls;
  if (const auto* earlier = replay(answer_key("refund", key))) return *earlier;
  auto entry = asked("refund", key, authorization, amount);
  const auto found = authorizations_.find(authorization);
  if (found == authorizations_.end()) return record(declined_entry(std::move(entry), "authorization_not_found"));
  const auto& held = found->second;
  if (held.state != AuthorizationState::captured) return record(declined_entry(std::move(entry), "not_captured"));
  if (amount.currency != held.amount.currency || amount.amount <= 0 ||
      amount.amount > held.captured - held.refunded) {
    return record(declined_entry(std::move(entry), "invalid_amount"));
  }
  entry.reference = new_reference("re_");
  return record(approved_entry(std::move(entry)));
}

const ProviderResult* SimulatedProvider::replay(const std::string& answer_key) {
  const auto found = answers_.find(answer_key);
  return found == answers_.end() ? nullptr : &found->second;
}

ProviderResult SimulatedProvider::record(JournalEntry entry) {
  if (journal_) {
    try {
      journal_->append(entry);
    } catch (const JournalError& error) {
      throw ProviderUnavailable(error.what());
    }
  }
  apply(entry);
  return ProviderResult{entry.approved, entry.decline_code, entry.reference};
}

void SimulatedProvider::apply(const JournalEntry& entry) {
  answers_.insert_or_assign(answer_key(entry.operation, entry.idempotency_key),
                            ProviderResult{entry.approved, entry.decline_code, entry.reference});
  if (!entry.approved) return;
  if (entry.operation == "authorize") {
    authorizations_.emplace(entry.authorization, Authorization{core::Money{entry.amount, entry.currency}});
    ++counts_.authorizations;
    return;
  }
  const auto found = authorizations_.find(entry.authorization);
  if (found == authorizations_.end()) return;  // only approved against a known authorization
  auto& held = found->second;
  if (entry.operation == "capture") {
    held.state = AuthorizationState::captured;
    held.captured = entry.amount;
    ++counts_.captures;
  } else if (entry.operation == "void") {
    if (held.state == AuthorizationState::authorized) {
      held.state = AuthorizationState::voided;
      ++counts_.voids;
    }
  } else if (entry.operation == "refund") {
    held.refunded += entry.amount;
    ++counts_.refunds;
  }
}

std::string SimulatedProvider::new_reference(std::string_view prefix) {
  return std::string(prefix) + core::random_hex(random_, 12);
}

}  // namespace orderly::payments
