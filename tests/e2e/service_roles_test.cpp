// Scale-out roles on the real binary: `orderly service catalog` in one
// process and `orderly service auth orders payments notify` in another, each
// with its own data folder (its own SQLite file), talking over their internal
// listeners with service credentials. A purchase placed at orders reserves
// stock in the catalog process and is paid; the internal listener refuses a
// call without a credential, with a user's token, or with a credential for
// another service; a catalog that is down makes a new order a 503 with
// Retry-After and leaves no order behind.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr const char* kSecret = "e2e-internal-secret-0123456789abcdef0123456789abcdef";

// A loopback port free at the time of asking (the processes must know each
// other's internal address before either starts).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("bind");
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string loopback(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

class ServiceRoles : public ::testing::Test {
 protected:
  // Per test binary run; ctest runs every test on its own, so each gets a fresh pair.
  static void SetUpTestSuite() {
    catalog_internal_ = free_port();
    orders_internal_ = free_port();
    char folder[] = "/tmp/orderly-roles-XXXXXX";
    if (mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp failed");
    folder_ = folder;
    const std::vector<std::string> environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword,
                                                  std::string("ORDERLY_INTERNAL_SECRET=") + kSecret};
    shop_ = new OrderlyProcess(OrderlyProcess::Options{
        .args = {"service", "auth", "orders", "payments", "notify", "--listen", "127.0.0.1:0", "--ops-listen",
                 "127.0.0.1:0", "--internal-listen", loopback(orders_internal_), "--data-dir", folder_ + "/orders", "--threads", "2", "--set",
                 "services.catalog=" + loopback(catalog_internal_), "--set", "orders.saga_backoff_base=50ms", "--set",
                 "orders.saga_backoff_max=500ms"},
        .environment = environment});
    catalog_ = new OrderlyProcess(OrderlyProcess::Options{
        .args = {"service", "catalog", "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--internal-listen",
                 loopback(catalog_internal_), "--data-dir", folder_ + "/catalog", "--threads", "2", "--set",
                 "services.auth=" + loopback(orders_internal_),
                 "--set", "catalog.seed_sample_products=false"},
        .environment = environment});
    shop_port_ = shop_->port();
    catalog_port_ = catalog_->port();
    internal_port_ = catalog_internal_;
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete shop_;
    std::filesystem::remove_all(folder_);
  }

  // Verifying users' tokens in the catalog needs auth's keys, fetched a
  // moment after both started: the admin's first write waits for that.
  static std::string create_product(const std::string& admin, const std::string& sku, std::int64_t stock) {
    std::string id;
    EXPECT_TRUE(eventually(
        [&] {
          try {
            id = catalog_shop().create_product(admin, sku, 1500, stock);
            return true;
          } catch (const std::exception&) {
            return false;
          }
        },
        15s))
        << "the catalog never accepted the admin's token";
    return id;
  }
  static ShopClient shop() { return ShopClient(shop_port_); }
  static ShopClient catalog_shop() { return ShopClient(catalog_port_); }
  static ShopClient internal() { return ShopClient(internal_port_); }

  static std::string service_token(const std::string& caller, const std::string& audience, const std::string& secret) {
    std::atomic<std::uint16_t> port{orders_internal_};
    const json::object body{{"caller", caller}, {"audience", audience}, {"secret", secret}};
    const auto answer = ShopClient(port).call("POST", "/internal/v1/service-tokens", "", json::serialize(body),
                                              {{"Content-Type", "application/json"}});
    if (!answer || answer->status != 200) return {};
    return std::string(json::parse(answer->body).at("token").as_string());
  }

  static inline std::string folder_;  // each process's data folder (its own SQLite file) inside
  static inline OrderlyProcess* shop_ = nullptr;
  static inline OrderlyProcess* catalog_ = nullptr;
  static inline std::uint16_t catalog_internal_ = 0;
  static inline std::uint16_t orders_internal_ = 0;
  static inline std::atomic<std::uint16_t> shop_port_{0};
  static inline std::atomic<std::uint16_t> catalog_port_{0};
  static inline std::atomic<std::uint16_t> internal_port_{0};
};

TEST_F(ServiceRoles, APurchaseAtOrdersReservesStockInTheCatalogProcessAndIsPaid) {
  std::atomic<std::uint16_t> ops_port{shop_->ops_port()};
  EXPECT_TRUE(eventually(
      [&] {
        const auto readiness = ShopClient(ops_port).call("GET", "/readyz", "");
        return readiness && readiness->status == 200;
      },
      15s))
      << "orders' process is ready once the catalog answers";
  const auto admin = shop().admin_token();
  const auto product = create_product(admin, "SPLIT-1", 5);
  const auto buyer = shop().customer("split@example.com");
  const auto card = shop().add_card(buyer, kCardApproved);
  const auto placed = shop().place(buyer, "split-1", ShopClient::order_body(product, 2, card));
  ASSERT_TRUE(placed);
  ASSERT_EQ(placed->status, 201) << placed->body;
  EXPECT_EQ(catalog_shop().stock_of(product), 3) << "reserved in the catalog's own database, before the 201";
  const auto id = std::string(json::parse(placed->body).at("id").as_string());
  const auto settled = shop().wait_settled(buyer, id, 20s);
  ASSERT_TRUE(settled);
  EXPECT_EQ(settled->at("status").as_string(), "paid");

  const auto refused = shop().place(buyer, "split-2", ShopClient::order_body(product, 4, card));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409) << "out of stock, as the catalog process said";
  EXPECT_EQ(catalog_shop().stock_of(product), 3);

  // Each process has its own database: the catalog's holds no order, orders' no product.
  const auto orders_at_catalog = catalog_shop().call("GET", "/api/v1/orders", buyer);
  ASSERT_TRUE(orders_at_catalog);
  EXPECT_EQ(orders_at_catalog->status, 404) << "the catalog process does not serve orders";
}

TEST_F(ServiceRoles, TheInternalListenerWantsACredentialForThisService) {
  const std::string target = "/internal/v1/reservations/no-such-order/release";
  const auto without = internal().call("POST", target, "");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  const auto user = shop().customer("intruder@example.com");
  const auto with_user_token = internal().call("POST", target, user);
  ASSERT_TRUE(with_user_token);
  EXPECT_EQ(with_user_token->status, 401) << "a user's token is not a service credential";

  EXPECT_TRUE(service_token("orders", "catalog", "not-the-secret").empty()) << "auth refuses a wrong secret";
  const auto for_payments = service_token("orders", "payments", kSecret);
  ASSERT_FALSE(for_payments.empty());
  const auto wrong_audience = internal().call("POST", target, for_payments);
  ASSERT_TRUE(wrong_audience);
  EXPECT_EQ(wrong_audience->status, 401) << "a credential for payments is refused by the catalog";

  const auto for_catalog = service_token("orders", "catalog", kSecret);
  ASSERT_FALSE(for_catalog.empty());
  bool admitted = false;
  EXPECT_TRUE(eventually(
      [&] {
        const auto answer = internal().call("POST", target, for_catalog);
        admitted = answer && answer->status == 204;
        return admitted;
      },
      15s))
      << "the catalog never admitted a credential for itself";
}

// Issue 16: a service in another process than auth checks an admin token's
// version with auth, so a demotion there takes effect at once too.
TEST_F(ServiceRoles, ACatalogProcessRefusesADemotedAdminsTokenAtOnce) {
  const auto admin = shop().admin_token();
  (void)create_product(admin, "SPLIT-ADMIN", 1);  // the catalog follows auth's keys by now
  (void)shop().customer("deputy@example.com");
  const auto me = shop().call("GET", "/api/v1/auth/me", shop().login("deputy@example.com", "customer-password-1"));
  ASSERT_TRUE(me && me->status == 200);
  const auto deputy_id = std::string(json::parse(me->body).at("id").as_string());
  const auto roles = "/api/v1/admin/users/" + deputy_id + "/roles";
  const auto set_roles = [&](const std::string& body) {
    const auto answer = shop().call("PUT", roles, admin, body);
    return answer ? answer->status : 0;
  };
  ASSERT_EQ(set_roles(R"({"roles":["customer","admin"]})"), 200);
  const auto deputy = shop().login("deputy@example.com", "customer-password-1");
  EXPECT_NO_THROW((void)catalog_shop().create_product(deputy, "BY-DEPUTY-1", 100, 1)) << "an admin at the catalog";

  ASSERT_EQ(set_roles(R"({"roles":["customer"]})"), 200);
  EXPECT_THROW((void)catalog_shop().create_product(deputy, "BY-DEPUTY-2", 100, 1), std::exception)
      << "the catalog process refuses the demoted admin's old token at once";
  const auto refused = catalog_shop().call("POST", "/api/v1/products", deputy,
                                           R"({"sku":"BY-DEPUTY-3","name":"x","price":{"amount":100,"currency":"USD"},"stock":1})");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
}

// Stops the catalog process (each test of the suite runs its own pair).
TEST_F(ServiceRoles, ACatalogThatIsDownIsA503WithRetryAfterAndNoOrder) {
  const auto admin = shop().admin_token();
  const auto product = create_product(admin, "SPLIT-DOWN", 5);
  const auto buyer = shop().customer("down@example.com");
  const auto card = shop().add_card(buyer, kCardApproved);
  catalog_->send_signal(SIGKILL);
  ASSERT_TRUE(catalog_->wait_exit(10s));
  const auto started = std::chrono::steady_clock::now();
  const auto refused = shop().place(buyer, "down-1", ShopClient::order_body(product, 1, card));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_TRUE(refused->header("Retry-After").has_value());
  EXPECT_LT(took, 5s) << "a clear error, not a hang";
  std::atomic<std::uint16_t> ops_port{shop_->ops_port()};
  const auto readiness = ShopClient(ops_port).call("GET", "/readyz", "");
  ASSERT_TRUE(readiness);
  EXPECT_EQ(readiness->status, 503);
  EXPECT_NE(readiness->body.find("catalog"), std::string::npos) << "readiness names the service it cannot reach: "
                                                                 << readiness->body;
  const auto mine = shop().call("GET", "/api/v1/orders", buyer);
  ASSERT_TRUE(mine);
  EXPECT_EQ(json::parse(mine->body).at("items").as_array().size(), 0U) << "no order without its stock";
}

}  // namespace
}  // namespace orderly::testing
