// Fault test: the outbox relay process is killed with SIGKILL between
// publishing messages and marking them sent, then started again. Every
// committed message must be delivered at least once, and a consumer that
// records its effect through the inbox must apply each exactly once.
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "core/test_servers.hpp"
#include "queue/inbox.hpp"
#include "queue/outbox.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_test_support.hpp"

namespace orderly::queue {
namespace {

using core::run_sync;
using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr int kMessages = 200;
constexpr int kDieAfter = 73;

constexpr store::Statement kEffects{"fault.effects_table",
                                    "CREATE TABLE effects (message_id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ)"};
constexpr store::Statement kApply{"fault.apply", "INSERT INTO effects (message_id, applied_at) VALUES ($1, now())"};
constexpr store::Statement kCountEffects{"fault.count_effects", "SELECT COUNT(*) AS n FROM effects"};
constexpr store::Statement kUnsent{"fault.unsent", "SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL"};

// Runs the relay tool and returns its wait status.
int run_relay(const std::string& pg_uri, const std::string& amqp_uri, const std::string& extra = {}) {
  const auto command = std::string("exec '") + ORDERLY_RELAY_TOOL + "' '" + pg_uri + "' '" + amqp_uri + "' " + extra;
  return std::system(command.c_str());
}

TEST(RelayCrash, KilledBetweenPublishAndMarkSentEveryMessageHasExactlyOneEffect) {
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  store::postgres::testing::SchemaStore schema_store(metrics);
  store::Store& store = schema_store;  // through the interface (its default arguments)
  run_sync(store::migrate(store, store::orderly_migrations()));
  run_sync(store.execute(kEffects));
  const auto queue = "orderly-relay-crash." + std::to_string(std::random_device{}());
  const auto amqp = orderly::testing::test_server_setting("ORDERLY_TEST_AMQP");

  run_sync(store.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    for (int i = 0; i < kMessages; ++i) {
      Message message{"order-" + std::to_string(i), queue, "order.paid", 1, "{}", "", ""};  // named: docs/coroutines.md
      co_await add_to_outbox(tx, std::move(message), clock, random);
    }
  }));

  store::ReadOptions primary;
  primary.allow_replica = false;
  const auto crashed = run_relay(schema_store.schema().primary_uri(), amqp, "--die-after " + std::to_string(kDieAfter));
  ASSERT_TRUE(WIFSIGNALED(crashed) && WTERMSIG(crashed) == SIGKILL) << "the relay was not killed: status " << crashed;
  EXPECT_EQ(run_sync(store.query(kUnsent, {}, primary)).first().int64("n"), kMessages)
      << "the killed batch never committed: its published rows are still unsent";

  const auto restarted = run_relay(schema_store.schema().primary_uri(), amqp);
  ASSERT_TRUE(WIFEXITED(restarted) && WEXITSTATUS(restarted) == 0) << "status " << restarted;
  EXPECT_EQ(run_sync(store.query(kUnsent, {}, primary)).first().int64("n"), 0);

  // The consumer: one effect per message, whatever the broker redelivers.
  RabbitBrokerOptions options;
  options.uri = amqp;
  RabbitBroker consumer(clock, random, metrics, options);
  std::map<std::string, int> deliveries;
  int total = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (total < kMessages + kDieAfter && std::chrono::steady_clock::now() < deadline) {
    auto batch = run_sync(consumer.receive(queue, 32));
    if (batch.empty()) std::this_thread::sleep_for(20ms);  // pacing a bounded poll
    for (auto& delivery : batch) {
      ++deliveries[delivery.message.id];
      ++total;
      const auto id = delivery.message.id;
      run_sync(store.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
        std::string consumer_name = "fault-test-consumer";
        const bool first = co_await first_delivery(tx, id, std::move(consumer_name));
        if (!first) co_return;
        auto effect = store::params(id);
        co_await tx.execute(kApply, std::move(effect));
      }));
      run_sync(consumer.ack(std::move(delivery)));
    }
  }
  EXPECT_EQ(deliveries.size(), static_cast<std::size_t>(kMessages)) << "a committed message was never delivered";
  EXPECT_EQ(total, kMessages + kDieAfter) << "the messages published before the crash are delivered again";
  EXPECT_EQ(run_sync(store.query(kCountEffects, {}, primary)).first().int64("n"), kMessages)
      << "the inbox must turn redelivery into exactly one effect";
}

}  // namespace
}  // namespace orderly::queue
