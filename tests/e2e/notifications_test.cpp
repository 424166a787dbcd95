// Notifications and the dead-letter queue on the real binary: an order event
// put on the embedded queue (with the sqlite3 shell, as the orders module's
// outbox would) is delivered by the email worker inside `orderly serve` into
// the maildir and listed for its owner only; the admin DLQ endpoints list and
// replay a poison message, and refuse customers.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

OrderlyProcess::Options embedded_with_admin() {
  OrderlyProcess::Options options;
  options.environment = {admin_password_environment()};
  // One delivery before the DLQ and no back-off, so a poison message is
  // dead-lettered at once; a fast poll keeps the test quick.
  options.extra_args = {"--set", "queue.delivery_limit=1", "--set", "notify.poll_interval=20ms"};
  return options;
}

// The serve --data-dir OrderlyProcess passes (a folder inside its temporary one).
std::string data_folder(const OrderlyProcess& server) { return server.data_dir() + "/data"; }

// Writes a queue message the way the embedded outbox does (a row of
// queue_messages), from outside the process, through the sqlite3 shell.
void enqueue(const OrderlyProcess& server, const std::string& id, const std::string& type, const std::string& payload) {
  const auto script = server.data_dir() + "/enqueue-" + id + ".sql";
  {
    std::ofstream out(script);
    out << "INSERT INTO queue_messages (id, queue, type, schema_version, payload, created_at, visible_at) VALUES ('"
        << id << "', 'notifications', '" << type << "', 1, '" << payload << "', '2024-01-01T00:00:00Z', 0);\n";
  }
  const auto command = "sqlite3 -cmd '.timeout 5000' " + data_folder(server) + "/orderly.db < " + script;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

std::string paid_event(const std::string& user_id) {
  return json::serialize(json::object{{"order_id", "ord_e2e_1"},
                                      {"user_id", user_id},
                                      {"email", "customer@example.com"},
                                      {"name", "E2E Customer"},
                                      {"total", json::object{{"amount", 4200}, {"currency", "EUR"}}}});
}

std::size_t files_in(const fs::path& folder) {
  std::error_code ec;
  std::size_t count = 0;
  for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++count;
  return count;
}

// Polls `get` until `done` says so, for at most `patience`.
template <class Get, class Done>
auto poll_until(Get get, Done done, std::chrono::milliseconds patience = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  auto value = get();
  while (!done(value) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    value = get();
  }
  return value;
}

TEST(NotificationsApi, ListingNeedsAToken) {
  OrderlyProcess server(embedded_with_admin());
  const auto response = api_request(server.port(), "GET", "/api/v1/notifications");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.header("WWW-Authenticate").value_or(""), "Bearer");
}

TEST(NotificationsApi, AnOrderEventBecomesOneEmailListedOnlyForItsOwner) {
  OrderlyProcess server(embedded_with_admin());
  const auto owner = new_customer(server.port());
  const auto other = new_customer(server.port());
  enqueue(server, "evt-paid-1", "order.paid", paid_event(owner.user_id));

  // Each signup mails its verification link too: two of those and the order's.
  const auto maildir = fs::path(data_folder(server)) / "maildir";
  EXPECT_EQ(poll_until([&] { return files_in(maildir / "new"); }, [](std::size_t n) { return n >= 3; }), 3U);
  const auto order_mails = [](const HttpResponse& response) {
    json::array found;
    const auto body = json_of(response);
    if (!body.is_object() || !body.as_object().contains("items")) return found;  // not (yet) a page
    for (const auto& item : body.at("items").as_array()) {
      if (item.at("template").as_string() != "email_verification") found.push_back(item);
    }
    return found;
  };
  const auto listed = poll_until(
      [&] { return api_request(server.port(), "GET", "/api/v1/notifications", {}, owner.access_token); },
      [&](const HttpResponse& r) {
        const auto mails = order_mails(r);
        return mails.size() == 1 && mails[0].at("status").as_string() == "sent";
      });
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto items = order_mails(listed);
  ASSERT_EQ(items.size(), 1U) << listed.body;
  EXPECT_EQ(items[0].at("template").as_string(), "payment_confirmed");
  EXPECT_EQ(items[0].at("channel").as_string(), "maildir");
  EXPECT_EQ(items[0].at("status").as_string(), "sent");
  EXPECT_EQ(items[0].at("order_id").as_string(), "ord_e2e_1");
  EXPECT_TRUE(json_of(listed).at("next_cursor").is_null());

  const auto others = api_request(server.port(), "GET", "/api/v1/notifications", {}, other.access_token);
  ASSERT_EQ(others.status, 200);
  EXPECT_TRUE(order_mails(others).empty()) << "another user's notifications stay hidden";
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/notifications?limit=500", {}, owner.access_token).status, 422);
  EXPECT_EQ(files_in(maildir / "new"), 3U) << "one email per event";
}

TEST(NotificationsApi, DeadLetterEndpointsListAndReplayForAdminsOnly) {
  OrderlyProcess server(embedded_with_admin());
  const auto admin = admin_session(server.port());
  const auto customer = new_customer(server.port());
  enqueue(server, "evt-poison-1", "order.exploded", paid_event(customer.user_id));

  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/dlq").status, 401);
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/dlq", {}, customer.access_token).status, 403);
  EXPECT_EQ(
      api_request(server.port(), "POST", "/api/v1/admin/dlq/evt-poison-1/replay", {}, customer.access_token).status,
      403);

  const auto listed = poll_until(
      [&] { return api_request(server.port(), "GET", "/api/v1/admin/dlq", {}, admin.access_token); },
      [](const HttpResponse& r) { return r.body.find("evt-poison-1") != std::string::npos; });
  ASSERT_EQ(listed.status, 200) << listed.body;
  const auto items = json_of(listed).at("items").as_array();
  ASSERT_EQ(items.size(), 1U) << listed.body;
  EXPECT_EQ(items[0].at("id").as_string(), "evt-poison-1");
  EXPECT_EQ(items[0].at("queue").as_string(), "notifications");
  EXPECT_EQ(items[0].at("type").as_string(), "order.exploded");
  EXPECT_EQ(items[0].at("attempts").as_int64(), 1);
  EXPECT_EQ(items[0].at("last_error").as_string(), "unknown event type");
  EXPECT_EQ(listed.body.find("customer@example.com"), std::string::npos) << "never the payload";
  EXPECT_TRUE(server.wait_for_line("notify.event_refused", 5s));

  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/admin/dlq/evt-unknown/replay", {}, admin.access_token).status,
            404);
  const auto replayed =
      api_request(server.port(), "POST", "/api/v1/admin/dlq/evt-poison-1/replay", {}, admin.access_token);
  EXPECT_EQ(replayed.status, 202) << replayed.body;
  // Still poison: the worker takes it again and refuses it again.
  const auto refused_twice = poll_until([&] { return server.stdout_lines(); },
                                        [](const std::vector<std::string>& lines) {
                                          int refused = 0;
                                          for (const auto& line : lines) {
                                            refused += line.find("notify.event_refused") != std::string::npos;
                                          }
                                          return refused >= 2;
                                        });
  int refused = 0;
  for (const auto& line : refused_twice) refused += line.find("notify.event_refused") != std::string::npos;
  EXPECT_EQ(refused, 2) << "the replayed message was delivered again";
}

TEST(NotificationsApi, EveryDeadLetterOfAQueueIsReplayedAtOnceByAnAdmin) {
  OrderlyProcess server(embedded_with_admin());
  const auto admin = admin_session(server.port());
  const auto customer = new_customer(server.port());
  for (const char* id : {"evt-many-1", "evt-many-2", "evt-many-3"}) {
    enqueue(server, id, "order.exploded", paid_event(customer.user_id));
  }
  const auto count_refused = [](const std::vector<std::string>& lines) {
    int refused = 0;
    for (const auto& line : lines) refused += line.find("notify.event_refused") != std::string::npos;
    return refused;
  };
  const auto listed = poll_until(
      [&] { return api_request(server.port(), "GET", "/api/v1/admin/dlq?queue=notifications", {}, admin.access_token); },
      [](const HttpResponse& r) { return r.status == 200 && json_of(r).at("items").as_array().size() == 3; });
  ASSERT_EQ(json_of(listed).at("items").as_array().size(), 3U) << listed.body;

  const auto target = "/api/v1/admin/dlq/replay?queue=notifications";
  EXPECT_EQ(api_request(server.port(), "POST", target).status, 401);
  EXPECT_EQ(api_request(server.port(), "POST", target, {}, customer.access_token).status, 403);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/admin/dlq/replay?queue=nope", {}, admin.access_token).status,
            422);
  EXPECT_EQ(api_request(server.port(), "POST", "/api/v1/admin/dlq/replay", {}, admin.access_token).status, 422);

  const auto replayed = api_request(server.port(), "POST", target, {}, admin.access_token);
  ASSERT_EQ(replayed.status, 202) << replayed.body;
  EXPECT_EQ(json_of(replayed).at("replayed").as_int64(), 3);
  EXPECT_EQ(json_of(replayed).at("queue").as_string(), "notifications");
  // Each one is delivered again (and refused again, being poison).
  const auto lines = poll_until([&] { return server.stdout_lines(); },
                                [&](const std::vector<std::string>& seen) { return count_refused(seen) >= 6; });
  EXPECT_EQ(count_refused(lines), 6);
}

}  // namespace
}  // namespace orderly::testing
