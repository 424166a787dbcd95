// POST /api/v1/orders bodies: what is accepted, merged and refused (API.md: 400 bad JSON, 422 bad items).
#include "orders/order_request.hpp"

#include <gtest/gtest.h>

#include "core/problem.hpp"

namespace orderly::orders {
namespace {

constexpr auto kAddress = R"("shipping_address":{"name":"Alice","line1":"1 Main St","city":"Paris","postal_code":"75001","country":"FR"})";

net::Request with_body(std::string body) {
  net::Request request;
  request.method = "POST";
  request.path = "/api/v1/orders";
  request.body = std::move(body);
  return request;
}

core::Problem problem_of(const std::string& body) {
  try {
    (void)parse_create_order(with_body(body));
  } catch (const core::ProblemError& error) {
    return error.problem();
  }
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

bool names_field(const core::Problem& problem, const std::string& field) {
  for (const auto& error : problem.errors) {
    if (error.field == field) return true;
  }
  return false;
}

TEST(OrderRequest, ParsesMergesRepeatedProductsAndIgnoresUnknownFields) {
  const auto parsed = parse_create_order(with_body(
      std::string(R"({"items":[{"product_id":"p1","quantity":2},{"product_id":"p2","quantity":1},)") +
      R"({"product_id":"p1","quantity":3}],"payment_method_id":"pm1","coupon":"x",)" + kAddress + "}"));
  ASSERT_EQ(parsed.items.size(), 2U);
  EXPECT_EQ(parsed.items[0].product_id, "p1");
  EXPECT_EQ(parsed.items[0].quantity, 5);
  EXPECT_EQ(parsed.items[1].quantity, 1);
  EXPECT_EQ(parsed.payment_method_id, "pm1");
  EXPECT_NE(parsed.shipping_address.find(R"("country":"FR")"), std::string::npos);
}

TEST(OrderRequest, UnparsableJsonIs400) { EXPECT_EQ(problem_of("{not json").status, 400); }

TEST(OrderRequest, BadItemsAre422NamingEachField) {
  const auto head = std::string(R"({"payment_method_id":"pm1",)") + kAddress + ",";
  auto problem = problem_of(head + R"("items":[]})");
  EXPECT_EQ(problem.status, 422);
  EXPECT_TRUE(names_field(problem, "items"));

  problem = problem_of(head + R"("items":[{"product_id":7,"quantity":0},{"product_id":"p","quantity":1001},)" +
                       R"({"product_id":"q","quantity":1.5},"x"]})");
  EXPECT_EQ(problem.status, 422);
  EXPECT_TRUE(names_field(problem, "items[0].product_id"));
  EXPECT_TRUE(names_field(problem, "items[0].quantity"));
  EXPECT_TRUE(names_field(problem, "items[1].quantity"));
  EXPECT_TRUE(names_field(problem, "items[2].quantity"));
  EXPECT_TRUE(names_field(problem, "items[3]"));

  std::string many = head + R"("items":[)";
  for (int i = 0; i < 51; ++i) many += std::string(i ? "," : "") + R"({"product_id":"p)" + std::to_string(i) + R"(","quantity":1})";
  EXPECT_TRUE(names_field(problem_of(many + "]}"), "items"));

  problem = problem_of(head + R"("items":[{"product_id":"p","quantity":600},{"product_id":"p","quantity":600}]})");
  EXPECT_TRUE(names_field(problem, "items[1].quantity")) << "merged lines stay within 1000";
}

TEST(OrderRequest, PaymentMethodAndAddressAreChecked) {
  const auto problem = problem_of(
      R"({"items":[{"product_id":"p","quantity":1}],"shipping_address":{"name":"A","line1":"","city":"C","postal_code":"1","country":"France"}})");
  EXPECT_EQ(problem.status, 422);
  EXPECT_TRUE(names_field(problem, "payment_method_id"));
  EXPECT_TRUE(names_field(problem, "shipping_address.line1"));
  EXPECT_TRUE(names_field(problem, "shipping_address.country"));
  EXPECT_TRUE(names_field(problem_of(R"({"items":[{"product_id":"p","quantity":1}],"payment_method_id":"x"})"),
                          "shipping_address"));
}

}  // namespace
}  // namespace orderly::orders
