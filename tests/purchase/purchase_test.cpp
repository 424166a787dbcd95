// The purchase suite: a store's whole order flow through the public API,
// with the same assertions against `orderly serve` (label e2e, one server per
// test) and against `scripts/cluster up` through its gateway (label cluster,
// one cluster for the binary). Sign up, log in, browse, save a card, order
// with an Idempotency-Key, paid, mailed; declined; out of stock; cancel and
// refund; shipped by an admin only; a mail the sink refused is dead-lettered
// and an admin replays it; and no card number, password or token in any
// process's output. Each test makes its own users and products, so the tests
// stand alone and share one cluster without seeing each other.
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/purchase_target.hpp"
#include "support/secret_scan.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kCustomerPassword = "customer-password-1";  // what ShopClient::customer signs up with

class Purchase : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(target().up()) << target().why(); }

  static PurchaseTarget& target() { return purchase_target(); }
  static ShopClient shop() { return ShopClient(target().port()); }
  // One admin login for the whole binary: the per-account login limit counts
  // every test's, and a token lasts longer than the suite.
  static std::string admin() {
    static const std::string token = shop().admin_token();
    return token;
  }
  static int mails_about(const std::string& needle) { return count_mails_containing(target().mail_folder(), needle); }

  static std::string id_of(const HttpResponse& response) {
    return std::string(json::parse(response.body).at("id").as_string());
  }
  // A name of this test, so the tests sharing one cluster never collide on a SKU or an account.
  static std::string unique(const std::string& what) {
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    return what + "-purchase-" + std::to_string(std::hash<std::string>{}(test) % 1'000'000'007U);
  }
  static std::string email(const std::string& who) { return unique(who) + "@example.com"; }
};

TEST_F(Purchase, ACustomerSignsUpBrowsesSavesACardAndPaysOnceWithAnIdempotencyKey) {
  const auto admin = Purchase::admin();
  const auto sku = unique("SKU");
  const auto product = shop().create_product(admin, sku, 1250, 10);

  const auto address = email("buyer");
  (void)shop().customer(address);
  const auto buyer = shop().login(address, kCustomerPassword);  // a second session, as a returning customer

  const auto found = shop().call("GET", "/api/v1/products?q=" + sku, "");
  ASSERT_TRUE(found && found->status == 200);
  const auto items = json::parse(found->body).at("items").as_array();
  ASSERT_EQ(items.size(), 1U) << found->body;
  EXPECT_EQ(items[0].at("id").as_string(), product);
  const auto page = shop().call("GET", "/api/v1/products/" + product, "");
  ASSERT_TRUE(page && page->status == 200);
  EXPECT_TRUE(page->header("ETag").has_value());

  const auto saved = shop().call("POST", "/api/v1/payment-methods", buyer,
                                 R"({"card":{"number":"4242424242424242","exp_month":12,"exp_year":2035,"cvc":"123"}})");
  ASSERT_TRUE(saved && saved->status == 201) << (saved ? saved->body : "no answer");
  EXPECT_EQ(json::parse(saved->body).at("last4").as_string(), "4242");
  EXPECT_EQ(saved->body.find(kCardApproved), std::string::npos) << "the number never comes back";
  const auto card = id_of(*saved);

  const auto body = ShopClient::order_body(product, 3, card);
  const auto placed = shop().place(buyer, "checkout-1", body);
  ASSERT_TRUE(placed && placed->status == 201) << (placed ? placed->body : "no answer");
  const auto again = shop().place(buyer, "checkout-1", body);  // the client retried: no second order
  ASSERT_TRUE(again && again->status == 201);
  EXPECT_EQ(again->header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(id_of(*again), id_of(*placed));

  const auto id = id_of(*placed);
  const auto settled = shop().wait_settled(buyer, id, 30s);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->at("status").as_string(), "paid");
  const auto payment = shop().payment_of(buyer, id);
  ASSERT_TRUE(payment);
  EXPECT_EQ(payment->at("status").as_string(), "captured");
  EXPECT_EQ(shop().stock_of(product), 7) << "reserved once, for the one order";
  const auto mine = shop().call("GET", "/api/v1/orders", buyer);
  ASSERT_TRUE(mine && mine->status == 200);
  EXPECT_EQ(json::parse(mine->body).at("items").as_array().size(), 1U) << "one order for two requests";
  EXPECT_TRUE(eventually([&] { return mails_about(id) >= 2; }, 30s)) << "order received and payment confirmed";
  EXPECT_EQ(mails_about(id), 2);
}

TEST_F(Purchase, ADeclinedCardCancelsTheOrderAndReleasesItsStock) {
  const auto admin = Purchase::admin();
  const auto product = shop().create_product(admin, unique("SKU"), 800, 4);
  const auto buyer = shop().customer(email("declined"));
  const auto card = shop().add_card(buyer, kCardDeclined);
  const auto placed = shop().place(buyer, "declined-1", ShopClient::order_body(product, 2, card));
  ASSERT_TRUE(placed && placed->status == 201) << (placed ? placed->body : "no answer");
  const auto id = id_of(*placed);
  const auto settled = shop().wait_settled(buyer, id, 30s);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->at("status").as_string(), "cancelled");
  EXPECT_EQ(settled->at("cancel_reason").as_string(), "payment_declined");
  EXPECT_EQ(shop().payment_of(buyer, id)->at("status").as_string(), "failed");
  EXPECT_TRUE(eventually([&] { return shop().stock_of(product) == 4; }, 10s)) << "the reservation was released";
}

TEST_F(Purchase, AnOrderBeyondTheStockIsRefusedAndLeavesNothingReserved) {
  const auto admin = Purchase::admin();
  const auto product = shop().create_product(admin, unique("SKU"), 500, 2);
  const auto buyer = shop().customer(email("late"));
  const auto card = shop().add_card(buyer, kCardApproved);
  const auto refused = shop().place(buyer, "too-many-1", ShopClient::order_body(product, 3, card));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 409) << refused->body;
  EXPECT_EQ(json::parse(refused->body).at("type").as_string(), "/problems/out-of-stock");
  EXPECT_EQ(shop().stock_of(product), 2);
  const auto mine = shop().call("GET", "/api/v1/orders", buyer);
  ASSERT_TRUE(mine && mine->status == 200);
  EXPECT_TRUE(json::parse(mine->body).at("items").as_array().empty()) << "no order was made";
  const auto fits = shop().place(buyer, "fits-1", ShopClient::order_body(product, 2, card));
  ASSERT_TRUE(fits.has_value());
  EXPECT_EQ(fits->status, 201) << "the refused order held nothing back: " << fits->body;
}

TEST_F(Purchase, ACancelledPaidOrderIsRefundedAndItsStockComesBack) {
  const auto admin = Purchase::admin();
  const auto product = shop().create_product(admin, unique("SKU"), 990, 5);
  const auto buyer = shop().customer(email("regret"));
  const auto card = shop().add_card(buyer, kCardApproved);
  const auto placed = shop().place(buyer, "regret-1", ShopClient::order_body(product, 2, card));
  ASSERT_TRUE(placed && placed->status == 201);
  const auto id = id_of(*placed);
  ASSERT_EQ(shop().wait_settled(buyer, id, 30s)->at("status").as_string(), "paid");

  const auto cancelled = shop().call("POST", "/api/v1/orders/" + id + "/cancel", buyer);
  ASSERT_TRUE(cancelled && cancelled->status == 200) << (cancelled ? cancelled->body : "no answer");
  EXPECT_EQ(json::parse(cancelled->body).at("cancel_reason").as_string(), "cancelled_by_user");
  EXPECT_TRUE(eventually([&] { return shop().payment_of(buyer, id)->at("status").as_string() == "refunded"; }, 30s));
  EXPECT_TRUE(eventually([&] { return shop().stock_of(product) == 5; }, 10s));
  EXPECT_TRUE(eventually([&] { return mails_about("Order " + id + " cancelled") == 1; }, 30s));
}

TEST_F(Purchase, OnlyAnAdminShipsAPaidOrderAndAShippedOrderCannotBeCancelled) {
  const auto admin = Purchase::admin();
  const auto product = shop().create_product(admin, unique("SKU"), 4200, 3);
  const auto buyer = shop().customer(email("shipped"));
  const auto card = shop().add_card(buyer, kCardApproved);
  const auto placed = shop().place(buyer, "ship-1", ShopClient::order_body(product, 1, card));
  ASSERT_TRUE(placed && placed->status == 201);
  const auto id = id_of(*placed);
  ASSERT_EQ(shop().wait_settled(buyer, id, 30s)->at("status").as_string(), "paid");

  EXPECT_EQ(shop().call("POST", "/api/v1/orders/" + id + "/ship", buyer)->status, 403);
  const auto shipped = shop().call("POST", "/api/v1/orders/" + id + "/ship", admin);
  ASSERT_TRUE(shipped && shipped->status == 200) << (shipped ? shipped->body : "no answer");
  EXPECT_EQ(json::parse(shipped->body).at("status").as_string(), "shipped");
  EXPECT_EQ(shop().call("POST", "/api/v1/orders/" + id + "/cancel", buyer)->status, 409);
  EXPECT_TRUE(eventually([&] { return mails_about("Order " + id + " shipped") == 1; }, 30s));
}

// The ids of the dead letters of the notifications queue, newest included.
std::set<std::string> dead_letters(const ShopClient& shop, const std::string& admin) {
  std::set<std::string> ids;
  const auto listed = shop.call("GET", "/api/v1/admin/dlq?queue=notifications&limit=100", admin);
  if (!listed || listed->status != 200) return ids;
  const auto page = json::parse(listed->body);
  for (const auto& item : page.at("items").as_array()) {
    ids.insert(std::string(item.at("id").as_string()));
  }
  return ids;
}

// How many of the buyer's notifications about `order_id` have `status`.
int notifications_of(const ShopClient& shop, const std::string& token, const std::string& order_id,
                     const std::string& status) {
  const auto listed = shop.call("GET", "/api/v1/notifications?limit=100", token);
  if (!listed || listed->status != 200) return -1;
  int count = 0;
  const auto page = json::parse(listed->body);
  for (const auto& item : page.at("items").as_array()) {
    const auto& fields = item.as_object();
    // Account mails (verification, reset) have no order.
    const auto* order = fields.if_contains("order_id");
    count += order != nullptr && order->is_string() && order->as_string() == order_id &&
             fields.at("status").as_string() == status;
  }
  return count;
}

// The mail sink refuses while held: its `new` folder becomes a file, so every
// delivery fails the way a full disk or a dead SMTP relay would.
class HeldMailSink {
 public:
  explicit HeldMailSink(const std::string& folder) : new_(folder + "/maildir/new"), held_(new_.string() + ".held") {
    fs::rename(new_, held_);
    std::ofstream(new_.string()) << "held by the purchase suite\n";
  }
  ~HeldMailSink() { release(); }
  HeldMailSink(const HeldMailSink&) = delete;
  HeldMailSink& operator=(const HeldMailSink&) = delete;

  void release() {
    std::error_code ec;
    if (!fs::exists(held_, ec)) return;
    fs::remove(new_, ec);
    fs::rename(held_, new_, ec);
  }

 private:
  fs::path new_;
  fs::path held_;
};

TEST_F(Purchase, AMailTheSinkRefusedIsDeadLetteredAndAnAdminReplaysItOnce) {
  const auto admin = Purchase::admin();
  const auto product = shop().create_product(admin, unique("SKU"), 1500, 3);
  const auto buyer = shop().customer(email("unlucky"));
  const auto card = shop().add_card(buyer, kCardApproved);
  const auto before = dead_letters(shop(), admin);

  std::string id;
  std::set<std::string> dead;
  {
    HeldMailSink held(target().mail_folder());
    const auto placed = shop().place(buyer, "mail-1", ShopClient::order_body(product, 1, card));
    ASSERT_TRUE(placed && placed->status == 201);
    id = id_of(*placed);
    ASSERT_EQ(shop().wait_settled(buyer, id, 30s)->at("status").as_string(), "paid");
    // order.created and order.paid fail at every delivery up to the limit
    // (with back-off): the worker marks both notifications failed and the
    // broker dead-letters them.
    EXPECT_TRUE(eventually([&] { return notifications_of(shop(), buyer, id, "failed") == 2; }, 60s));
    // Letters of earlier tests may die in the same window: they are replayed too, harmlessly.
    EXPECT_TRUE(eventually([&] {
      dead.clear();
      for (const auto& letter : dead_letters(shop(), admin)) {
        if (before.count(letter) == 0) dead.insert(letter);
      }
      return dead.size() >= 2;
    }, 30s)) << dead.size() << " new dead letters";
  }
  EXPECT_EQ(mails_about(id), 0) << "nothing was delivered while the sink refused";

  for (const auto& letter : dead) {
    const auto replayed = shop().call("POST", "/api/v1/admin/dlq/" + letter + "/replay", admin);
    ASSERT_TRUE(replayed.has_value());
    EXPECT_EQ(replayed->status, 202) << replayed->body;
  }
  EXPECT_TRUE(eventually([&] { return notifications_of(shop(), buyer, id, "sent") == 2; }, 30s))
      << "the replayed events were mailed";
  EXPECT_TRUE(eventually([&] { return mails_about(id) >= 2; }, 10s));
  EXPECT_EQ(mails_about(id), 2) << "one mail per event";
  const auto left = dead_letters(shop(), admin);
  for (const auto& letter : dead) EXPECT_EQ(left.count(letter), 0U) << letter << " is still dead";
  EXPECT_EQ(shop().call("POST", "/api/v1/admin/dlq/" + *dead.begin() + "/replay", buyer)->status, 403);
}

TEST_F(Purchase, NoCardNumberPasswordOrTokenReachesAnyProcessOutput) {
  SecretScan scan;
  const auto admin = Purchase::admin();
  const auto product = shop().create_product(admin, unique("SKU"), 300, 2);
  const auto buyer = shop().customer(email("private"));
  const auto card = shop().add_card(buyer, kCardApproved);
  const auto placed = shop().place(buyer, "private-1", ShopClient::order_body(product, 1, card));
  ASSERT_TRUE(placed && placed->status == 201);
  ASSERT_TRUE(shop().wait_settled(buyer, id_of(*placed), 30s));
  const auto refused = shop().call("POST", "/api/v1/payment-methods", buyer,
                                   R"({"card":{"number":"4242424242424241","exp_month":12,"exp_year":2035,"cvc":"123"}})");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 422);
  scan.answer(*refused);

  for (const auto* secret : {kCardApproved, "4242424242424241", kCustomerPassword, kAdminPassword}) scan.add(secret);
  scan.add(admin);
  scan.add(buyer);
  scan.expect_clean("the platform's output", target().output());
}

}  // namespace
}  // namespace orderly::testing
