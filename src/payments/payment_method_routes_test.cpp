#include "payments/payment_method_routes.hpp"

#include <filesystem>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "net/pipeline.hpp"
#include "payments/schema.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::payments {
namespace {

using core::run_sync;
namespace json = boost::json;

constexpr std::string_view kGoodCard =
    R"({"card": {"number": "4242-4242-4242-4242", "exp_month": 12, "exp_year": 2030, "cvc": "314"}})";

class PaymentMethodRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-pm-routes-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/o.db"},
                                                          metrics_);
    const auto migrations = payments_migrations();
    run_sync(store::migrate(*store_, migrations));
    auto keys =
        std::make_shared<VaultKeys>(VaultKeyRing::generate(), VaultKeys::Reload{}, clock_, std::chrono::seconds(10));
    vault_ = std::make_unique<StoreCardVault>(*store_, keys, clock_, random_);
    add_payment_method_routes(router_, *vault_, clock_);
  }
  void TearDown() override {
    vault_.reset();
    store_.reset();
    std::filesystem::remove_all(folder_);
  }

  // Runs the request through a bare pipeline (problems become responses) as `user` (none: anonymous).
  net::Response call(std::string method, std::optional<std::string> user, std::string body = {}) {
    net::Pipeline pipeline(router_);
    net::RequestContext context;
    net::Request request;
    request.method = std::move(method);
    request.path = "/api/v1/payment-methods";
    request.body = std::move(body);
    const auto match = router_.match(request.method, request.path);
    context.route = match.route;
    if (user) context.principal = net::Principal{*user, {"customer"}};
    auto response = run_sync(pipeline.run(context, request));
    last_request_body_ = request.body;
    return response;
  }

  std::string folder_;
  core::metrics::Registry metrics_;
  core::ManualClock clock_;
  core::SeededRandom random_{5};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<StoreCardVault> vault_;
  net::Router router_;
  std::string last_request_body_;
};

TEST_F(PaymentMethodRoutesTest, SavingACardAnswers201WithLast4AndWipesTheRequestBody) {
  const auto response = call("POST", "alice", std::string(kGoodCard));
  ASSERT_EQ(response.status, 201) << response.body;
  const auto body = json::parse(response.body).as_object();
  EXPECT_EQ(body.at("brand").as_string(), "visa");
  EXPECT_EQ(body.at("last4").as_string(), "4242");
  EXPECT_EQ(body.at("exp_month").as_int64(), 12);
  EXPECT_EQ(body.at("exp_year").as_int64(), 2030);
  EXPECT_TRUE(body.at("id").as_string().starts_with("pm_"));
  EXPECT_EQ(response.body.find("4242424242424242"), std::string::npos);
  EXPECT_EQ(last_request_body_.find("4242"), std::string::npos) << "the body holding the number is wiped";
  EXPECT_EQ(last_request_body_.find("314"), std::string::npos);
}

TEST_F(PaymentMethodRoutesTest, BadCardsAre422AndBadJson400) {
  const auto bad = call("POST", "alice",
                        R"({"card": {"number": "4242424242424241", "exp_month": 12, "exp_year": 2030, "cvc": "1"}})");
  EXPECT_EQ(bad.status, 422);
  const auto problem = json::parse(bad.body).as_object();
  EXPECT_EQ(problem.at("errors").as_array().size(), 2U);
  EXPECT_EQ(bad.body.find("4242424242424241"), std::string::npos);
  EXPECT_EQ(call("POST", "alice", "{nope").status, 400);
  EXPECT_EQ(call("POST", "alice", "[1, 2]").status, 400);
  EXPECT_EQ(call("POST", "alice", R"({"card": "4242424242424242"})").status, 422);
}

TEST_F(PaymentMethodRoutesTest, AnonymousCallersGet401) {
  const auto post = call("POST", std::nullopt, std::string(kGoodCard));
  EXPECT_EQ(post.status, 401);
  EXPECT_EQ(post.headers.get("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(call("GET", std::nullopt).status, 401);
}

TEST_F(PaymentMethodRoutesTest, ListingShowsTheCallersCardsOnly) {
  ASSERT_EQ(call("POST", "alice", std::string(kGoodCard)).status, 201);
  ASSERT_EQ(call("POST", "bob", std::string(kGoodCard)).status, 201);
  const auto response = call("GET", "alice");
  ASSERT_EQ(response.status, 200);
  const auto items = json::parse(response.body).as_object().at("items").as_array();
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].as_object().at("last4").as_string(), "4242");
  EXPECT_FALSE(items[0].as_object().contains("number"));
  EXPECT_EQ(response.body.find("4242424242424242"), std::string::npos);
  EXPECT_TRUE(json::parse(call("GET", "carol").body).as_object().at("items").as_array().empty());
}

}  // namespace
}  // namespace orderly::payments
