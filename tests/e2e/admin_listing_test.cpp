// The admin listings of the web issue on the real binary: GET
// /api/v1/admin/users (filter by e-mail, pages, no secrets, refused to a
// customer) and ?status= on GET /api/v1/orders.
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

OrderlyProcess::Options with_admin() {
  OrderlyProcess::Options options;
  options.environment = {admin_password_environment()};
  return options;
}

std::vector<std::string> emails_of(const HttpResponse& response) {
  std::vector<std::string> emails;
  const auto body = json_of(response);  // named: a range-for does not keep a temporary's parent alive
  for (const auto& item : body.at("items").as_array()) emails.emplace_back(item.at("email").as_string());
  return emails;
}

TEST(AdminUsers, FilteredByEmailPagedWithoutSecretsAndForAdminsOnly) {
  OrderlyProcess server(with_admin());
  const auto port = server.port();
  for (const char* email : {"listing-b@example.com", "listing-a@example.com", "listing-c@example.com",
                            "other_person@example.com"}) {
    ASSERT_EQ(sign_up(port, email, "listing-password-1").status, 201);
  }
  const auto admin = admin_session(port);
  const auto customer = new_customer(port);

  EXPECT_EQ(api_request(port, "GET", "/api/v1/admin/users").status, 401);
  EXPECT_EQ(api_request(port, "GET", "/api/v1/admin/users", {}, customer.access_token).status, 403);

  const auto first = api_request(port, "GET", "/api/v1/admin/users?email=LISTING-&limit=2", {}, admin.access_token);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(emails_of(first), (std::vector<std::string>{"listing-a@example.com", "listing-b@example.com"}));
  const auto first_body = json_of(first);
  const auto& item = first_body.at("items").at(0).as_object();
  EXPECT_TRUE(item.contains("id") && item.contains("name") && item.contains("created_at"));
  EXPECT_EQ(item.at("roles").as_array().size(), 1U);
  EXPECT_EQ(first.body.find("password"), std::string::npos) << "never the password hash";
  EXPECT_EQ(first.body.find("token_version"), std::string::npos);

  const auto cursor = std::string(json_of(first).at("next_cursor").as_string());
  const auto second =
      api_request(port, "GET", "/api/v1/admin/users?email=listing-&limit=2&cursor=" + cursor, {}, admin.access_token);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(emails_of(second), (std::vector<std::string>{"listing-c@example.com"}));
  EXPECT_TRUE(json_of(second).at("next_cursor").is_null());

  // LIKE's wildcards are literal in the filter: "_" matches an underscore only.
  const auto underscore = api_request(port, "GET", "/api/v1/admin/users?email=r_p", {}, admin.access_token);
  EXPECT_EQ(emails_of(underscore), (std::vector<std::string>{"other_person@example.com"}));
  const auto everyone = api_request(port, "GET", "/api/v1/admin/users?limit=100", {}, admin.access_token);
  EXPECT_EQ(emails_of(everyone).size(), 6U) << "four, the customer and the admin";

  for (const char* bad : {"limit=0", "limit=101", "limit=x", "cursor=zz", "cursor=abc"}) {
    const auto refused = api_request(port, "GET", std::string("/api/v1/admin/users?") + bad, {}, admin.access_token);
    EXPECT_EQ(refused.status, 422) << bad << ": " << refused.body;
  }
  const auto long_filter = "/api/v1/admin/users?email=" + std::string(300, 'a');
  EXPECT_EQ(api_request(port, "GET", long_filter, {}, admin.access_token).status, 422);
}

TEST(AdminOrders, StatusFiltersTheListAndAnUnknownStatusIs422) {
  // ShopClient logs the admin in with the purchase suites' password.
  OrderlyProcess server({.environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}});
  std::atomic<std::uint16_t> port(server.port());
  ShopClient shop(port);
  const auto admin = shop.admin_token();
  const auto buyer = shop.customer("status-filter@example.com");
  const auto product = shop.create_product(admin, "FILTER-1", 700, 20);
  std::vector<std::string> ids;
  for (const char* card : {kCardApproved, kCardDeclined}) {
    const auto placed = shop.place(buyer, std::string("filter-") + card,
                                   ShopClient::order_body(product, 1, shop.add_card(buyer, card)));
    ASSERT_TRUE(placed && placed->status == 201);
    ids.emplace_back(json::parse(placed->body).at("id").as_string());
    ASSERT_TRUE(shop.wait_settled(buyer, ids.back(), 20s));
  }
  const auto listed_ids = [&](const std::string& target, const std::string& token) {
    std::vector<std::string> found;
    const auto answer = shop.call("GET", target, token);
    EXPECT_TRUE(answer && answer->status == 200) << (answer ? answer->body : "no answer");
    if (!answer || answer->status != 200) return found;
    const auto body = json::parse(answer->body);
    for (const auto& order : body.at("items").as_array()) found.emplace_back(order.at("id").as_string());
    return found;
  };
  EXPECT_EQ(listed_ids("/api/v1/orders?status=paid", admin), std::vector<std::string>{ids[0]});
  EXPECT_EQ(listed_ids("/api/v1/orders?status=cancelled", admin), std::vector<std::string>{ids[1]});
  EXPECT_TRUE(listed_ids("/api/v1/orders?status=shipped", admin).empty());
  EXPECT_EQ(listed_ids("/api/v1/orders", admin).size(), 2U);

  // Paged within the filter: one a page, then nothing more.
  const auto page = shop.call("GET", "/api/v1/orders?status=paid&limit=1", admin);
  ASSERT_TRUE(page);
  EXPECT_TRUE(json::parse(page->body).at("next_cursor").is_null());

  const auto unknown = shop.call("GET", "/api/v1/orders?status=lost", admin);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 422) << unknown->body;
  // A customer's filter stays within their own orders.
  const auto other = shop.customer("status-other@example.com");
  EXPECT_TRUE(listed_ids("/api/v1/orders?status=paid", other).empty());
}

}  // namespace
}  // namespace orderly::testing
