#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "store/store.hpp"

namespace orderly::orders {

// Checkout saga steps, as stored. `done` and `parked` (needs an operator) are final.
inline constexpr std::string_view kStepAuthorize = "authorize";
inline constexpr std::string_view kStepCapture = "capture";
inline constexpr std::string_view kStepVoid = "void";
inline constexpr std::string_view kStepRefund = "refund";
inline constexpr std::string_view kStepDone = "done";
inline constexpr std::string_view kStepParked = "parked";

struct SagaState {
  std::string order_id;
  std::string step;
  std::int64_t attempts = 0;  // transient failures of the current step
  std::int64_t runs = 0;      // times a runner claimed it (a run > 1 may follow a crash mid-call)
  std::optional<std::string> last_error;
};

// A transition found the saga claimed by another runner (our lease ran out):
// the caller's transaction must roll back and the run stop.
class SagaLeaseLost : public std::runtime_error {
 public:
  SagaLeaseLost() : std::runtime_error("checkout saga lease lost") {}
};

// What the next state of a saga is, written by transition().
struct SagaTransition {
  std::string_view step;
  std::int64_t attempts = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::optional<std::string> last_error;
  // true: keep running it (the lease is extended); false: let it go (a
  // retry later, or a final step) so any runner may claim it when due.
  bool keep_lease = true;
};

// The checkout_sagas table: one row per order, claimed by runners with a
// lease (owner + expiry) so two processes never run one saga at once.
// Functions only; thread-safe.
namespace saga_store {

// A new saga at its first step, due at once, as part of the order's transaction.
boost::asio::awaitable<void> insert(store::Transaction& tx, std::string order_id, std::int64_t now_ms);

// Claims up to `limit` due, unleased (or lease-expired) sagas for `owner`
// until `lease_until_ms`. On PostgreSQL the candidates are locked with
// FOR UPDATE SKIP LOCKED, so concurrent runners claim disjoint sets.
boost::asio::awaitable<std::vector<std::string>> claim_due(store::Store& store, std::string owner,
                                                           std::int64_t now_ms, std::int64_t lease_until_ms,
                                                           std::int64_t limit);

// Claims one saga whatever its due time (a wake-up after a cancel); false
// when it is final or leased by someone else.
boost::asio::awaitable<bool> claim(store::Store& store, std::string order_id, std::string owner, std::int64_t now_ms,
                                   std::int64_t lease_until_ms);

boost::asio::awaitable<std::optional<SagaState>> find(store::Store& store, std::string order_id);

// Moves a saga owned by `owner` on. Throws SagaLeaseLost when `owner` no
// longer holds it.
boost::asio::awaitable<void> transition(store::Transaction& tx, std::string order_id, std::string owner,
                                        SagaTransition next, std::int64_t now_ms, std::int64_t lease_until_ms);

// Makes an unfinished saga due now (its order changed under it: cancelled).
boost::asio::awaitable<void> make_due(store::Transaction& tx, std::string order_id, std::int64_t now_ms);

// Starts the refund of a finished checkout (a paid order cancelled).
boost::asio::awaitable<void> start_refund(store::Transaction& tx, std::string order_id, std::int64_t now_ms);

// Embedded start-up: the only process restarted, so no lease is held; every
// unfinished saga becomes claimable at once. Never call it where other
// processes share the database.
boost::asio::awaitable<std::int64_t> release_all_leases(store::Store& store);

// Unfinished sagas (for start-up logs and tests).
boost::asio::awaitable<std::int64_t> count_unfinished(store::Store& store);

}  // namespace saga_store
}  // namespace orderly::orders
