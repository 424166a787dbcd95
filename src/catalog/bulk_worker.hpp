#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>

#include <boost/asio/awaitable.hpp>

#include "catalog/product_importer.hpp"
#include "queue/broker.hpp"
#include "queue/consumer_loop.hpp"

namespace orderly::catalog {

struct BulkWorkerOptions {
  std::chrono::milliseconds poll_interval{250};  // the wait when the queue is empty
  std::size_t prefetch = 1;                      // messages received at once (each import is long)
};

// The consumer of the "bulk" queue: receives catalog.import messages and runs
// their jobs (ProductImporter). A job that finished, was already finished
// (a redelivery) or is being finished by another worker is acked; a failure
// is nacked, so the broker retries it with back-off and dead-letters it after
// its delivery limit; a message of an unknown type or schema is nacked too.
// At-least-once delivery is safe: the importer resumes a job from its saved
// progress and never imports a line twice.
//
// One worker runs its loop on one event loop; embedded mode starts it inside
// `orderly serve` (app/catalog_wiring.hpp), a later `orderly worker bulk`
// role would run the same loop on its own.
class BulkWorker {
 public:
  BulkWorker(queue::Broker& broker, ProductImporter& importer, BulkWorkerOptions options)
      : broker_(broker), importer_(importer), options_(options) {}

  // Handles what is due now; returns how many messages it handled.
  boost::asio::awaitable<std::size_t> poll_once();

  // Polls until stop(): an import in progress stops between two batches
  // (its message is left unacked and comes back after the visibility timeout).
  boost::asio::awaitable<void> run();

  // Thread-safe; run() returns within one poll interval or one batch.
  void stop() { stopping_.store(true); }
  [[nodiscard]] bool stopping() const { return stopping_.load(); }

 private:
  boost::asio::awaitable<void> handle(queue::Delivery delivery);
  [[nodiscard]] queue::ConsumerLoopOptions loop_options() const;

  queue::Broker& broker_;
  ProductImporter& importer_;
  BulkWorkerOptions options_;
  std::atomic<bool> stopping_{false};
};

}  // namespace orderly::catalog
