#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/random.hpp"
#include "payments/payment_provider.hpp"
#include "payments/provider_journal.hpp"

namespace orderly::payments {

// How the simulator treats a card number: API.md's table of test cards.
enum class TestCardBehaviour { approve, decline, insufficient_funds, transient_error, slow_answer };

// 4000000000000002 declines (card_declined), 4000000000009995 declines
// (insufficient_funds), 4000000000000119 fails transiently, 4000000000003220
// answers slowly; every other number (4242424242424242 ...) is approved.
[[nodiscard]] TestCardBehaviour test_card_behaviour(std::string_view number);

struct SimulatorOptions {
  // The slow card's first answer for a key takes this long (make it longer
  // than the client's timeout); a retry with the same key answers at once.
  std::chrono::milliseconds slow_answer{3'000};
  // Calls per idempotency key for which the transient card fails with
  // ProviderUnavailable before the call is approved.
  unsigned transient_failures = 1;
  // The journal file that makes the answers survive a restart (see
  // ProviderJournal); empty: memory only, everything lost on restart.
  std::filesystem::path journal;
};

// What the simulator has done, for tests: each counts operations that took
// effect (a replay with the same key counts nothing). With a journal, the
// effects replayed at start-up are counted too; `calls` counts this
// process's calls only.
struct SimulatorCounts {
  std::int64_t calls = 0;           // every call, replays and failures included
  std::int64_t authorizations = 0;  // approved authorizations: money held on a card
  std::int64_t captures = 0;        // charges
  std::int64_t voids = 0;
  std::int64_t refunds = 0;
};

// A payment provider that behaves like a real one's test mode, for embedded
// mode, the tests and `orderly provider-sim`. It is a simulator, not a
// ledger: nothing is ever forgotten and its memory grows with the keys seen.
//
// State lives in maps guarded by one mutex: the answer given for each
// (operation, idempotency key), the authorizations with what was captured and
// refunded, and the transient failures per key. Every answer is remembered
// before it is sent, so a repeat of a key (even while the slow first answer
// is still on its way) gets the same answer and never charges again. A
// repeat with different arguments also gets the first answer.
//
// With a journal (SimulatorOptions::journal), each new answer is first
// appended to it and synced (fdatasync, under the mutex: a simulator may be
// slow), then applied to the maps, which are only an index of the journal;
// construction replays the journal into them. So an authorization made before
// a crash can be captured or voided after it, and a repeated key gets its
// first answer across restarts. A journal that cannot be written makes the
// call ProviderUnavailable (nothing changed; retry with the same key). The
// transient card's failure counts are not journaled: after a restart it fails
// again, like a new outage.
//
// The slow answer waits on an asio timer on the caller's executor: no thread
// is blocked. Thread-safe.
class SimulatedProvider final : public PaymentProvider {
 public:
  // `random` (for references) must outlive the provider and be thread-safe.
  // Throws JournalError when the journal cannot be opened or is corrupt.
  SimulatedProvider(SimulatorOptions options, core::Random& random);
  ~SimulatedProvider() override;

  boost::asio::awaitable<ProviderResult> authorize(std::string idempotency_key, CardDetails card,
                                                   core::Money amount) override;
  boost::asio::awaitable<ProviderResult> capture(std::string idempotency_key, std::string authorization,
                                                 core::Money amount) override;
  boost::asio::awaitable<ProviderResult> void_authorization(std::string idempotency_key,
                                                            std::string authorization) override;
  boost::asio::awaitable<ProviderResult> refund(std::string idempotency_key, std::string authorization,
                                                core::Money amount) override;

  [[nodiscard]] SimulatorCounts counts() const;

 private:
  enum class AuthorizationState { authorized, captured, voided };
  struct Authorization {
    core::Money amount;
    std::int64_t captured = 0;
    std::int64_t refunded = 0;
    AuthorizationState state = AuthorizationState::authorized;
  };
  struct Decision {
    ProviderResult result;
    bool slow = false;
  };

  Decision decide_authorization(const std::string& key, const CardDetails& card, const core::Money& amount);
  ProviderResult decide_capture(const std::string& key, const std::string& authorization, const core::Money& amount);
  ProviderResult decide_void(const std::string& key, const std::string& authorization);
  ProviderResult decide_refund(const std::string& key, const std::string& authorization, const core::Money& amount);

  // The remembered answer to (operation, key), if any. Caller holds mutex_.
  const ProviderResult* replay(const std::string& answer_key);
  // Journals a new answer (when there is a journal), then applies it. Caller holds mutex_.
  ProviderResult record(JournalEntry entry);
  // The answer's effect on the maps and counts; also the journal's replay.
  void apply(const JournalEntry& entry);
  std::string new_reference(std::string_view prefix);

  SimulatorOptions options_;
  core::Random& random_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, ProviderResult> answers_;
  std::unordered_map<std::string, unsigned> transient_failures_;
  std::unordered_map<std::string, Authorization> authorizations_;
  SimulatorCounts counts_;
  std::unique_ptr<ProviderJournal> journal_;  // null: memory only
};

}  // namespace orderly::payments
