// `orderly backup` and `orderly restore` on the real binary: a backup taken
// while `orderly serve` runs and takes orders, then more orders, then a
// restore into a new folder served by a new process: exactly the orders from
// before the backup are there, readable over the API by their buyer (whose
// password and session keys came back too), and the stock matches them. A
// restore onto the folder of the running server is refused.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::vector<std::string> kShopArgs = {"--set", "orders.saga_backoff_base=50ms", "--set",
                                            "orders.saga_backoff_max=500ms"};

OrderlyProcess::Options serve_from(const std::string& data_dir) {
  std::vector<std::string> args = {
      "serve", "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--data-dir", data_dir, "--threads", "2"};
  args.insert(args.end(), kShopArgs.begin(), kShopArgs.end());
  return {.args = args, .environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}};
}

struct CommandResult {
  int code;
  std::string stdout_text;
  std::string stderr_text;
};

// One `orderly ARGS...` to completion (bounded).
CommandResult run_orderly(std::vector<std::string> args) {
  OrderlyProcess command({.args = std::move(args), .wait_until_started = false});
  const auto code = command.wait_exit(60s);
  std::string out;
  for (const auto& line : command.stdout_lines()) out += line + "\n";
  return {code.value_or(-1), out, command.stderr_text()};
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 0777U : 0U;
}

class TempFolder {
 public:
  TempFolder() {
    char folder[] = "/tmp/orderly-e2e-backup-XXXXXX";
    path_ = ::mkdtemp(folder);
  }
  ~TempFolder() { std::filesystem::remove_all(path_); }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::set<std::string> order_ids_of(const ShopClient& shop, const std::string& token) {
  const auto listed = shop.call("GET", "/api/v1/orders", token);
  if (!listed || listed->status != 200) throw std::runtime_error("GET /api/v1/orders failed");
  std::set<std::string> ids;
  const auto body = json::parse(listed->body);
  for (const auto& order : body.at("items").as_array()) {
    ids.insert(std::string(order.at("id").as_string()));
  }
  return ids;
}

TEST(BackupEndToEnd, ARestoreOfABackupTakenWhileServingHoldsExactlyTheOrdersBeforeIt) {
  TempFolder temp;
  const auto live = (temp.path() / "live").string();
  const auto backup = (temp.path() / "backup").string();
  const auto restored = (temp.path() / "restored").string();
  const std::string buyer_email = "backup-buyer@example.com";

  std::set<std::string> before;
  std::set<std::string> after;
  std::string product;
  std::string old_token;
  {
    OrderlyProcess server(serve_from(live));
    std::atomic<std::uint16_t> port{server.port()};
    ShopClient shop(port);
    const auto admin = shop.admin_token();
    product = shop.create_product(admin, "BACKUP-1", 1500, 100);
    old_token = shop.customer(buyer_email);
    const auto card = shop.add_card(old_token, kCardApproved);
    const auto place = [&](const std::string& key) {
      const auto placed = shop.place(old_token, key, ShopClient::order_body(product, 2, card));
      if (!placed || placed->status != 201) throw std::runtime_error("order " + key + " not placed");
      const auto id = std::string(json::parse(placed->body).at("id").as_string());
      const auto settled = shop.wait_settled(old_token, id, 20s);
      if (!settled || settled->at("status").as_string() != "paid") throw std::runtime_error(key + " not paid");
      return id;
    };
    for (int i = 0; i < 3; ++i) before.insert(place("before-" + std::to_string(i)));

    const auto started = std::chrono::steady_clock::now();
    const auto made = run_orderly({"backup", "--to", backup, "--data-dir", live});
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    ASSERT_EQ(made.code, 0) << made.stderr_text;
    std::cout << "[ figures  ] backup while serving: " << took.count() << " ms: " << made.stdout_text;
    EXPECT_EQ(mode_of(backup), 0700U);
    EXPECT_EQ(mode_of(std::filesystem::path(backup) / "orderly.db"), 0600U);
    EXPECT_EQ(mode_of(std::filesystem::path(backup) / "auth.key"), 0600U);
    EXPECT_EQ(mode_of(std::filesystem::path(backup) / "vault.keys"), 0600U);

    for (int i = 0; i < 2; ++i) after.insert(place("after-" + std::to_string(i)));
    ASSERT_EQ(shop.stock_of(product), 100 - 2 * 5);

    // The folder the server is using: refused, --force or not, and untouched.
    const auto onto_live = run_orderly({"restore", "--from", backup, "--data-dir", live, "--force"});
    EXPECT_EQ(onto_live.code, 1);
    EXPECT_NE(onto_live.stderr_text.find("open in a running process"), std::string::npos) << onto_live.stderr_text;
    EXPECT_EQ(order_ids_of(shop, old_token).size(), 5U);

    server.send_signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(30s), 0) << server.stderr_text();
  }

  const auto started = std::chrono::steady_clock::now();
  const auto restore = run_orderly({"restore", "--from", backup, "--data-dir", restored});
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  ASSERT_EQ(restore.code, 0) << restore.stderr_text;
  EXPECT_NE(restore.stdout_text.find("integrity ok"), std::string::npos) << restore.stdout_text;
  std::cout << "[ figures  ] restore: " << took.count() << " ms: " << restore.stdout_text;
  const auto again = run_orderly({"restore", "--from", backup, "--data-dir", restored});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.stderr_text.find("not empty"), std::string::npos) << again.stderr_text;

  OrderlyProcess server(serve_from(restored));
  std::atomic<std::uint16_t> port{server.port()};
  ShopClient shop(port);
  const auto token = shop.login(buyer_email, "customer-password-1");
  EXPECT_EQ(order_ids_of(shop, token), before) << "exactly the orders placed before the backup";
  EXPECT_EQ(order_ids_of(shop, old_token), before) << "a token of the old server verifies: the keys came back";
  for (const auto& id : before) {
    const auto order = shop.call("GET", "/api/v1/orders/" + id, token);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->status, 200);
    EXPECT_EQ(json::parse(order->body).at("status").as_string(), "paid");
  }
  for (const auto& id : after) {
    const auto order = shop.call("GET", "/api/v1/orders/" + id, token);
    ASSERT_TRUE(order);
    EXPECT_EQ(order->status, 404) << "placed after the backup";
  }
  EXPECT_EQ(shop.stock_of(product), 100 - 2 * 3) << "the stock of the moment of the backup";
}

TEST(BackupEndToEnd, HelpAndBadInputAreClearNotACrash) {
  const auto help = run_orderly({"backup", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.stdout_text.find("--to"), std::string::npos) << help.stdout_text;
  const auto no_target = run_orderly({"backup"});
  EXPECT_EQ(no_target.code, 2);
  EXPECT_NE(no_target.stderr_text.find("--to"), std::string::npos) << no_target.stderr_text;

  TempFolder temp;
  const auto not_a_backup =
      run_orderly({"restore", "--from", temp.path().string(), "--data-dir", (temp.path() / "data").string()});
  EXPECT_EQ(not_a_backup.code, 1);
  EXPECT_NE(not_a_backup.stderr_text.find("manifest.json"), std::string::npos) << not_a_backup.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(temp.path() / "data"));
}

}  // namespace
}  // namespace orderly::testing
