// The scale-out platform of `scripts/cluster up` (one cluster for the whole
// binary, tests/cluster/cluster_target.cpp; the purchase suite runs against
// it too): every service its own process on its own PostgreSQL schema,
// behind the gateway. 200 buyers of a hot product across two catalogs and
// two orders instances get exactly its stock; kill -9 of any one service
// instance during a stream of purchases loses no acknowledged order; the
// outbox relay, a singleton job, moves to the survivor when its holder is
// killed; the product cache and the login and gateway limits are shared
// through Redis; instances find each other in etcd, so one started by hand
// is in rotation within seconds and one stopped leaves it; a CSV import is
// run by the bulk worker through RabbitMQ.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "cluster/cluster_target.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class Cluster : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = cluster().dir();
    maildir_ = cluster().mail_folder();
  }
  void SetUp() override { ASSERT_TRUE(cluster().up()) << cluster().why(); }

  static ClusterTarget& cluster() { return ClusterTarget::instance(); }
  static ShopClient shop() { return ShopClient(cluster().port()); }
  // One admin login for the whole binary: the per-account login limit counts
  // every test's, and a token lasts longer than the suite.
  static std::string admin() {
    static const std::string token = shop().admin_token();
    return token;
  }

  static inline std::string dir_;
  static inline std::string maildir_;
};

std::string id_of(const HttpResponse& response) {
  return std::string(json::parse(response.body).at("id").as_string());
}

// A statement of psql against the cluster's PostgreSQL (trust on loopback), its one value.
std::string sql(const std::string& dir, const std::string& statement) {
  const auto port = capture("cat " + dir + "/servers/run/pg-primary.port");
  auto value = capture("psql -tA 'postgresql://orderly@127.0.0.1:" + port.substr(0, port.find('\n')) +
                       "/orderly' -c \"" + statement + "\"");
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

TEST_F(Cluster, AHotProductSellsExactlyItsStockAcrossTwoCatalogsAndTwoOrdersInstances) {
  constexpr int kStock = 20;
  constexpr int kBuyers = 200;
  const auto admin = Cluster::admin();
  const auto product = shop().create_product(admin, "CLUSTER-HOT", 500, kStock);
  // The buyers sign up 3 at a time (auth hashes signups on one thread with a
  // queue of 4 and sheds the rest), then all buy at once.
  std::vector<std::pair<std::string, std::string>> buyers(kBuyers);  // token, card
  {
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 3; ++w) {
      workers.emplace_back([&] {
        for (int i; (i = next++) < kBuyers;) {
          try {
            const auto token = shop().customer("hot-" + std::to_string(i) + "@example.com");
            buyers[static_cast<std::size_t>(i)] = {token, shop().add_card(token, kCardApproved)};
          } catch (const std::exception& error) {
            if (failed++ == 0) std::cerr << "buyer " << i << ": " << error.what() << "\n";
          }
        }
      });
    }
    for (auto& worker : workers) worker.join();
    ASSERT_EQ(failed, 0) << "buyers that could not sign up";
  }
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> created;  // token, order id
  std::map<int, int> statuses;
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i) {
    threads.emplace_back([&, i] {
      const auto& [token, card] = buyers[static_cast<std::size_t>(i)];
      const auto answer = shop().place(token, "hot-" + std::to_string(i), ShopClient::order_body(product, 1, card));
      const std::lock_guard lock(mutex);
      ++statuses[answer ? answer->status : 0];
      if (answer && answer->status == 201) created.emplace_back(token, id_of(*answer));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(statuses[201], kStock);
  EXPECT_EQ(statuses[409], kBuyers - kStock) << "the rest refused as out of stock";
  for (const auto& [token, id] : created) {
    const auto settled = shop().wait_settled(token, id, 60s);
    ASSERT_TRUE(settled);
    EXPECT_EQ(settled->at("status").as_string(), "paid");
  }
  EXPECT_EQ(shop().stock_of(product), 0);
  // Catalog's own rows: one confirmed reservation per paid order, none still held.
  const auto of_product = " FROM catalog.stock_reservations r JOIN catalog.stock_reservation_lines l USING (order_id)"
                          " WHERE l.product_id = '" + product + "'";
  EXPECT_TRUE(eventually([&] { return sql(dir_, "SELECT count(*)" + of_product + " AND r.status = 'confirmed'") ==
                                      std::to_string(kStock); }, 30s));
  EXPECT_EQ(sql(dir_, "SELECT count(*)" + of_product + " AND r.status = 'reserved'"), "0");
}

// A stream of purchases with client retries while one instance is killed
// with SIGKILL, for each service in turn. An instance with a twin (orders-2,
// catalog-2) stays dead until every order has settled, so the survivor must
// take over the sagas; a single instance is started again at once (nothing
// can be ordered without it), with the sagas of the orders before it in
// flight. Every acknowledged order ends paid, captured once for its amount,
// its stock taken once, and mailed once for each of its two events.
TEST_F(Cluster, AKillNineOfAnyServiceInstanceLeavesEveryAcknowledgedOrderSettledOnce) {
  constexpr int kOrders = 12;
  constexpr std::int64_t kPrice = 700;
  const auto admin = Cluster::admin();
  const auto buyer = shop().customer("kill-buyer@example.com");
  const auto card = shop().add_card(buyer, kCardApproved);
  for (const std::string victim : {"orders-2", "catalog-2", "payments-1", "notify-1", "email-1", "auth-1"}) {
    SCOPED_TRACE(victim);
    const bool has_twin = victim == "orders-2" || victim == "catalog-2";
    const auto product = shop().create_product(admin, "KILL-" + victim, kPrice, 1000);
    // However the test ends, the victim is running again for the next one.
    struct Restart {
      const std::string& name;
      ~Restart() { (void)ClusterTarget::instance().script("start " + name); }  // a no-op when it runs
    } restart{victim};
    std::vector<std::string> acknowledged;
    for (int i = 0; i < kOrders; ++i) {
      if (i == 4) {
        ASSERT_EQ(cluster().script("kill " + victim), 0);
        if (!has_twin) {
          ASSERT_EQ(cluster().script("start " + victim), 0);
        }
      }
      // The client retries with its key until answered: the gateway takes
      // the dead instance out, or the single one comes back.
      const auto key = "kill-" + victim + "-" + std::to_string(i);
      std::optional<HttpResponse> answer;
      for (int attempt = 0; attempt < 300 && !(answer && answer->status == 201); ++attempt) {
        answer = shop().place(buyer, key, ShopClient::order_body(product, 1, card));
        if (!(answer && answer->status == 201)) std::this_thread::sleep_for(100ms);  // client back-off
      }
      ASSERT_TRUE(answer && answer->status == 201) << "order " << i << " never acknowledged";
      acknowledged.push_back(id_of(*answer));
    }
    for (const auto& id : acknowledged) {
      const auto settled = shop().wait_settled(buyer, id, 60s);
      ASSERT_TRUE(settled) << id << " still pending: the saga did not move on";
      EXPECT_EQ(settled->at("status").as_string(), "paid") << id;
      const auto payment = shop().payment_of(buyer, id);
      ASSERT_TRUE(payment);
      EXPECT_EQ(payment->at("status").as_string(), "captured") << id;
      EXPECT_EQ(payment->at("amount").at("amount").as_int64(), kPrice) << id;
    }
    EXPECT_TRUE(eventually([&] { return shop().stock_of(product) == 1000 - kOrders; }, 10s));
    for (const auto& id : acknowledged) {
      EXPECT_TRUE(eventually([&] { return count_mails_containing(maildir_, id) >= 2; }, 60s)) << id;
      EXPECT_EQ(count_mails_containing(maildir_, id), 2) << id << ": one mail per event";
    }
  }
}

// True when the instance's /metrics says it holds the lease of `job`.
bool leads(const std::string& dir, const std::string& name, const std::string& job) {
  std::string port;
  std::ifstream(dir + "/run/" + name + ".ops") >> port;
  const auto metrics = capture("curl -s -m 2 http://127.0.0.1:" + port + "/metrics");
  return metrics.find("orderly_job_leader{job=\"" + job + "\"} 1") != std::string::npos;
}

// A command of redis-cli against the cluster's Redis, its password passed in
// the environment (never on the command line).
std::string redis(const std::string& dir, const std::string& arguments) {
  const auto port = capture("cat " + dir + "/servers/run/redis.port");
  return capture("REDISCLI_AUTH=$(cat " + dir + "/redis.password) redis-cli -p " + port.substr(0, port.find('\n')) +
                 " " + arguments);
}

std::uint16_t listen_port(const std::string& dir, const std::string& name) {
  return static_cast<std::uint16_t>(std::stoi(capture("cat " + dir + "/run/" + name + ".listen")));
}

TEST_F(Cluster, CatalogInstancesShareOneProductCacheInRedis) {
  const auto admin = Cluster::admin();
  const auto product = shop().create_product(admin, "CLUSTER-CACHE", 1500, 40);
  const std::atomic<std::uint16_t> one_port{listen_port(dir_, "catalog-1")};
  const std::atomic<std::uint16_t> two_port{listen_port(dir_, "catalog-2")};
  const ShopClient one(one_port);
  const ShopClient two(two_port);
  const auto path = "/api/v1/products/" + product;

  // catalog-2 loads the product into the cache; catalog-1 changes it.
  const auto before = two.call("GET", path, "");
  ASSERT_TRUE(before && before->status == 200);
  EXPECT_NE(before->body.find("\"stock\":40"), std::string::npos) << before->body;
  EXPECT_EQ(redis(dir_, "EXISTS orderly:catalog:product:" + product), "1") << "the copy lives in Redis";
  const auto patched = one.call("PATCH", path, admin, R"({"stock":25})");
  ASSERT_TRUE(patched && patched->status == 200) << (patched ? patched->body : "no answer");

  // A cache per process would keep catalog-2's copy (stock 40) for the cache
  // ttl; the shared one was invalidated by catalog-1.
  const auto after = two.call("GET", path, "");
  ASSERT_TRUE(after && after->status == 200);
  EXPECT_NE(after->body.find("\"stock\":25"), std::string::npos) << after->body;
}

// How many limiter scripts Redis has run (EVALSHA, or EVAL after a script-cache miss).
long long limiter_calls(const std::string& dir) {
  const auto stats = redis(dir, "INFO commandstats");
  long long total = 0;
  for (const std::string command : {"cmdstat_evalsha:calls=", "cmdstat_eval:calls="}) {
    if (const auto at = stats.find(command); at != std::string::npos) total += std::stoll(stats.substr(at + command.size()));
  }
  return total;
}

TEST_F(Cluster, LoginAndGatewayLimitsAreCountedInRedis) {
  (void)shop().admin_token();  // a login of its own, counted now
  const auto login_keys = redis(dir_, "--scan --pattern 'orderly:rate:login-per-account:*'");
  EXPECT_FALSE(login_keys.empty()) << "auth counts login attempts in the shared Redis";

  // Requests on the gateway's limited auth route that auth answers without
  // its own limiters (404): each costs one limiter script in Redis.
  const auto before = limiter_calls(dir_);
  for (int i = 0; i < 20; ++i) {
    const auto answer = shop().call("GET", "/api/v1/auth/no-such-route", "");
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 404);
  }
  EXPECT_GE(limiter_calls(dir_) - before, 20) << "the gateway counts its route limit in the shared Redis";
  EXPECT_EQ(capture("redis-cli -p $(cat " + dir_ + "/servers/run/redis.port) GET x 2>&1").find("NOAUTH"), 0U)
      << "Redis refuses a client without the password";
}

// Requests catalog-N answered on its products routes, from its own metrics.
long long products_served(const std::string& dir, const std::string& name) {
  const auto port = capture("cat " + dir + "/run/" + name + ".ops");
  const auto metrics = capture("curl -s -m 2 http://127.0.0.1:" + port.substr(0, port.find('\n')) + "/metrics");
  long long total = 0;
  for (std::size_t at = 0; (at = metrics.find("orderly_http_requests_total{", at)) != std::string::npos; ++at) {
    const auto end = metrics.find('\n', at);
    const auto line = metrics.substr(at, end - at);
    if (line.find("/api/v1/products") == std::string::npos) continue;
    total += std::stoll(line.substr(line.rfind(' ') + 1));
  }
  return total;
}

TEST_F(Cluster, AStartedCatalogInstanceIsInRotationWithinFiveSecondsAndAStoppedOneLeavesIt) {
  ASSERT_EQ(cluster().script("start catalog-3"), 0);  // returns once /readyz is 200
  const auto ready = std::chrono::steady_clock::now();
  const bool served = eventually([&] {
    (void)shop().call("GET", "/api/v1/products?limit=1", "");
    return products_served(dir_, "catalog-3") > 0;
  }, 15s);
  const auto took = std::chrono::steady_clock::now() - ready;
  EXPECT_TRUE(served) << "the gateway never sent catalog-3 a request: it did not follow the registry";
  std::cout << "catalog-3 in rotation " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms after it was ready\n";
  EXPECT_LT(took, 5s) << "in rotation after "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";

  // A clean stop deregisters first: nothing fails while it leaves.
  ASSERT_EQ(cluster().script("stop catalog-3"), 0);
  for (int i = 0; i < 30; ++i) {
    const auto answer = shop().call("GET", "/api/v1/products?limit=1", "");
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->status, 200) << answer->body;
  }
}

TEST_F(Cluster, TheOutboxRelayMovesToTheSurvivorWhenItsHolderIsKilled) {
  // Exactly one orders instance relays its outbox at a time.
  std::string holder;
  ASSERT_TRUE(eventually([&] {
    const bool one = leads(dir_, "orders-1", "queue.outbox_relay");
    const bool two = leads(dir_, "orders-2", "queue.outbox_relay");
    if (one == two) return false;
    holder = one ? "orders-1" : "orders-2";
    return true;
  }, 20s)) << "no single relay holder among the orders instances";
  const std::string survivor = holder == "orders-1" ? "orders-2" : "orders-1";

  ASSERT_EQ(cluster().script("kill " + holder), 0);
  const auto admin = Cluster::admin();
  const auto product = shop().create_product(admin, "CLUSTER-RELAY", 900, 5);
  const auto buyer = shop().customer("relay-buyer@example.com");
  const auto card = shop().add_card(buyer, kCardApproved);
  std::optional<HttpResponse> placed;
  // The gateway may still try the dead instance, or not yet trust the one the
  // previous test restarted: the client retries with its key (bounded).
  (void)eventually([&] {
    placed = shop().place(buyer, "relay-1", ShopClient::order_body(product, 1, card));
    return placed && placed->status == 201;
  }, 30s);
  ASSERT_TRUE(placed && placed->status == 201) << (placed ? placed->body : "no answer");
  const auto id = id_of(*placed);
  const auto settled = shop().wait_settled(buyer, id, 30s);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->at("status").as_string(), "paid");
  // The dead holder's lease runs out (10 s) and the survivor takes it: the
  // order's events reach the e-mail worker.
  EXPECT_TRUE(eventually([&] { return leads(dir_, survivor, "queue.outbox_relay"); }, 30s));
  EXPECT_TRUE(eventually([&] { return count_mails_containing(maildir_, id) >= 2; }, 30s))
      << "the order's events were not relayed after the holder died";
  EXPECT_EQ(cluster().script("start " + holder), 0);
}

// How many messages of `queue` the instance acked, from its own metrics.
long long acked(const std::string& dir, const std::string& name, const std::string& queue) {
  const auto port = capture("cat " + dir + "/run/" + name + ".ops");
  const auto metrics = capture("curl -s -m 2 http://127.0.0.1:" + port.substr(0, port.find('\n')) + "/metrics");
  const auto series = "orderly_queue_messages_total{queue=\"" + queue + "\",event=\"acked\"} ";
  const auto at = metrics.find(series);
  return at == std::string::npos ? 0 : std::stoll(metrics.substr(at + series.size()));
}

TEST_F(Cluster, ACsvImportPostedThroughTheGatewayIsRunByTheBulkWorker) {
  const auto admin = Cluster::admin();
  const auto before = acked(dir_, "bulk-1", "bulk");
  const std::string csv =
      "sku,name,description,price_amount,price_currency,stock\r\n"
      "BULK-1,Clustered kettle,\"Steel, 1.7 l\",3900,USD,12\r\n"
      "BULK-2,Broken price,,12.50,USD,1\r\n"
      "BULK-3,Clustered toaster,,2500,EUR,3\r\n";
  const auto accepted = shop().call("POST", "/api/v1/products/import", admin, csv, {{"Content-Type", "text/csv"}});
  ASSERT_TRUE(accepted && accepted->status == 202) << (accepted ? accepted->body : "no answer");
  const auto job_id = std::string(json::parse(accepted->body).at("job_id").as_string());

  json::object job;
  ASSERT_TRUE(eventually([&] {
    const auto polled = shop().call("GET", "/api/v1/jobs/" + job_id, admin);
    if (!polled || polled->status != 200) return false;
    job = json::parse(polled->body).as_object();
    return job.at("status") == "done" || job.at("status") == "failed";
  }, 60s)) << "the import never ended: is bulk-1 consuming the bulk queue?";
  EXPECT_EQ(job.at("status"), "done");
  EXPECT_EQ(job.at("processed").as_int64(), 3) << "every line, the refused one included";
  EXPECT_EQ(job.at("failed").as_int64(), 1);
  EXPECT_GE(acked(dir_, "bulk-1", "bulk") - before, 1) << "bulk-1, the only bulk consumer, ran it";
  const auto found = shop().call("GET", "/api/v1/products?q=clustered", "");
  ASSERT_TRUE(found && found->status == 200);
  EXPECT_EQ(json::parse(found->body).at("items").as_array().size(), 2U) << found->body;
}

}  // namespace
}  // namespace orderly::testing
