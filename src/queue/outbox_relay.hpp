#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/metrics.hpp"
#include "queue/broker.hpp"
#include "store/store.hpp"

namespace orderly::queue {

struct OutboxRelayOptions {
  std::size_t batch_size = 100;  // rows claimed (and held locked) per relay_once
};

// Moves messages from the outbox table (written by add_to_outbox in a data
// transaction, queue/outbox.hpp) to the broker. Meant for PostgreSQL +
// RabbitMQ; it runs on SQLite too, where the store's single writer already
// serialises relays (embedded mode needs no relay: EmbeddedBroker::enqueue is
// its outbox).
//
// relay_once(), in one store transaction: claims up to batch_size unsent rows,
// oldest created_at first, with SELECT ... FOR UPDATE SKIP LOCKED; publishes
// each through Broker::publish, which returns only once the broker confirmed
// it; marks it sent (sent_at = now(), attempts + 1); commits. A failed publish
// records attempts + 1 and last_error on that row, leaves it unsent and ends
// the batch, so a later message never overtakes an earlier one of the same
// relay. Returns how many messages were published and marked sent.
//
// Guarantee: at least once. A crash (or a failed COMMIT) after the broker's
// confirm and before the commit leaves the row unsent, and it is published
// again; consumers dedupe by message id with the inbox (queue/inbox.hpp). A
// message is never lost: its row is only marked sent in the transaction that
// follows its confirm. Several relays (threads, processes, hosts) may run at
// once: SKIP LOCKED gives each a disjoint set of rows, and a row is claimed
// again only after its claimer committed (then it is sent) or rolled back.
// Order is by created_at within one relay; across relays, batches interleave.
// A row that always fails stops its relay at that row (head of line) until it
// succeeds; attempts and last_error show which.
//
// Holding the row locks across the confirms (a network call inside a
// transaction, which Store::transaction otherwise advises against) is
// acceptable here: the locks cover only claimed outbox rows, which no
// application transaction updates (they only insert new rows) and which other
// relays skip, so nobody waits on them. The cost is one primary connection
// per running relay for at most batch_size confirms (a failure ends the batch
// after one confirm_timeout). In return a relay that dies mid-batch needs no
// lease or recovery: its connection closes, the locks go, and the rows are
// claimed again.
//
// Metrics (the registry must outlive the relay):
//   orderly_outbox_published_total{queue}  messages confirmed and marked sent
//   orderly_outbox_failures_total{queue}   publishes that failed (row left unsent)
//   orderly_outbox_batches_total{outcome}  relay_once calls, by outcome: idle
//     (nothing to send), drained (fewer rows than batch_size, all sent), full
//     (a whole batch sent: more are probably waiting; a steadily rising rate
//     means the relays fall behind), failed (stopped at a failed publish).
// Counted after the commit. relay_once keeps no state between calls, so
// several may run at once (from coroutines on any loops the store accepts).
class OutboxRelay {
 public:
  OutboxRelay(store::Store& store, Broker& broker, core::metrics::Registry& metrics, OutboxRelayOptions options = {});

  boost::asio::awaitable<std::size_t> relay_once();

 private:
  struct Batch {
    std::size_t claimed = 0;
    std::vector<std::string> published_queues;  // one entry per message sent
    std::vector<std::string> failed_queues;     // at most one: a failure ends the batch
  };

  boost::asio::awaitable<void> relay_batch(store::Transaction& tx, Batch& batch);
  void record(const Batch& batch);

  store::Store& store_;
  Broker& broker_;
  OutboxRelayOptions options_;
  core::metrics::Family<core::metrics::Counter>& published_;
  core::metrics::Family<core::metrics::Counter>& failures_;
  core::metrics::Family<core::metrics::Counter>& batches_;
};

}  // namespace orderly::queue
