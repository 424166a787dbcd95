// Issue 16, item 5, on the real binary: security and admin events land in
// auth's audit log (actor, subject, time, address, request id, never a
// secret), admins page through it with filters, and `orderly audit verify`
// finds the first broken link after a row is edited, deleted or the tail cut
// off by hand in the SQLite file (with the sqlite3 shell, as an intruder
// with the file would).
#include <sys/wait.h>

#include <csignal>
#include <cstdio>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/http_client.hpp"
#include "support/orderly_process.hpp"
#include "support/secret_scan.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr std::string_view kPassword = "correct horse battery";  // new_customer's

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char chunk[512];
  while (fgets(chunk, sizeof chunk, pipe) != nullptr) result.output += chunk;
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string binary() {
  const char* path = std::getenv("E2E_ORDERLY_BINARY");
  return path == nullptr ? std::string("orderly") : std::string(path);
}

CommandResult verify(const std::string& data_dir, const std::string& anchor = {}) {
  return run(binary() + " audit verify --data-dir " + data_dir + (anchor.empty() ? "" : " --anchor " + anchor));
}

json::object page(std::uint16_t port, const std::string& query, const Session& admin, SecretScan& scan) {
  const auto answer = api_request(port, "GET", "/api/v1/admin/audit" + query, {}, admin.access_token);
  scan.answer(answer);
  EXPECT_EQ(answer.status, 200) << query << ": " << answer.body;
  const auto body = json_of(answer);
  return body.is_object() ? body.as_object() : json::object{};
}

std::size_t count_action(const json::object& body, std::string_view action) {
  std::size_t found = 0;
  for (const auto& item : body.at("items").as_array()) found += item.at("action").as_string() == action ? 1 : 0;
  return found;
}

TEST(Audit, SecurityEventsAreRecordedAndAdminsPageThroughThemWithFilters) {
  OrderlyProcess server({.environment = {admin_password_environment()}});
  const auto customer = new_customer(server.port());
  const auto email = std::string(
      json_of(api_request(server.port(), "GET", "/api/v1/auth/me", {}, customer.access_token)).at("email").as_string());
  SecretScan scan;
  scan.add(std::string(kPassword));
  scan.add(std::string(kTestAdminPassword));
  scan.add(customer.refresh_token);
  scan.add("wrong password 12345");
  const auto failed = api_request(server.port(), "POST", "/api/v1/auth/login",
                                  json::serialize(json::object{{"email", email}, {"password", "wrong password 12345"}}));
  EXPECT_EQ(failed.status, 401);
  const auto admin = admin_session(server.port());
  scan.add(admin.refresh_token);
  const auto roles = "/api/v1/admin/users/" + customer.user_id + "/roles";
  ASSERT_EQ(api_request(server.port(), "PUT", roles, R"({"roles":["customer","admin"]})", admin.access_token).status,
            200);
  ASSERT_EQ(api_request(server.port(), "PUT", roles, R"({"roles":["customer"]})", admin.access_token).status, 200);

  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/audit").status, 401);
  EXPECT_EQ(api_request(server.port(), "GET", "/api/v1/admin/audit", {}, customer.access_token).status, 403);

  const auto all = page(server.port(), "?limit=100", admin, scan);
  EXPECT_GE(count_action(all, "auth.login_failed"), 1U);
  EXPECT_GE(count_action(all, "auth.login_succeeded"), 2U) << "the customer's and the admin's";
  EXPECT_EQ(count_action(all, "auth.roles_changed"), 2U);
  EXPECT_GE(count_action(all, "auth.signup"), 1U);
  for (const auto& item : all.at("items").as_array()) {
    const auto& row = item.as_object();
    EXPECT_FALSE(row.at("request_id").as_string().empty()) << row.at("action");
    EXPECT_FALSE(row.at("at").as_string().empty());
    if (row.at("action") == "auth.roles_changed") {
      EXPECT_EQ(row.at("actor").as_string(), admin.user_id);
      EXPECT_EQ(row.at("subject").as_string(), customer.user_id);
      EXPECT_EQ(row.at("address").as_string(), "127.0.0.1");
    }
  }

  const auto changes = page(server.port(), "?action=auth.roles_changed", admin, scan);
  EXPECT_EQ(changes.at("items").as_array().size(), 2U);
  EXPECT_EQ(count_action(changes, "auth.roles_changed"), 2U) << "only the filtered action";
  const auto by_admin = page(server.port(), "?actor=" + admin.user_id, admin, scan);
  for (const auto& item : by_admin.at("items").as_array()) EXPECT_EQ(item.at("actor").as_string(), admin.user_id);
  EXPECT_TRUE(page(server.port(), "?since=2999-01-01T00:00:00Z", admin, scan).at("items").as_array().empty());
  EXPECT_EQ(page(server.port(), "?until=2000-01-01T00:00:00Z", admin, scan).at("items").as_array().size(), 0U);

  // Cursor paging: two at a time, newest first, every row once.
  std::set<std::int64_t> seen;
  std::int64_t last = INT64_MAX;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {  // bounded
    const auto some = page(server.port(), "?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), admin, scan);
    EXPECT_LE(some.at("items").as_array().size(), 2U);
    for (const auto& item : some.at("items").as_array()) {
      const auto seq = item.at("seq").as_int64();
      EXPECT_LT(seq, last) << "newest first, no repeats";
      last = seq;
      seen.insert(seq);
    }
    if (some.at("next_cursor").is_null()) break;
    cursor = std::string(some.at("next_cursor").as_string());
  }
  EXPECT_EQ(seen.size(), all.at("items").as_array().size());

  for (const auto* bad : {"?limit=0", "?limit=101", "?cursor=abc", "?since=yesterday", "?until=2026-13-01T00:00:00Z"}) {
    const auto refused = api_request(server.port(), "GET", std::string("/api/v1/admin/audit") + bad, {},
                                     admin.access_token);
    scan.answer(refused);
    EXPECT_EQ(refused.status, 422) << bad;
  }

  // The head is anchored outside the table at every append.
  const auto anchored = server.wait_for_line("\"audit.appended\"", 5s);
  ASSERT_TRUE(anchored.has_value());
  EXPECT_NE(anchored->find("\"hash\""), std::string::npos);
  const auto metrics = http_get(server.ops_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("orderly_audit_head_seq " + std::to_string(*seen.rbegin())), std::string::npos)
      << "the gauge names the newest row";
  scan.expect_clean(server);
}

// The last audit.appended line of the server: "SEQ:HASH".
std::string last_anchor(OrderlyProcess& server) {
  std::string anchor;
  for (const auto& line : server.stdout_lines()) {
    if (line.find("\"audit.appended\"") == std::string::npos) continue;
    const auto parsed = json::parse(line).as_object();
    anchor = std::to_string(parsed.at("seq").as_int64()) + ":" + std::string(parsed.at("hash").as_string());
  }
  return anchor;
}

TEST(Audit, VerifyFindsTheFirstEditedDeletedOrCutRow) {
  OrderlyProcess server;
  for (int i = 0; i < 3; ++i) (void)new_customer(server.port());  // a signup and a login each
  ASSERT_TRUE(server.wait_for_line("\"audit.appended\"", 5s).has_value());
  server.send_signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(20s), 0);
  const auto anchor = last_anchor(server);
  ASSERT_EQ(anchor.rfind("6:", 0), 0U) << anchor;
  const auto data = server.data_dir() + "/data";

  const auto clean = verify(data, anchor);
  EXPECT_EQ(clean.exit_code, 0) << clean.output;
  EXPECT_NE(clean.output.find("6 rows verified"), std::string::npos) << clean.output;

  // Each attack on its own copy of the database.
  const auto copy = [&](const std::string& name) {
    const auto folder = server.data_dir() + "/" + name;
    EXPECT_EQ(run("mkdir -p " + folder + " && sqlite3 " + data + "/orderly.db \".backup " + folder +
                  "/orderly.db\"").exit_code,
              0);
    return folder;
  };
  // The intruder drops the triggers that keep the table append-only first.
  const auto sql = [](const std::string& folder, const std::string& statement) {
    const auto done = run("sqlite3 " + folder + "/orderly.db \"DROP TRIGGER audit_log_no_update;"
                          " DROP TRIGGER audit_log_no_delete; " + statement + "\"");
    EXPECT_EQ(done.exit_code, 0) << done.output;
  };
  const auto guarded = copy("guarded");
  EXPECT_NE(run("sqlite3 " + guarded + "/orderly.db \"UPDATE audit_log SET actor = 'x' WHERE seq = 1\"").exit_code, 0)
      << "an UPDATE by mistake is refused";
  EXPECT_NE(run("sqlite3 " + guarded + "/orderly.db \"DELETE FROM audit_log\"").exit_code, 0);

  const auto edited = copy("edited");
  sql(edited, "UPDATE audit_log SET actor = 'usr_someone_else' WHERE seq = 3");
  const auto after_edit = verify(edited);
  EXPECT_EQ(after_edit.exit_code, 1);
  EXPECT_NE(after_edit.output.find("broken at seq 3"), std::string::npos) << after_edit.output;

  const auto rehashed = copy("rehashed");  // a row whose stored hash is not its own
  sql(rehashed, "UPDATE audit_log SET hash = (SELECT hash FROM audit_log WHERE seq = 2) WHERE seq = 4");
  const auto after_rehash = verify(rehashed);
  EXPECT_EQ(after_rehash.exit_code, 1);
  EXPECT_NE(after_rehash.output.find("broken at seq 4"), std::string::npos) << after_rehash.output;

  const auto deleted = copy("deleted");
  sql(deleted, "DELETE FROM audit_log WHERE seq = 2");
  const auto after_delete = verify(deleted);
  EXPECT_EQ(after_delete.exit_code, 1);
  EXPECT_NE(after_delete.output.find("broken at seq 2"), std::string::npos) << after_delete.output;

  const auto cut = copy("cut");
  sql(cut, "DELETE FROM audit_log WHERE seq >= 5");
  EXPECT_EQ(verify(cut).exit_code, 0) << "a clean cut leaves a consistent chain: only the anchor shows it";
  const auto after_cut = verify(cut, anchor);
  EXPECT_EQ(after_cut.exit_code, 1);
  EXPECT_NE(after_cut.output.find("broken at seq 5"), std::string::npos) << after_cut.output;
  EXPECT_NE(after_cut.output.find("truncated"), std::string::npos) << after_cut.output;

  EXPECT_EQ(verify(data, "not-an-anchor").exit_code, 2);
}

}  // namespace
}  // namespace orderly::testing
