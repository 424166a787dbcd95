// The Payment methods rows of API.md on the real binary: saving and listing
// cards, every refusal, what reaches the logs and the disk, the key file's
// guard, `orderly vault rotate`, and the simulated provider over HTTP.
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Numbers and a CVC chosen to be easy to find in any output.
constexpr std::string_view kVisa = "4242424242424242";
constexpr std::string_view kAmex = "378282246310005";
constexpr std::string_view kCvc = "7319";

std::string card_body(std::string_view number, int exp_month = 12, int exp_year = 2031,
                      std::string_view cvc = kCvc) {
  return json::serialize(json::object{
      {"card", {{"number", number}, {"exp_month", exp_month}, {"exp_year", exp_year}, {"cvc", cvc}}}});
}

std::vector<std::string> error_fields(const HttpResponse& response) {
  std::vector<std::string> fields;
  const auto body = json_of(response);
  if (!body.is_object() || !body.as_object().contains("errors")) return fields;
  for (const auto& error : body.at("errors").as_array()) fields.emplace_back(error.at("field").as_string());
  return fields;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

std::string run_command(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string output;
  char chunk[512];
  while (fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
  pclose(pipe);
  return output;
}

OrderlyProcess::Options with_admin(std::vector<std::string> extra_args = {}) {
  OrderlyProcess::Options options;
  options.environment = {admin_password_environment()};
  options.extra_args = std::move(extra_args);
  return options;
}

TEST(PaymentMethods, ACustomerSavesCardsAndListsOnlyTheirOwn) {
  OrderlyProcess server(with_admin());
  const auto alice = new_customer(server.port());
  const auto bob = new_customer(server.port());

  const auto saved = api_request(server.port(), "POST", "/api/v1/payment-methods",
                                 card_body("4242 4242 4242 4242"), alice.access_token);
  ASSERT_EQ(saved.status, 201) << saved.body;
  const auto card = json_of(saved).as_object();
  EXPECT_EQ(card.at("brand").as_string(), "visa");
  EXPECT_EQ(card.at("last4").as_string(), "4242");
  EXPECT_EQ(card.at("exp_month").as_int64(), 12);
  EXPECT_EQ(card.at("exp_year").as_int64(), 2031);
  EXPECT_FALSE(card.contains("number"));
  ASSERT_EQ(api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kAmex), alice.access_token).status,
            201);
  ASSERT_EQ(api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kVisa), bob.access_token).status,
            201);

  const auto listed = api_request(server.port(), "GET", "/api/v1/payment-methods", {}, alice.access_token);
  ASSERT_EQ(listed.status, 200);
  const auto items = json_of(listed).at("items").as_array();
  ASSERT_EQ(items.size(), 2U);
  // Oldest first; two cards saved in the same millisecond may come in either order.
  const auto& visa = items[0].at("id") == card.at("id") ? items[0] : items[1];
  const auto& amex = items[0].at("id") == card.at("id") ? items[1] : items[0];
  EXPECT_EQ(visa.at("id"), card.at("id"));
  EXPECT_EQ(visa.at("last4").as_string(), "4242");
  EXPECT_EQ(amex.at("brand").as_string(), "amex");
  EXPECT_EQ(amex.at("last4").as_string(), "0005");
  EXPECT_EQ(listed.body.find(kVisa), std::string::npos);
  EXPECT_EQ(listed.body.find(kAmex), std::string::npos);

  const auto bobs = json_of(api_request(server.port(), "GET", "/api/v1/payment-methods", {}, bob.access_token));
  ASSERT_EQ(bobs.at("items").as_array().size(), 1U);
  EXPECT_NE(bobs.at("items").as_array()[0].at("id"), card.at("id"));
}

// Issue 16: saved cards were unlimited while the list stops at 100 with no
// cursor, so some cards could never be listed.
TEST(PaymentMethods, SavedCardsAreBoundedSoTheListShowsThemAll) {
  OrderlyProcess server(with_admin());
  const auto customer = new_customer(server.port());
  constexpr int kMostCards = 20;
  for (int i = 0; i < kMostCards; ++i) {
    const auto saved =
        api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kVisa), customer.access_token);
    ASSERT_EQ(saved.status, 201) << "card " << i << ": " << saved.body;
  }
  const auto refused =
      api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kVisa), customer.access_token);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(refused.body.find(kVisa), std::string::npos);
  const auto listed = api_request(server.port(), "GET", "/api/v1/payment-methods", {}, customer.access_token);
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(json_of(listed).at("items").as_array().size(), static_cast<std::size_t>(kMostCards));
  const auto other = new_customer(server.port());
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kVisa), other.access_token).status,
            201)
      << "the bound is per account";
}

TEST(PaymentMethods, BadCardsAre422BadJson400AndAnonymous401) {
  OrderlyProcess server(with_admin());
  const auto customer = new_customer(server.port());
  const auto post = [&](std::string body, std::string_view token) {
    return api_request(server.port(), "POST", "/api/v1/payment-methods", body, token);
  };
  const auto luhn = post(card_body("4242424242424241"), customer.access_token);
  EXPECT_EQ(luhn.status, 422);
  EXPECT_EQ(error_fields(luhn), std::vector<std::string>{"card.number"});
  EXPECT_EQ(luhn.body.find("4242424242424241"), std::string::npos);
  EXPECT_EQ(error_fields(post(card_body("4242-4242-abcd-4242"), customer.access_token)),
            std::vector<std::string>{"card.number"});
  EXPECT_EQ(error_fields(post(card_body(kVisa, 1, 2020), customer.access_token)),
            std::vector<std::string>{"card.exp_year"});
  EXPECT_EQ(error_fields(post(card_body(kVisa, 13, 2031), customer.access_token)),
            std::vector<std::string>{"card.exp_month"});
  EXPECT_EQ(error_fields(post(card_body(kVisa, 12, 2031, "12"), customer.access_token)),
            std::vector<std::string>{"card.cvc"});
  EXPECT_EQ(post("{\"card\": ", customer.access_token).status, 400);

  const auto anonymous = post(card_body(kVisa), {});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("WWW-Authenticate").value_or(""), "Bearer");
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/payment-methods").status, 401);
  EXPECT_EQ(post(card_body(kVisa), "not-a-token").status, 401);
}

TEST(PaymentMethods, NumbersAndCvcsReachNeitherTheLogsNorTheDisk) {
  OrderlyProcess server(with_admin({"--log-level", "debug"}));
  const auto customer = new_customer(server.port());
  ASSERT_EQ(
      api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kVisa), customer.access_token).status,
      201);
  ASSERT_EQ(
      api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kAmex, 2, 2030, "7319"),
                  customer.access_token)
          .status,
      201);
  (void)api_request(server.port(), "POST", "/api/v1/payment-methods", card_body("4242424242424241"),
                    customer.access_token);
  ASSERT_TRUE(server.wait_for_line("vault.card_saved", 5s));
  server.send_signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(20s), 0);

  std::string everything = server.stderr_text();
  for (const auto& line : server.stdout_lines()) everything += line + "\n";
  EXPECT_NE(everything.find("vault.card_saved"), std::string::npos) << "the scan must see the server's events";
  // The CVC as a JSON string: four bare digits also occur inside random hex ids.
  const auto quoted_cvc = "\"" + std::string(kCvc) + "\"";
  for (const auto needle : {kVisa, kAmex, std::string_view("4242424242424241"), std::string_view(quoted_cvc)}) {
    EXPECT_EQ(everything.find(needle), std::string::npos) << needle << " in the server's output";
  }
  EXPECT_EQ(everything.find("cvc"), std::string::npos);

  const auto data = std::filesystem::path(server.data_dir()) / "data";
  const auto keys = data / "vault.keys";
  struct stat info {};
  ASSERT_EQ(::stat(keys.c_str(), &info), 0) << "embedded mode creates the key file outside the database";
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_NE(read_file(data / "orderly.db").find("pm_"), std::string::npos) << "the scan must see the card rows";
  for (const auto* file : {"orderly.db", "orderly.db-wal"}) {
    const auto bytes = read_file(data / file);
    EXPECT_EQ(bytes.find(kVisa), std::string::npos) << file;
    EXPECT_EQ(bytes.find(kAmex), std::string::npos) << file;
  }
}

TEST(PaymentMethods, AKeyFileOthersCanReadStopsStartUp) {
  char folder[] = "/tmp/orderly-e2e-keys-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  const auto keys = std::string(folder) + "/vault.keys";
  {
    std::ofstream file(keys);
    file << "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  }
  ASSERT_EQ(::chmod(keys.c_str(), 0644), 0);
  auto options = with_admin({"--set", "payments.vault_key_file=" + keys});
  options.wait_until_started = false;
  OrderlyProcess server(options);
  EXPECT_EQ(server.wait_exit(20s), 2);
  EXPECT_NE(server.stderr_text().find("payments.vault_key_file"), std::string::npos) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("chmod 600"), std::string::npos) << server.stderr_text();
  std::filesystem::remove_all(folder);
}

TEST(PaymentMethods, VaultRotateReencryptsCardsUnderANewKeyAndDropsTheOldOne) {
  char folder[] = "/tmp/orderly-e2e-rotate-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  const std::string data = std::string(folder) + "/data";
  std::string card_id;
  Session customer;
  {
    OrderlyProcess server(with_admin({"--set", "data_dir=" + data}));
    customer = new_customer(server.port());
    const auto saved =
        api_request(server.port(), "POST", "/api/v1/payment-methods", card_body(kVisa), customer.access_token);
    ASSERT_EQ(saved.status, 201);
    card_id = std::string(json_of(saved).at("id").as_string());
    server.send_signal(SIGTERM);
    ASSERT_EQ(server.wait_exit(20s), 0);
  }
  const auto before = read_file(data + "/vault.keys");
  const auto binary = std::getenv("E2E_ORDERLY_BINARY");
  ASSERT_NE(binary, nullptr);
  const auto output = run_command(std::string(binary) + " vault rotate --data-dir " + data +
                                  " --set payments.vault_key_recheck=1ms 2>&1; echo exit=$?");
  EXPECT_NE(output.find("vault rotate: 1/1 cards"), std::string::npos) << output;
  EXPECT_NE(output.find("current key k2; 1 re-encrypted, 0 unreadable, 1 old keys removed"), std::string::npos)
      << output;
  EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
  const auto after = read_file(data + "/vault.keys");
  EXPECT_EQ(after.find("\nk1:"), std::string::npos) << "the old key is gone";
  EXPECT_NE(after.find("\nk2:"), std::string::npos);
  EXPECT_EQ(after.find(before.substr(before.find("\nk1:") + 4, 44)), std::string::npos);

  // The card saved under k1 still pays, now read under k2 alone.
  {
    OrderlyProcess server(with_admin({"--set", "data_dir=" + data}));
    const std::atomic<std::uint16_t> port{server.port()};
    const ShopClient shop(port);
    const auto product = shop.create_product(admin_session(server.port()).access_token, "ROTATED-1", 700, 5);
    const auto placed = shop.place(customer.access_token, "after-rotate", ShopClient::order_body(product, 1, card_id));
    ASSERT_TRUE(placed.has_value());
    ASSERT_EQ(placed->status, 201) << placed->body;
    const auto order_id = std::string(json::parse(placed->body).at("id").as_string());
    const auto settled = shop.wait_settled(customer.access_token, order_id, 20s);
    ASSERT_TRUE(settled.has_value());
    EXPECT_EQ(settled->at("status").as_string(), "paid") << json::serialize(*settled);
    const auto payment = shop.payment_of(customer.access_token, order_id);
    ASSERT_TRUE(payment.has_value());
    EXPECT_EQ(payment->at("status").as_string(), "captured");
  }
  std::filesystem::remove_all(folder);
}

// `orderly provider-sim` answers the provider's JSON endpoints.
TEST(ProviderSim, ServesTheTestCardsOverHttpWithIdempotencyKeys) {
  // Its own data folder: the simulator journals its answers there and would
  // replay an earlier run's.
  char folder[] = "/tmp/orderly-provider-sim-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  OrderlyProcess::Options options;
  options.args = {"provider-sim", "--listen", "127.0.0.1:0", "--threads", "1", "--data-dir", folder, "--set",
                  "payments.simulator_slow_answer=0s"};
  options.wait_until_started = false;
  OrderlyProcess simulator(options);
  const auto started = simulator.wait_for_line("provider_sim.started", 20s);
  ASSERT_TRUE(started) << simulator.stderr_text();
  const auto listen = std::string(json::parse(*started).at("listen").as_string());
  const auto port = static_cast<std::uint16_t>(std::stoi(listen.substr(listen.rfind(':') + 1)));

  const auto authorize = [&](std::string_view number, std::string key) {
    const auto body = json::serialize(json::object{{"card", {{"number", number}, {"exp_month", 12}, {"exp_year", 2031}}},
                                                   {"amount", {{"amount", 1999}, {"currency", "USD"}}}});
    return api_request(port, "POST", "/v1/authorizations", body, {}, {{"Idempotency-Key", std::move(key)}});
  };
  const auto approved = authorize(kVisa, "order-1");
  ASSERT_EQ(approved.status, 200) << approved.body;
  const auto reference = std::string(json_of(approved).at("reference").as_string());
  EXPECT_TRUE(json_of(approved).at("approved").as_bool());
  EXPECT_EQ(json_of(authorize(kVisa, "order-1")).at("reference").as_string(), reference);

  const auto capture_body = R"({"amount": {"amount": 1999, "currency": "USD"}})";
  const auto capture = [&](std::string key) {
    return api_request(port, "POST", "/v1/authorizations/" + reference + "/capture", capture_body, {},
                       {{"Idempotency-Key", std::move(key)}});
  };
  EXPECT_TRUE(json_of(capture("cap-1")).at("approved").as_bool());
  EXPECT_TRUE(json_of(capture("cap-1")).at("approved").as_bool()) << "a replay, not a second charge";
  EXPECT_EQ(json_of(capture("cap-2")).at("decline_code").as_string(), "already_captured");

  EXPECT_EQ(json_of(authorize("4000000000000002", "order-2")).at("decline_code").as_string(), "card_declined");
  EXPECT_EQ(json_of(authorize("4000000000009995", "order-3")).at("decline_code").as_string(), "insufficient_funds");
  const auto transient = authorize("4000000000000119", "order-4");
  EXPECT_EQ(transient.status, 503);
  EXPECT_TRUE(transient.header("Retry-After").has_value());
  EXPECT_TRUE(json_of(authorize("4000000000000119", "order-4")).at("approved").as_bool());

  const auto no_key = api_request(port, "POST", "/v1/authorizations", "{}");
  EXPECT_EQ(no_key.status, 400);
  EXPECT_EQ(api_request(port, "POST", "/v1/authorizations", "{}", {}, {{"Idempotency-Key", "x"}}).status, 422);

  simulator.send_signal(SIGTERM);
  ASSERT_EQ(simulator.wait_exit(20s), 0);
  bool counted = false;
  for (const auto& line : simulator.stdout_lines()) {
    if (line.find("provider_sim.stopped") != std::string::npos) {
      counted = line.find("\"captures\":1") != std::string::npos && line.find("\"authorizations\":2") != std::string::npos;
    }
  }
  EXPECT_TRUE(counted) << "one capture, two approved authorizations (4242 and the transient card)";
  std::filesystem::remove_all(folder);
}

// A saved card whose sealed number the vault cannot open (its row altered on
// disk, or its key retired from the ring) cannot pay: the order is a 422 that
// reserves nothing, never a 500, and the operator gets the reason in the log.
TEST(PaymentMethods, ACardTheVaultCannotDecryptIsRefusedAtCheckoutWithA422) {
  OrderlyProcess server(OrderlyProcess::Options{.environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}});
  const std::atomic<std::uint16_t> port{server.port()};
  const ShopClient shop(port);
  const auto product = shop.create_product(shop.admin_token(), "UNREADABLE-1", 900, 5);
  const auto buyer = shop.customer("unreadable@example.com");
  const auto card = shop.add_card(buyer, kCardApproved);
  const auto db = server.data_dir() + "/data/orderly.db";
  const auto tamper = "sqlite3 " + db + " \"UPDATE payment_methods SET sealed_number = randomblob(length(sealed_number))"
                      " WHERE id = '" + card + "'\"";
  ASSERT_EQ(std::system(tamper.c_str()), 0) << tamper;

  const auto placed = shop.place(buyer, "unreadable-1", ShopClient::order_body(product, 1, card));
  ASSERT_TRUE(placed.has_value());
  EXPECT_EQ(placed->status, 422) << placed->body;
  EXPECT_EQ(shop.stock_of(product), 5) << "nothing reserved";
  EXPECT_TRUE(server.wait_for_line("vault.card_unreadable", 5s));
}

}  // namespace
}  // namespace orderly::testing
