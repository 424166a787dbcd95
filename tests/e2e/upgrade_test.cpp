// An upgrade in place: the data folder an earlier `orderly` wrote
// (tests/fixtures/upgrade, made by its make_fixture.sh from the commit that
// expected.json names) starts on this binary, which applies the migrations
// the old one lacked, and every order the old one took is there, paid and
// readable by its buyer, with the stock they took; a new purchase works on
// the migrated schema.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
namespace fs = std::filesystem;

const fs::path kFixture = fs::path(ORDERLY_SOURCE_DIR) / "tests" / "fixtures" / "upgrade";

json::object read_json(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_object();
}

// Git keeps no 0600: the copy gets the modes the server insists on for its keys.
void copy_private(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::permissions(to, fs::perms::owner_all);
  for (const auto& entry : fs::directory_iterator(from)) {
    const auto target = to / entry.path().filename();
    if (entry.is_directory()) {
      copy_private(entry.path(), target);
    } else {
      fs::copy_file(entry.path(), target);
      fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
    }
  }
}

TEST(UpgradeEndToEnd, ADataFolderOfAnEarlierVersionMigratesInPlaceAndKeepsEveryOrder) {
  const auto expected = read_json(kFixture / "expected.json");
  char folder[] = "/tmp/orderly-e2e-upgrade-XXXXXX";
  ASSERT_NE(::mkdtemp(folder), nullptr);
  const fs::path root = folder;
  const auto data = root / "data";
  copy_private(kFixture / "data", data);

  {
    OrderlyProcess server({.args = {"serve", "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--data-dir",
                                    data.string(), "--threads", "2", "--set", "orders.saga_backoff_base=50ms"},
                           .environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}});
    const auto ready = server.wait_for_line("\"event\":\"store.ready\"", 5s);
    ASSERT_TRUE(ready);
    const auto event = json::parse(*ready).as_object();
    EXPECT_GT(event.at("migrations_applied").as_int64(), 0) << "the fixture predates some migrations: " << *ready;
    EXPECT_GE(event.at("schema_version").as_int64(), expected.at("schema_version").as_int64());

    std::atomic<std::uint16_t> port{server.port()};
    ShopClient shop(port);
    const auto buyer =
        shop.login(std::string(expected.at("buyer").as_string()), std::string(expected.at("password").as_string()));
    std::set<std::string> wanted;
    for (const auto& id : expected.at("orders").as_array()) wanted.insert(std::string(id.as_string()));
    ASSERT_EQ(wanted.size(), 3U);

    const auto listed = shop.call("GET", "/api/v1/orders", buyer);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200) << listed->body;
    const auto body = json::parse(listed->body);
    std::set<std::string> found;
    for (const auto& order : body.at("items").as_array()) found.insert(std::string(order.at("id").as_string()));
    EXPECT_EQ(found, wanted);
    for (const auto& id : wanted) {
      const auto order = shop.call("GET", "/api/v1/orders/" + id, buyer);
      ASSERT_TRUE(order);
      ASSERT_EQ(order->status, 200) << order->body;
      EXPECT_EQ(json::parse(order->body).at("status").as_string(), "paid");
      const auto payment = shop.payment_of(buyer, id);
      ASSERT_TRUE(payment);
      EXPECT_EQ(payment->at("status").as_string(), "captured");
    }
    const auto product = std::string(expected.at("product").as_string());
    EXPECT_EQ(shop.stock_of(product), expected.at("stock").as_int64());

    // The migrated schema takes new writes: a purchase with a new card, end to end.
    const auto card = shop.add_card(buyer, kCardApproved);
    const auto placed = shop.place(buyer, "after-upgrade", ShopClient::order_body(product, 1, card));
    ASSERT_TRUE(placed);
    ASSERT_EQ(placed->status, 201) << placed->body;
    const auto settled = shop.wait_settled(buyer, std::string(json::parse(placed->body).at("id").as_string()), 20s);
    ASSERT_TRUE(settled);
    EXPECT_EQ(settled->at("status").as_string(), "paid");
    EXPECT_EQ(shop.stock_of(product), expected.at("stock").as_int64() - 1);
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace orderly::testing
