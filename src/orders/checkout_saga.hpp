#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "catalog/api/stock_reservations.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "orders/order.hpp"
#include "orders/saga_store.hpp"
#include "orders/user_directory.hpp"
#include "payments/api/payments_client.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::orders {

struct CheckoutSagaOptions {
  unsigned max_attempts = 6;  // transient errors per forward step before payment_failed
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_max{30'000};
  std::chrono::milliseconds lease{60'000};
};

// The checkout saga of one order, after its 201 (its stock already reserved
// at the catalog by the order id):
//
//   authorize ──approved──> capture + confirm stock ──> done (order paid, order.paid)
//       │declined               │declined / cancelled meanwhile / stock expired
//       v                       v
//     done (cancelled          void ──declined (already captured)──> refund ──> done
//     payment_declined,          │approved                  (stock released, money back)
//     stock released,            v
//     order.cancelled)         done (payment voided)
//
// A paid order cancelled later restarts the saga at `refund`. Every
// transition (payment row, order status, event, next step) commits in one
// transaction guarded by the runner's lease, so a crash between two
// transitions resumes at the last recorded step. The other services are
// called outside those transactions and are idempotent by order id: the
// payments service derives the provider's key from the order id and the
// operation, so a repeated or resumed call gets the provider's first answer
// and a card is charged at most once; the catalog's confirm and release
// repeat harmlessly. core::ServiceUnavailable (payments, its provider or the
// catalog) is retried with full-jitter back-off; after `max_attempts` on
// authorize or capture the order is cancelled with payment_failed and any
// authorization voided. Compensations (void, refund) retry until they
// succeed. The stock of an order the saga cancels is released after the
// commit, best effort (an unconfirmed reservation also expires by itself);
// a confirmed one is released by the refund step, which retries. Orders
// never sees a card number. Thread-safe (no state but its collaborators').
class CheckoutSaga {
 public:
  enum class Outcome {
    finished,  // done or parked: nothing more to do
    waiting,   // a transient error: the saga is due again later (lease released)
    lost,      // another runner took it over (our lease expired)
  };

  CheckoutSaga(store::Store& store, catalog::StockReservations& stock, payments::PaymentsClient& payments,
               queue::EventOutbox& outbox, UserDirectory& users, const core::Clock& clock, core::Random& random,
               CheckoutSagaOptions options);

  // Runs the saga of `order_id`, claimed by `owner` (saga_store::claim*),
  // until it finishes or must wait. Store errors propagate; the saga is then
  // retried once its lease runs out.
  boost::asio::awaitable<Outcome> run(std::string order_id, std::string owner);

  [[nodiscard]] const CheckoutSagaOptions& options() const { return options_; }

 private:
  struct Context;
  using StepResult = std::optional<Outcome>;  // nullopt: go on with the next step

  boost::asio::awaitable<StepResult> authorize(Context& context);
  boost::asio::awaitable<StepResult> capture(Context& context);
  boost::asio::awaitable<StepResult> void_authorization(Context& context);
  boost::asio::awaitable<StepResult> refund(Context& context);

  using Changes = std::function<boost::asio::awaitable<void>(store::Transaction&)>;
  using Decide = std::function<SagaTransition()>;
  // Writes `changes` and the saga's next state in one transaction, the next
  // state chosen by `decide` after `changes` ran (it may depend on what they
  // read); after the commit, releases the stock of an order it cancelled.
  boost::asio::awaitable<void> commit(Context& context, Changes changes, Decide decide);
  boost::asio::awaitable<void> move_to(Context& context, std::string_view step, Changes changes);
  // Cancels the order (if still pending) within `tx`; its stock goes back after the commit.
  boost::asio::awaitable<void> cancel_if_pending(store::Transaction& tx, Context& context, std::string reason);
  boost::asio::awaitable<StepResult> retry_later(Context& context, std::string error);
  // The provider stayed unavailable past the attempt limit: cancel with
  // payment_failed and go to the void step, which voids any authorization
  // one of the timed-out calls may still have made.
  boost::asio::awaitable<StepResult> give_up(Context& context);
  [[nodiscard]] SagaTransition step_to(std::string_view step) const;

  store::Store& store_;
  catalog::StockReservations& stock_;
  payments::PaymentsClient& payments_;
  queue::EventOutbox& outbox_;
  UserDirectory& users_;
  const core::Clock& clock_;
  core::Random& random_;
  CheckoutSagaOptions options_;
};

}  // namespace orderly::orders
