// Fault test: `orderly serve` (embedded mode) is killed with SIGKILL at
// random moments while customers keep buying, and started again on the same
// data folder; clients retry every purchase with its Idempotency-Key until
// they get an answer. Afterwards: every order acknowledged with 201 exists,
// each key made at most one order (and every order belongs to a key),
// every order with the approved card is paid and every order with the
// declined card is cancelled as declined, every paid order has exactly one
// "payment confirmed" email, no saga is left unfinished, and the stock adds
// up (initial = sold + remaining + reserved). At the provider, read from the
// simulator's journal in the data folder (it survives the kills): every
// authorization belongs to an order, none is captured twice, a paid order
// holds exactly its total and a cancelled one nothing.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/random.hpp"
#include "payments/provider_journal.hpp"
#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr int kKills = 20;
constexpr int kCustomers = 4;
constexpr std::int64_t kInitialStock = 100'000;
constexpr auto kPurchaseDeadline = 60s;
constexpr auto kReservationTimeout = 15s;  // orders still pending after it are cancelled

class ChaosServer {
 public:
  explicit ChaosServer(std::string data_dir) : data_dir_(std::move(data_dir)) { start(); }

  void start() {
    process_ = std::make_unique<OrderlyProcess>(OrderlyProcess::Options{
        .args = {"serve", "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--data-dir", data_dir_,
                 "--threads", "2", "--set", "orders.saga_backoff_base=50ms", "--set", "orders.saga_backoff_max=500ms",
                 "--set", "payments.provider_timeout=500ms", "--set", "catalog.seed_sample_products=false",
                 // A kill between the reservation and the order's commit leaves stock held
                 // for no order: it comes back after 2 x the timeout (the catalog's expiry).
                 "--set", "orders.reservation_timeout=" + std::to_string(kReservationTimeout.count()) + "s",
                 "--set", "catalog.reservation_sweep_interval=1s"},
        .environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}});
    port.store(process_->port());
  }
  void kill_and_restart() {
    process_->send_signal(SIGKILL);
    (void)process_->wait_exit(10s);
    process_.reset();
    start();
  }

  std::atomic<std::uint16_t> port{0};

 private:
  std::string data_dir_;
  std::unique_ptr<OrderlyProcess> process_;
};

// "Payment confirmed for order <id>" mails per order id, from one pass over the maildir.
std::map<std::string, int> payment_mails(const std::string& data_dir) {
  static const std::string kSubject = "Subject: Payment confirmed for order ";
  std::map<std::string, int> mails;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/maildir/new", ec)) {
    std::ifstream file(entry.path());
    std::string line;
    while (std::getline(file, line)) {  // bounded by the file
      if (!line.starts_with(kSubject)) continue;
      auto id = line.substr(kSubject.size());
      if (!id.empty() && id.back() == '\r') id.pop_back();
      ++mails[id];
      break;
    }
  }
  return mails;
}

TEST(OrdersCrash, KilledServerKeepsEveryAcknowledgedOrderAndChargesOnce) {
  char folder[] = "/tmp/orderly-orders-chaos-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  const std::string data_dir = std::string(folder) + "/data";
  ChaosServer server(data_dir);
  ShopClient shop(server.port);

  const auto admin = shop.admin_token();
  const auto product = shop.create_product(admin, "CHAOS-1", 300, kInitialStock);
  struct Customer {
    std::string token;
    std::string card;
  };
  std::vector<Customer> customers;
  for (int i = 0; i < kCustomers; ++i) {
    auto token = shop.customer("chaos" + std::to_string(i) + "@example.com");
    // One customer in four has a card that is declined: compensations run under crashes too.
    auto card = shop.add_card(token, i == kCustomers - 1 ? kCardDeclined : kCardApproved);
    customers.push_back({std::move(token), std::move(card)});
  }

  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::map<std::string, std::string> order_of_key;  // key -> order id from its 201 answers
  std::set<std::string> out_of_stock_keys;
  std::vector<std::string> failures;
  std::vector<std::thread> clients;
  for (int c = 0; c < kCustomers; ++c) {
    clients.emplace_back([&, c] {
      const auto& customer = customers[static_cast<std::size_t>(c)];
      for (int n = 0; !stop; ++n) {
        const auto key = "chaos-" + std::to_string(c) + "-" + std::to_string(n);
        const auto body = ShopClient::order_body(product, 1 + n % 3, customer.card);
        // The same key until a final answer: through refused connections, 409 while a dead request's key is held, 5xx.
        const bool answered = eventually(
            [&] {
              const auto answer = shop.place(customer.token, key, body);
              if (!answer) return false;
              const std::lock_guard lock(mutex);
              if (answer->status == 201) {
                const auto id = std::string(json::parse(answer->body).at("id").as_string());
                const auto [seen, fresh] = order_of_key.emplace(key, id);
                if (!fresh && seen->second != id) failures.push_back(key + " answered two order ids");
                return true;
              }
              if (answer->status == 409 && answer->body.find("/problems/out-of-stock") != std::string::npos) {
                out_of_stock_keys.insert(key);
                return true;
              }
              if (answer->status == 409 || answer->status >= 500) return false;
              failures.push_back(key + " got " + std::to_string(answer->status) + " " + answer->body);
              return true;
            },
            kPurchaseDeadline);
        if (!answered) {
          const std::lock_guard lock(mutex);
          failures.push_back(key + " never got a final answer");
        }
      }
    });
  }

  core::SeededRandom random(20261122);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + random.next_u64() % 500));  // a random moment
    server.kill_and_restart();
  }
  std::this_thread::sleep_for(300ms);  // let the last run take a few purchases
  stop = true;
  for (auto& client : clients) client.join();
  for (const auto& failure : failures) ADD_FAILURE() << failure;
  ASSERT_GT(order_of_key.size(), static_cast<std::size_t>(kKills)) << "too few purchases to prove anything";

  // Every order the server holds, through the admin's list.
  std::map<std::string, json::object> orders;
  std::string target = "/api/v1/orders?limit=100";
  for (int page = 0; page < 1000; ++page) {
    const auto response = shop.call("GET", target, admin);
    ASSERT_TRUE(response && response->status == 200);
    const auto body = json::parse(response->body).as_object();
    for (const auto& item : body.at("items").as_array()) {
      orders[std::string(item.at("id").as_string())] = item.as_object();
    }
    if (body.at("next_cursor").is_null()) break;
    target = "/api/v1/orders?limit=100&cursor=" + std::string(body.at("next_cursor").as_string());
  }
  std::set<std::string> acknowledged;
  for (const auto& [key, id] : order_of_key) {
    acknowledged.insert(id);
    EXPECT_EQ(orders.count(id), 1U) << "order " << id << " acknowledged with 201 is missing";
  }
  EXPECT_EQ(acknowledged.size(), order_of_key.size()) << "two keys answered with one order";
  for (const auto& [id, order] : orders) {
    EXPECT_EQ(acknowledged.count(id), 1U) << "order " << id << " was made but no key was answered with it";
  }

  // Every saga finishes after the last restart.
  std::map<std::string, json::object> settled;
  for (const auto& id : acknowledged) {
    auto order = shop.wait_settled(admin, id, 30s);
    ASSERT_TRUE(order) << "order " << id << " still pending_payment";
    settled[id] = std::move(*order);
  }

  std::int64_t sold = 0;
  std::int64_t paid = 0;
  std::map<std::string, int> cancel_reasons;
  std::set<std::string> paid_orders;
  const auto& declined_card = customers.back().card;
  for (const auto& [id, order] : settled) {
    const auto payment = shop.payment_of(admin, id);
    ASSERT_TRUE(payment);
    const auto& status = order.at("status").as_string();
    std::int64_t quantity = 0;
    for (const auto& line : order.at("items").as_array()) quantity += line.at("quantity").as_int64();
    if (status == "paid" || status == "shipped") {
      ++paid;
      sold += quantity;
      paid_orders.insert(id);
      EXPECT_EQ(payment->at("status").as_string(), "captured") << id;
    } else {
      EXPECT_EQ(status, "cancelled") << id;
      ++cancel_reasons[std::string(order.at("cancel_reason").as_string())];
      EXPECT_NE(payment->at("status").as_string(), "captured") << "cancelled order " << id << " still charged";
    }
    // The provider keeps its authorizations across the kills, so a crash
    // between authorize and capture no longer turns into a decline.
    if (order.at("payment_method_id").as_string() == declined_card) {
      EXPECT_EQ(status, "cancelled") << id;
      if (status == "cancelled") {
        EXPECT_EQ(order.at("cancel_reason").as_string(), "payment_declined") << id;
      }
    } else {
      EXPECT_TRUE(status == "paid" || status == "shipped") << "order " << id << " with the approved card is " << status;
    }
  }

  // At the provider: captures per order, from the simulator's journal.
  const auto charges =
      payments::charges_by_authorization(payments::read_provider_journal(data_dir + "/provider-sim/ledger.jsonl"));
  std::map<std::string, std::int64_t> charged;  // order id -> captured minus refunded
  std::map<std::string, int> captures;          // order id -> captures
  for (const auto& [authorization, held] : charges) {
    static const std::string kPrefix = "order-";
    static const std::string kSuffix = "-authorize";
    const auto& key = held.authorize_key;
    ASSERT_TRUE(key.starts_with(kPrefix) && key.ends_with(kSuffix))
        << "authorization " << authorization << " (key '" << key << "') was not made by the checkout";
    const auto id = key.substr(kPrefix.size(), key.size() - kPrefix.size() - kSuffix.size());
    EXPECT_EQ(settled.count(id), 1U) << "authorization " << authorization << " for unknown order " << id;
    EXPECT_LE(held.captures, 1) << "authorization " << authorization << " of order " << id << " captured twice";
    captures[id] += held.captures;
    charged[id] += held.captured - held.refunded;
  }
  std::int64_t provider_captures = 0;
  for (const auto& [id, order] : settled) {
    provider_captures += captures[id];
    if (paid_orders.count(id) > 0) {
      EXPECT_EQ(captures[id], 1) << "paid order " << id << " captures at the provider";
      EXPECT_EQ(charged[id], order.at("total").at("amount").as_int64()) << "paid order " << id;
    } else {
      EXPECT_EQ(charged[id], 0) << "cancelled order " << id << " still holds money at the provider";
    }
  }
  EXPECT_EQ(provider_captures, paid) << "one capture per paid order at the provider, none for the others";

  // The email worker catches up, then: one payment email per paid order, none for the others.
  std::map<std::string, int> mails;
  EXPECT_TRUE(eventually(
      [&] {
        mails = payment_mails(data_dir);
        return std::all_of(paid_orders.begin(), paid_orders.end(), [&](const auto& id) { return mails.count(id) > 0; });
      },
      60s))
      << "paid orders without a payment email";
  for (const auto& [id, count] : mails) {
    EXPECT_EQ(paid_orders.count(id), 1U) << "payment email for unpaid order " << id;
    EXPECT_EQ(count, 1) << "payment emails for order " << id;
  }
  // Nothing stays reserved once every order settled and the catalog's expiry
  // released what the kills orphaned: initial = sold + remaining.
  std::int64_t remaining = 0;
  EXPECT_TRUE(eventually(
      [&] {
        remaining = shop.stock_of(product);
        return remaining + sold == kInitialStock;
      },
      2 * kReservationTimeout + 15s))
      << "stock held for no order after the reservations' expiry";
  EXPECT_EQ(remaining + sold, kInitialStock);
  EXPECT_GT(paid, 0);
  std::cout << "orders: " << settled.size() << ", paid: " << paid << ", provider captures: " << provider_captures
            << ", kills: " << kKills;
  for (const auto& [reason, count] : cancel_reasons) std::cout << ", " << reason << ": " << count;
  std::cout << "\n";
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace orderly::testing
