// The high-availability profile (`scripts/cluster up --ha`, one cluster for
// the whole binary: tests/cluster/cluster_target.cpp with
// ORDERLY_CLUSTER_PROFILE=ha; the purchase suite runs against it too):
// three etcd members, PostgreSQL under Patroni (a leader, a synchronous
// standby, an async replica), two instances of every service and two
// gateways. A crash of the leader's node (Patroni and postgres killed
// together) costs purchases one failover: an order placed with retries and
// one Idempotency-Key is acknowledged within 30 s, through the other gateway,
// with no 500 on the way, and the old leader rejoins as a standby. RabbitMQ
// is a three-node quorum cluster and Redis a primary, a replica and three
// Sentinels: a crash of the queue's leading node or of the Redis primary
// loses no mail and no order.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "cluster/cluster_target.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class HighAvailability : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster().high_availability()) << "run with ORDERLY_CLUSTER_PROFILE=ha";
    ASSERT_TRUE(cluster().up()) << cluster().why();
  }

  static ClusterTarget& cluster() { return ClusterTarget::instance(); }
  static std::string ha_script(const std::string& engine, const std::string& arguments) {
    return std::string(ORDERLY_SOURCE_DIR) + "/scripts/ha/" + engine + " " + arguments;
  }
  // The node that leads now (pg-N), as its Patroni says; empty when none does.
  static std::string leader() { return capture(ha_script("postgres", "leader " + cluster().dir() + "/ha")); }
  // What `scripts/cluster status` prints (a few seconds under load: ask once).
  static std::string status() {
    return capture(std::string(ORDERLY_SOURCE_DIR) + "/scripts/cluster status --dir " + cluster().dir());
  }
  // The line of `status` whose first word is NAME, or empty.
  static std::string status_line(const std::string& status, const std::string& name) {
    std::size_t start = 0;
    while (start < status.size()) {
      auto end = status.find('\n', start);
      if (end == std::string::npos) end = status.size();
      const auto line = status.substr(start, end - start);
      if (line.rfind(name + " ", 0) == 0) return line;
      start = end + 1;
    }
    return {};
  }
  // The public port of the second gateway: a client may use either.
  static std::uint16_t second_gateway() {
    return static_cast<std::uint16_t>(std::stoi(capture("cat " + cluster().dir() + "/run/gateway-2.listen")));
  }
};

TEST_F(HighAvailability, StatusShowsEachEngineProcessAndOneLeader) {
  const auto status = HighAvailability::status();
  for (const std::string name : {"etcd-1", "etcd-2", "etcd-3", "patroni-1", "patroni-2", "patroni-3", "auth-2",
                                 "payments-2", "notify-2", "gateway-1", "gateway-2", "provider-1"}) {
    EXPECT_NE(status_line(status, name).find(" ready"), std::string::npos) << name << " in:\n" << status;
  }
  for (const std::string name : {"rabbit-1", "rabbit-2", "rabbit-3", "sentinel-1", "sentinel-2", "sentinel-3"}) {
    EXPECT_NE(status_line(status, name).find(" running"), std::string::npos) << name << " in:\n" << status;
  }
  const auto node = leader();
  ASSERT_FALSE(node.empty()) << status;
  EXPECT_NE(status_line(status, node).find(" leader"), std::string::npos) << status;
  std::size_t leaders = 0;
  for (std::size_t at = status.find(" leader"); at != std::string::npos; at = status.find(" leader", at + 1)) ++leaders;
  EXPECT_EQ(leaders, 1U) << status;
  // One Redis primary, one replica.
  EXPECT_EQ(status_line(status, "redis-1").find(" primary") == std::string::npos,
            status_line(status, "redis-2").find(" primary") != std::string::npos)
      << status;
  EXPECT_EQ(status.find("down"), std::string::npos) << status;
}

TEST_F(HighAvailability, ALeaderNodeCrashCostsOneRetriedOrderUnderThirtySecondsAndTheOldLeaderRejoins) {
  const std::atomic<std::uint16_t> gateway_2{second_gateway()};
  const ShopClient shop(gateway_2);
  const auto admin = shop.admin_token();
  const auto buyer = shop.customer("failover-buyer@example.com");
  const auto card = shop.add_card(buyer, kCardApproved);
  const auto product = shop.create_product(admin, "HA-FAILOVER", 900, 100);
  // Before the crash, an order goes through as usual.
  const auto before = shop.place(buyer, "ha-before", ShopClient::order_body(product, 1, card));
  ASSERT_TRUE(before && before->status == 201) << (before ? before->body : "no answer");

  const auto old_leader = leader();
  ASSERT_FALSE(old_leader.empty());
  // However the test ends, the node runs again for the tests after it.
  struct Restart {
    std::string name;
    ~Restart() { (void)ClusterTarget::instance().script("start " + name); }
  } restart{old_leader};
  const auto killed_at = Clock::now();
  ASSERT_EQ(cluster().script("kill " + old_leader), 0);  // Patroni and postgres, kill -9: a node crash
  {
    const auto after_kill = status();
    ASSERT_NE(status_line(after_kill, old_leader).find(" down"), std::string::npos) << after_kill;
  }

  // The client retries one order with one key until it is acknowledged.
  std::optional<HttpResponse> answer;
  int unavailable = 0;
  int other = 0;
  std::string other_statuses;
  while (seconds_since(killed_at) < 30 && !(answer && answer->status == 201)) {
    answer = shop.place(buyer, "ha-during", ShopClient::order_body(product, 1, card));
    if (answer && answer->status == 503) {
      ++unavailable;
      EXPECT_TRUE(answer->header("Retry-After").has_value()) << "a 503 without Retry-After";
    } else if (answer && answer->status == 409 &&
               answer->body.find("/problems/idempotency-key-in-use") != std::string::npos) {
      // The attempt the crash interrupted still holds the key until
      // orders.idempotency_lease: the contract's "retry later" answer.
      ++unavailable;
    } else if (answer && answer->status != 201) {
      ++other;
      other_statuses += std::to_string(answer->status) + " ";
    }
    if (!(answer && answer->status == 201)) std::this_thread::sleep_for(200ms);  // client back-off
  }
  const auto acknowledged_after = seconds_since(killed_at);
  std::cerr << "ha: leader " << old_leader << " killed; an order with retries acknowledged after " << acknowledged_after
            << " s (" << unavailable << " answers 503 or 409 in-use on the way); new leader " << leader() << "\n";
  ASSERT_TRUE(answer && answer->status == 201) << "no order acknowledged within 30 s of the crash";
  EXPECT_EQ(other, 0) << "answers other than 201 and 503 during the failover: " << other_statuses;
  const auto order_id = std::string(boost::json::parse(answer->body).at("id").as_string());
  const auto settled = shop.wait_settled(buyer, order_id, 60s);
  ASSERT_TRUE(settled) << order_id << " still pending after the failover";
  EXPECT_EQ(settled->at("status").as_string(), "paid");

  // The order may have been acknowledged before the leader key expired (a
  // store that had not yet seen the crash sent it nowhere); the promotion
  // follows within the key's ttl.
  EXPECT_TRUE(eventually([&] { return !leader().empty(); }, 30s)) << "no new leader within 30 s";
  const auto new_leader = leader();
  EXPECT_NE(new_leader, old_leader);

  // Restarted, the crashed node rewinds and follows the new leader.
  const auto restarted_at = Clock::now();
  ASSERT_EQ(cluster().script("start " + old_leader), 0);
  const auto rest_port = capture("cat " + cluster().dir() + "/ha/run/" + old_leader + ".rest");
  EXPECT_TRUE(eventually(
      [&] {
        return capture("curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:" + rest_port + "/replica") ==
               "200";
      },
      60s))
      << old_leader << " did not rejoin as a standby";
  std::cerr << "ha: " << old_leader << " back as a standby " << seconds_since(restarted_at) << " s after its restart\n";
  const auto line = status_line(status(), old_leader);
  EXPECT_TRUE(line.find("replica") != std::string::npos || line.find("sync-standby") != std::string::npos) << line;
  EXPECT_EQ(leader(), new_leader) << "the rejoining node must not take the lead back";
}


// A crash of the RabbitMQ node that leads the notifications queue loses no
// mail: the outboxes hold events until a node confirms them, the consumers
// move to the surviving nodes, and the quorum queue elects a new leader.
TEST_F(HighAvailability, ARabbitMqNodeCrashLosesNoMailOfAnOrderPlacedAfterIt) {
  const ShopClient shop(cluster().port());
  const auto admin = shop.admin_token();
  const auto buyer = shop.customer("rabbit-crash-buyer@example.com");
  const auto card = shop.add_card(buyer, kCardApproved);
  const auto product = shop.create_product(admin, "HA-RABBIT", 700, 100);

  const auto old_leader = capture(ha_script("rabbitmq", "leader notifications --dir " + cluster().dir() + "/ha/rabbitmq"));
  ASSERT_EQ(old_leader.rfind("rabbit-", 0), 0U) << "no leader of the notifications queue: '" << old_leader << "'";
  struct Restart {
    std::string name;
    ~Restart() { (void)ClusterTarget::instance().script("start " + name); }
  } restart{old_leader};
  const auto killed_at = Clock::now();
  ASSERT_EQ(cluster().script("kill " + old_leader), 0);

  std::optional<HttpResponse> answer;
  while (seconds_since(killed_at) < 30 && !(answer && answer->status == 201)) {
    answer = shop.place(buyer, "ha-rabbit", ShopClient::order_body(product, 1, card));
    if (!(answer && answer->status == 201)) std::this_thread::sleep_for(200ms);  // client back-off
  }
  ASSERT_TRUE(answer && answer->status == 201) << (answer ? answer->body : "no answer");
  const auto order_id = std::string(boost::json::parse(answer->body).at("id").as_string());
  const auto settled = shop.wait_settled(buyer, order_id, 60s);
  ASSERT_TRUE(settled) << order_id << " still pending after the RabbitMQ node crash";
  EXPECT_EQ(settled->at("status").as_string(), "paid");
  // Order received, payment confirmed: both mails, each once.
  EXPECT_TRUE(eventually([&] { return count_mails_containing(cluster().mail_folder(), order_id) >= 2; }, 60s));
  std::cerr << "ha: " << old_leader << " killed; both mails of an order placed after it within "
            << seconds_since(killed_at) << " s\n";
  EXPECT_EQ(count_mails_containing(cluster().mail_folder(), order_id), 2);
  const auto new_leader = capture(ha_script("rabbitmq", "leader notifications --dir " + cluster().dir() + "/ha/rabbitmq"));
  EXPECT_NE(new_leader, old_leader);
}

// A crash of the Redis primary: the Sentinels promote the replica and every
// client (the services' caches and login limits, the gateways' shared rate
// limits) finds it; the store keeps every order, so nothing is lost.
TEST_F(HighAvailability, ARedisPrimaryCrashIsFollowedByEveryClient) {
  const ShopClient shop(cluster().port());
  const auto admin = shop.admin_token();
  const auto primary_of = [&] { return capture(ha_script("redis", "primary --dir " + cluster().dir() + "/ha/redis")); };
  const auto old_primary = primary_of();
  ASSERT_FALSE(old_primary.empty());
  const auto status = capture(ha_script("redis", "status --dir " + cluster().dir() + "/ha/redis"));
  std::string victim;
  for (const std::string name : {"redis-1", "redis-2"}) {
    const auto at = status.find(name + " ");
    if (at != std::string::npos && status.substr(at, status.find('\n', at) - at).find("primary") != std::string::npos) {
      victim = name;
    }
  }
  ASSERT_FALSE(victim.empty()) << status;
  struct Restart {
    std::string name;
    ~Restart() { (void)ClusterTarget::instance().script("start " + name); }
  } restart{victim};
  const auto killed_at = Clock::now();
  ASSERT_EQ(cluster().script("kill " + victim), 0);

  // A login (its limiter counts in Redis and fails closed: 429 while no
  // primary answers) and a product page (the product cache) through the
  // gateway (its route limit counts in Redis) answer 200 once the Sentinels
  // have promoted the replica.
  EXPECT_TRUE(eventually([&] { return primary_of() != old_primary && !primary_of().empty(); }, 30s))
      << "the Sentinels promoted no replica";
  const auto promoted_after = seconds_since(killed_at);
  EXPECT_TRUE(eventually(
      [&] {
        const auto login = shop.call("POST", "/api/v1/auth/login", "",
                                     std::string(R"({"email":")") + kAdminEmail + R"(","password":")" + kAdminPassword + "\"}");
        const auto products = shop.call("GET", "/api/v1/products?limit=5", "");
        return login && login->status == 200 && products && products->status == 200;
      },
      30s));
  std::cerr << "ha: " << victim << " (Redis primary) killed; replica promoted after " << promoted_after
            << " s, logins and products answer after " << seconds_since(killed_at) << " s\n";
  const auto buyer = shop.customer("redis-crash-buyer@example.com");
  const auto card = shop.add_card(buyer, kCardApproved);
  const auto product = shop.create_product(admin, "HA-REDIS", 500, 10);
  // The services whose /readyz named `redis` meanwhile come back into
  // rotation: an order retried with one key goes through.
  std::optional<HttpResponse> placed;
  while (seconds_since(killed_at) < 30 && !(placed && placed->status == 201)) {
    placed = shop.place(buyer, "ha-redis", ShopClient::order_body(product, 1, card));
    if (!(placed && placed->status == 201)) std::this_thread::sleep_for(200ms);  // client back-off
  }
  ASSERT_TRUE(placed && placed->status == 201) << (placed ? placed->body : "no answer");
  std::cerr << "ha: an order acknowledged " << seconds_since(killed_at) << " s after the Redis primary died\n";
}

}  // namespace
}  // namespace orderly::testing
