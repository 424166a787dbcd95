// The high-availability profile (`scripts/cluster up --ha`, one cluster for
// the whole binary: tests/cluster/cluster_target.cpp with
// ORDERLY_CLUSTER_PROFILE=ha; the purchase suite runs against it too):
// three etcd members, PostgreSQL under Patroni (a leader, a synchronous
// standby, an async replica), two instances of every service and two
// gateways. A crash of the leader's node (Patroni and postgres killed
// together) costs purchases one failover: an order placed with retries and
// one Idempotency-Key is acknowledged within 30 s, through the other gateway,
// with no 500 on the way, and the old leader rejoins as a standby.
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

// What `command` prints on stdout.
std::string capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    ::pclose(pipe);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

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
  // The status line of NAME (its first word), or empty.
  static std::string status_line(const std::string& name) {
    const auto status = capture(std::string(ORDERLY_SOURCE_DIR) + "/scripts/cluster status --dir " + cluster().dir());
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
  const auto status = capture(std::string(ORDERLY_SOURCE_DIR) + "/scripts/cluster status --dir " + cluster().dir());
  for (const std::string name : {"etcd-1", "etcd-2", "etcd-3", "patroni-1", "patroni-2", "patroni-3", "auth-2",
                                 "payments-2", "notify-2", "gateway-1", "gateway-2", "provider-1"}) {
    EXPECT_NE(status_line(name).find(" ready"), std::string::npos) << name << " in:\n" << status;
  }
  const auto node = leader();
  ASSERT_FALSE(node.empty()) << status;
  EXPECT_NE(status_line(node).find(" leader"), std::string::npos) << status;
  std::size_t leaders = 0;
  for (std::size_t at = status.find(" leader"); at != std::string::npos; at = status.find(" leader", at + 1)) ++leaders;
  EXPECT_EQ(leaders, 1U) << status;
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
    } else if (answer && answer->status != 201) {
      ++other;
      other_statuses += std::to_string(answer->status) + " ";
    }
    if (!(answer && answer->status == 201)) std::this_thread::sleep_for(200ms);  // client back-off
  }
  const auto acknowledged_after = seconds_since(killed_at);
  std::cerr << "ha: leader " << old_leader << " killed; an order with retries acknowledged after " << acknowledged_after
            << " s (" << unavailable << " answers 503 on the way); new leader " << leader() << "\n";
  ASSERT_TRUE(answer && answer->status == 201) << "no order acknowledged within 30 s of the crash";
  EXPECT_EQ(other, 0) << "answers other than 201 and 503 during the failover: " << other_statuses;
  const auto order_id = std::string(boost::json::parse(answer->body).at("id").as_string());
  const auto settled = shop.wait_settled(buyer, order_id, 60s);
  ASSERT_TRUE(settled) << order_id << " still pending after the failover";
  EXPECT_EQ(settled->at("status").as_string(), "paid");

  const auto new_leader = leader();
  EXPECT_FALSE(new_leader.empty());
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
  const auto line = status_line(old_leader);
  EXPECT_TRUE(line.find("replica") != std::string::npos || line.find("sync-standby") != std::string::npos) << line;
  EXPECT_EQ(leader(), new_leader) << "the rejoining node must not take the lead back";
}

}  // namespace
}  // namespace orderly::testing
