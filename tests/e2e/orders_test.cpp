// Orders end to end on the real binary (embedded mode): a purchase with each
// test card of API.md ends with the right order status, payment status, stock
// and email in the maildir; one Idempotency-Key sent 50 times at once makes
// one order and one charge; a hot product sells exactly its stock; another
// customer's order is invisible (BOLA) and shipping is for admins.
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

OrderlyProcess::Options shop_options() {
  return {.extra_args = {"--set", "payments.provider_timeout=500ms", "--set", "payments.simulator_slow_answer=1500ms",
                         "--set", "orders.saga_backoff_base=50ms", "--set", "orders.saga_backoff_max=500ms"},
          .environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}};
}

class OrdersEndToEnd : public ::testing::Test {
 protected:
  OrdersEndToEnd() : server_(shop_options()), port_(server_.port()), shop_(port_) {}

  std::string data_dir() const { return server_.data_dir() + "/data"; }
  static std::string id_of(const HttpResponse& response) {
    return std::string(json::parse(response.body).at("id").as_string());
  }

  OrderlyProcess server_;
  std::atomic<std::uint16_t> port_;
  ShopClient shop_;
};

struct CardCase {
  const char* number;
  const char* status;
  const char* payment_status;
  const char* reason;        // cancel_reason, or "" when paid
  const char* mail_subject;  // the email this purchase must produce (order id appended)
};

TEST_F(OrdersEndToEnd, EachTestCardEndsAsTheCardTableSays) {
  const auto admin = shop_.admin_token();
  const auto buyer = shop_.customer("card-buyer@example.com");
  const auto product = shop_.create_product(admin, "CARDS-1", 1999, 100);
  const CardCase cases[] = {
      {kCardApproved, "paid", "captured", "", "Payment confirmed for order "},
      {kCardDeclined, "cancelled", "failed", "payment_declined", "Order "},
      {kCardInsufficientFunds, "cancelled", "failed", "payment_declined", "Order "},
      {kCardTransient, "paid", "captured", "", "Payment confirmed for order "},
      {kCardSlow, "paid", "captured", "", "Payment confirmed for order "},
  };
  std::int64_t sold = 0;
  for (const auto& card : cases) {
    SCOPED_TRACE(card.number);
    const auto method = shop_.add_card(buyer, card.number);
    const auto placed = shop_.place(buyer, std::string("buy-") + card.number, ShopClient::order_body(product, 2, method));
    ASSERT_TRUE(placed);
    ASSERT_EQ(placed->status, 201) << placed->body;
    const auto order_id = id_of(*placed);
    const auto settled = shop_.wait_settled(buyer, order_id, 20s);
    ASSERT_TRUE(settled) << "order still pending_payment";
    EXPECT_EQ(settled->at("status").as_string(), card.status);
    if (*card.reason != '\0') {
      EXPECT_EQ(settled->at("cancel_reason").as_string(), card.reason);
    }
    const auto payment = shop_.payment_of(buyer, order_id);
    ASSERT_TRUE(payment);
    EXPECT_EQ(payment->at("status").as_string(), card.payment_status);
    EXPECT_EQ(payment->at("amount").at("amount").as_int64(), 2 * 1999);
    if (std::string(card.status) == "paid") sold += 2;
    EXPECT_EQ(shop_.stock_of(product), 100 - sold);
    const auto subject = std::string(card.mail_subject) + order_id +
                         (std::string(card.status) == "cancelled" ? " cancelled" : "");
    EXPECT_TRUE(eventually([&] { return count_mails_containing(data_dir(), subject) == 1; }, 15s))
        << "no single mail '" << subject << "'";
  }
}

TEST_F(OrdersEndToEnd, FiftyConcurrentPostsWithOneKeyMakeOneOrderAndOneCharge) {
  const auto admin = shop_.admin_token();
  const auto buyer = shop_.customer("eager@example.com");
  const auto product = shop_.create_product(admin, "ONCE-1", 500, 100);
  const auto body = ShopClient::order_body(product, 1, shop_.add_card(buyer, kCardApproved));
  std::mutex mutex;
  std::vector<HttpResponse> answers;
  std::vector<std::thread> clients;
  for (int i = 0; i < 50; ++i) {
    clients.emplace_back([&] {
      auto answer = shop_.place(buyer, "the-one-key", body);
      const std::lock_guard lock(mutex);
      if (answer) answers.push_back(std::move(*answer));
    });
  }
  for (auto& client : clients) client.join();
  ASSERT_EQ(answers.size(), 50U);
  std::vector<const HttpResponse*> created;
  std::vector<const HttpResponse*> replayed;
  for (const auto& answer : answers) {
    if (answer.status == 201) {
      (answer.header("Idempotent-Replayed") ? replayed : created).push_back(&answer);
    } else {
      EXPECT_EQ(answer.status, 409) << answer.body;
    }
  }
  ASSERT_EQ(created.size(), 1U);
  for (const auto* replay : replayed) EXPECT_EQ(replay->body, created[0]->body) << "a replay is byte-identical";
  const auto late = shop_.place(buyer, "the-one-key", body);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 201);
  EXPECT_EQ(late->body, created[0]->body);

  const auto listed = shop_.call("GET", "/api/v1/orders", buyer);
  ASSERT_TRUE(listed);
  EXPECT_EQ(json::parse(listed->body).at("items").as_array().size(), 1U);
  const auto order_id = id_of(*created[0]);
  ASSERT_TRUE(shop_.wait_settled(buyer, order_id, 20s));
  const auto payment = shop_.payment_of(buyer, order_id);
  EXPECT_EQ(payment->at("status").as_string(), "captured");
  EXPECT_EQ(payment->at("attempts").as_int64(), 2) << "one authorize, one capture";
  EXPECT_EQ(shop_.stock_of(product), 99);
}

TEST_F(OrdersEndToEnd, AHotProductSellsExactlyItsStock) {
  constexpr int kStock = 7;
  constexpr int kBuyers = 4;
  constexpr int kTriesEach = 6;
  const auto admin = shop_.admin_token();
  const auto product = shop_.create_product(admin, "HOT-1", 100, kStock);
  std::vector<std::pair<std::string, std::string>> buyers;  // token, card
  for (int i = 0; i < kBuyers; ++i) {
    auto token = shop_.customer("hot" + std::to_string(i) + "@example.com");
    auto card = shop_.add_card(token, kCardApproved);
    buyers.emplace_back(std::move(token), std::move(card));
  }
  std::mutex mutex;
  std::map<int, int> statuses;
  std::vector<std::pair<std::string, std::string>> orders;  // token, id
  std::vector<std::thread> clients;
  for (int b = 0; b < kBuyers; ++b) {
    for (int t = 0; t < kTriesEach; ++t) {
      clients.emplace_back([&, b, t] {
        const auto& [token, card] = buyers[static_cast<std::size_t>(b)];
        const auto answer = shop_.place(token, "hot-" + std::to_string(t), ShopClient::order_body(product, 1, card));
        const std::lock_guard lock(mutex);
        ++statuses[answer ? answer->status : 0];
        if (answer && answer->status == 201) orders.emplace_back(token, id_of(*answer));
        if (answer && answer->status == 409) {
          EXPECT_NE(answer->body.find("/problems/out-of-stock"), std::string::npos);
        }
      });
    }
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(statuses[201], kStock);
  EXPECT_EQ(statuses[409], kBuyers * kTriesEach - kStock);
  EXPECT_EQ(shop_.stock_of(product), 0);
  for (const auto& [token, id] : orders) {
    const auto settled = shop_.wait_settled(token, id, 20s);
    ASSERT_TRUE(settled);
    EXPECT_EQ(settled->at("status").as_string(), "paid");
  }
  EXPECT_EQ(shop_.stock_of(product), 0);
}

TEST_F(OrdersEndToEnd, AnotherCustomersOrderIsNotFoundAndShippingIsForAdmins) {
  const auto admin = shop_.admin_token();
  const auto alice = shop_.customer("alice@example.com");
  const auto bob = shop_.customer("bob@example.com");
  const auto product = shop_.create_product(admin, "BOLA-1", 100, 10);
  const auto placed = shop_.place(alice, "k1", ShopClient::order_body(product, 1, shop_.add_card(alice, kCardApproved)));
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 201);
  const auto id = id_of(*placed);
  ASSERT_TRUE(shop_.wait_settled(alice, id, 20s));

  EXPECT_EQ(shop_.call("GET", "/api/v1/orders/" + id, bob)->status, 404);
  EXPECT_EQ(shop_.call("GET", "/api/v1/orders/" + id + "/payment", bob)->status, 404);
  EXPECT_EQ(shop_.call("POST", "/api/v1/orders/" + id + "/cancel", bob)->status, 404);
  EXPECT_EQ(json::parse(shop_.call("GET", "/api/v1/orders", bob)->body).at("items").as_array().size(), 0U);
  EXPECT_EQ(shop_.call("POST", "/api/v1/orders/" + id + "/ship", alice)->status, 403);
  EXPECT_EQ(shop_.call("GET", "/api/v1/orders/" + id, "")->status, 401);
  const auto bobs_card = shop_.add_card(bob, kCardApproved);
  const auto stolen = shop_.place(alice, "k2", ShopClient::order_body(product, 1, bobs_card));
  EXPECT_EQ(stolen->status, 422) << "another customer's card";

  EXPECT_EQ(shop_.call("POST", "/api/v1/orders/" + id + "/ship", admin)->status, 200);
  EXPECT_EQ(shop_.call("POST", "/api/v1/orders/" + id + "/cancel", alice)->status, 409);
  EXPECT_TRUE(eventually([&] { return count_mails_containing(data_dir(), "Order " + id + " shipped") == 1; }, 15s));
}

TEST_F(OrdersEndToEnd, CancellingAPaidOrderRefundsItAndReturnsTheStock) {
  const auto admin = shop_.admin_token();
  const auto buyer = shop_.customer("regret@example.com");
  const auto product = shop_.create_product(admin, "REGRET-1", 800, 3);
  const auto placed = shop_.place(buyer, "k1", ShopClient::order_body(product, 2, shop_.add_card(buyer, kCardApproved)));
  ASSERT_TRUE(placed);
  const auto id = id_of(*placed);
  ASSERT_EQ(shop_.wait_settled(buyer, id, 20s)->at("status").as_string(), "paid");
  const auto cancelled = shop_.call("POST", "/api/v1/orders/" + id + "/cancel", buyer);
  ASSERT_EQ(cancelled->status, 200);
  EXPECT_EQ(json::parse(cancelled->body).at("cancel_reason").as_string(), "cancelled_by_user");
  EXPECT_EQ(shop_.call("POST", "/api/v1/orders/" + id + "/cancel", buyer)->status, 200);
  EXPECT_EQ(shop_.stock_of(product), 3);
  EXPECT_TRUE(eventually([&] { return shop_.payment_of(buyer, id)->at("status").as_string() == "refunded"; }, 15s));
}

}  // namespace
}  // namespace orderly::testing
