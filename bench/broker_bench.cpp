// orderly_broker_bench: messages per second through a queue::Broker, publish
// to ack. P publisher coroutines publish N messages in total (each publish
// awaited: on RabbitMQ that means confirmed); C consumer coroutines receive in
// batches and ack until all N are acked, bounded by a timeout. bench/broker.sh
// runs it against the embedded broker and RabbitMQ.
//
//   orderly_broker_bench --broker embedded --path FILE [options]
//   orderly_broker_bench --broker rabbitmq --uri URI [options]
//   options: --messages N (5000) --consumers C (2) --publishers P (2)
//            --batch B (32) --threads T (min(2, P + C)) --timeout S (120)
//
// Prints one line: messages=<n> seconds=<s> msgs_per_s=<x> publish_per_s=<y>
// (seconds and msgs_per_s: first publish to last ack; publish_per_s: first
// publish to the last publish's return). Exits 1 when not every message was
// acked in time or a publish failed.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/run_sync.hpp"
#include "queue/broker.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/message.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

namespace asio = boost::asio;
namespace queue = orderly::queue;
namespace store = orderly::store;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view kCreatedAt = "2026-11-21T00:00:00Z";
constexpr std::string_view kPayload = "{\"order_id\":1234567,\"total_cents\":14000}";

struct Options {
  std::string broker;
  std::string path;
  std::string uri;
  long messages = 5000;
  int consumers = 2;
  int publishers = 2;
  std::size_t batch = 32;
  int threads = 0;  // 0: min(2, publishers + consumers)
  double timeout = 120;
};

struct Shared {
  std::string queue;
  std::uint64_t total = 0;
  Clock::time_point deadline;
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> publish_failed{0};
  std::atomic<int> publishers_running{0};
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> consume_errors{0};
  std::atomic<std::uint64_t> stale_acks{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::mutex mutex;  // guards everything below
  std::unordered_set<std::string> acked;
  Clock::time_point publish_end;
  Clock::time_point last_ack;
  std::string first_error;

  void error(const std::string& what) {
    const std::lock_guard lock(mutex);
    if (first_error.empty()) first_error = what;
  }
};

// Parsed with CLI11, like the orderly binary: bad values get a clear message and exit 2.
Options parse(int argc, char** argv) {
  Options options;
  CLI::App app{"Messages per second through a Broker, publish to ack.", "orderly_broker_bench"};
  app.add_option("--broker", options.broker, "embedded or rabbitmq")
      ->required()
      ->check(CLI::IsMember({"embedded", "rabbitmq"}));
  app.add_option("--path", options.path, "SQLite file (embedded)");
  app.add_option("--uri", options.uri, "amqp:// URI (rabbitmq)");
  app.add_option("--messages", options.messages, "messages in total")->check(CLI::PositiveNumber);
  app.add_option("--consumers", options.consumers, "consuming coroutines")->check(CLI::PositiveNumber);
  app.add_option("--publishers", options.publishers, "publishing coroutines")->check(CLI::PositiveNumber);
  app.add_option("--batch", options.batch, "messages per receive")->check(CLI::PositiveNumber);
  app.add_option("--threads", options.threads, "event loop threads (0: min(2, publishers + consumers))");
  app.add_option("--timeout", options.timeout, "seconds before giving up")->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
    if (options.broker == "embedded" && options.path.empty())
      throw CLI::ValidationError("--broker embedded needs --path");
    if (options.broker == "rabbitmq" && options.uri.empty())
      throw CLI::ValidationError("--broker rabbitmq needs --uri");
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) std::exit(app.exit(error));  // --help
    std::cerr << app.get_name() << ": " << error.what() << "\n";
    std::exit(2);
  }
  if (options.threads <= 0) options.threads = std::min(2, options.publishers + options.consumers);
  return options;
}

// Publisher `index` of `count`: its share of the messages, one awaited publish at a time.
asio::awaitable<void> publisher(queue::Broker* broker, int index, int count, Shared* shared) {
  const auto share = shared->total / static_cast<std::uint64_t>(count) +
                     (static_cast<std::uint64_t>(index) < shared->total % static_cast<std::uint64_t>(count) ? 1 : 0);
  for (std::uint64_t i = 0; i < share && !shared->stop.load(); ++i) {
    queue::Message message;
    message.id = "bench-" + std::to_string(index) + "-" + std::to_string(i);
    message.queue = shared->queue;
    message.type = "order.placed";
    message.schema_version = 1;
    message.payload = std::string(kPayload);
    message.created_at = std::string(kCreatedAt);
    try {
      co_await broker->publish(std::move(message));
      shared->published.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception& error) {
      shared->publish_failed.fetch_add(1, std::memory_order_relaxed);
      shared->error(std::string("publish: ") + error.what());
      shared->stop = true;  // fail loudly: the count can no longer be reached
    }
  }
  if (shared->publishers_running.fetch_sub(1) == 1) {
    const std::lock_guard lock(shared->mutex);
    shared->publish_end = Clock::now();
  }
}

// Receives batches and acks each message until every message is acked, the
// deadline passes or a publisher failed.
asio::awaitable<void> consumer(queue::Broker* broker, std::size_t batch_size, Shared* shared) {
  asio::steady_timer idle(co_await asio::this_coro::executor);
  while (!shared->stop.load() && Clock::now() < shared->deadline) {
    std::vector<queue::Delivery> batch;
    try {
      std::string name = shared->queue;
      auto received = co_await broker->receive(std::move(name), batch_size);
      batch = std::move(received);
    } catch (const std::exception& error) {
      shared->consume_errors.fetch_add(1, std::memory_order_relaxed);
      shared->error(std::string("receive: ") + error.what());
    }
    if (batch.empty()) {
      idle.expires_after(1ms);
      co_await idle.async_wait(asio::use_awaitable);
      continue;
    }
    for (auto& delivery : batch) {
      std::string id = delivery.message.id;
      bool acked = false;
      try {
        const bool ok = co_await broker->ack(std::move(delivery));
        acked = ok;
      } catch (const std::exception& error) {
        shared->consume_errors.fetch_add(1, std::memory_order_relaxed);
        shared->error(std::string("ack: ") + error.what());
      }
      if (!acked) {
        shared->stale_acks.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const std::lock_guard lock(shared->mutex);
      if (!shared->acked.insert(std::move(id)).second) {
        shared->duplicates.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      shared->last_ack = Clock::now();
      if (shared->acked.size() >= shared->total) shared->stop = true;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  try {
    orderly::core::SystemClock clock;
    orderly::core::FastRandom random;
    orderly::core::metrics::Registry metrics;
    std::random_device seed;
    const std::string queue_name = "orderly-bench." + std::to_string(::getpid()) + "." + std::to_string(seed());

    std::unique_ptr<store::sqlite::SqliteStore> db;
    std::unique_ptr<queue::Broker> broker;
    if (options.broker == "embedded") {
      db = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = options.path}, metrics);
      orderly::core::run_sync(store::migrate(*db, store::orderly_migrations()));
      broker = std::make_unique<queue::EmbeddedBroker>(*db, clock, random, metrics);
    } else {
      queue::RabbitBrokerOptions rabbit;
      rabbit.uri = options.uri;
      rabbit.queues = {queue_name};
      rabbit.prefetch = std::max<std::size_t>(64, options.batch * static_cast<std::size_t>(options.consumers));
      broker = std::make_unique<queue::RabbitBroker>(clock, random, metrics, std::move(rabbit));
    }
    // Declares the queue (RabbitMQ) and opens the connection outside the timed run.
    {
      std::string name = queue_name;
      const auto warmup = orderly::core::run_sync(broker->receive(std::move(name), 1));
      if (!warmup.empty()) throw std::runtime_error("the fresh queue " + queue_name + " is not empty");
    }

    Shared shared;
    shared.queue = queue_name;
    shared.total = static_cast<std::uint64_t>(options.messages);
    shared.publishers_running = options.publishers;
    bool complete = false;
    double elapsed = 0;
    double publish_seconds = 0;
    {
      std::vector<std::unique_ptr<asio::io_context>> loops;
      for (int t = 0; t < options.threads; ++t) loops.push_back(std::make_unique<asio::io_context>(1));
      const auto start = Clock::now();
      shared.deadline =
          start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.timeout));
      std::size_t next_loop = 0;
      auto loop = [&]() -> asio::io_context& { return *loops[next_loop++ % loops.size()]; };
      for (int p = 0; p < options.publishers; ++p) {
        asio::co_spawn(loop(), publisher(broker.get(), p, options.publishers, &shared), asio::detached);
      }
      for (int c = 0; c < options.consumers; ++c) {
        asio::co_spawn(loop(), consumer(broker.get(), options.batch, &shared), asio::detached);
      }
      std::vector<std::thread> threads;
      for (std::size_t t = 1; t < loops.size(); ++t) threads.emplace_back([&loops, t] { loops[t]->run(); });
      loops[0]->run();
      for (auto& thread : threads) thread.join();

      const std::lock_guard lock(shared.mutex);
      complete = shared.acked.size() == shared.total && shared.publish_failed.load() == 0;
      const auto end = complete ? shared.last_ack : Clock::now();
      elapsed = std::chrono::duration<double>(end - start).count();
      if (shared.publishers_running.load() == 0) {
        publish_seconds = std::chrono::duration<double>(shared.publish_end - start).count();
      }
    }

    const auto acked = static_cast<std::uint64_t>(shared.acked.size());
    if (shared.duplicates.load() > 0 || shared.stale_acks.load() > 0 || shared.consume_errors.load() > 0) {
      std::cerr << "orderly_broker_bench: " << shared.duplicates.load() << " redeliveries, " << shared.stale_acks.load()
                << " failed acks, " << shared.consume_errors.load() << " receive/ack errors\n";
    }
    if (!complete) {
      std::cerr << "orderly_broker_bench: FAILED: " << shared.published.load() << " of " << shared.total
                << " published (" << shared.publish_failed.load() << " failed), " << acked << " acked after " << elapsed
                << " s (timeout " << options.timeout << " s)";
      if (!shared.first_error.empty()) std::cerr << "; first error: " << shared.first_error;
      std::cerr << "\n";
      return 1;
    }
    std::printf("messages=%llu seconds=%.3f msgs_per_s=%.1f publish_per_s=%.1f\n",
                static_cast<unsigned long long>(acked), elapsed, static_cast<double>(acked) / elapsed,
                static_cast<double>(shared.total) / publish_seconds);
    std::fflush(stdout);
  } catch (const std::exception& error) {
    std::cerr << "orderly_broker_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
