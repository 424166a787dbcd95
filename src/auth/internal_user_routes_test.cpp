#include "auth/internal_user_routes.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/run_sync.hpp"
#include "net/pipeline.hpp"

namespace orderly::auth {
namespace {

// One known user; every other id is unknown.
class OneUser final : public UserDirectory {
 public:
  boost::asio::awaitable<std::optional<UserContact>> contact(std::string user_id, core::CallContext) override {
    if (user_id != "u1") co_return std::nullopt;
    co_return UserContact{"ada@example.com", "Ada"};
  }
  boost::asio::awaitable<std::optional<std::int64_t>> token_version(std::string user_id, core::CallContext) override {
    if (user_id != "u1") co_return std::nullopt;
    co_return 3;
  }
};

class InternalUserRoutes : public ::testing::Test {
 protected:
  InternalUserRoutes() { add_internal_user_routes(router_, users_); }

  net::Response get(const std::string& path) {
    net::RequestContext context;
    net::Request request;
    request.method = "GET";
    request.target = path;
    request.path = path;
    const auto match = router_.match(request.method, request.path);
    context.route = match.route;
    context.path_params = match.params;
    context.allow = match.allow;
    return core::run_sync(pipeline_.run(context, request));
  }

  OneUser users_;
  net::Router router_;
  net::Pipeline pipeline_{router_};
};

TEST_F(InternalUserRoutes, AnswersTheContactOfAKnownUser) {
  const auto response = get("/internal/v1/users/u1/contact");
  ASSERT_EQ(response.status, 200);
  const auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("email").as_string(), "ada@example.com");
  EXPECT_EQ(body.at("name").as_string(), "Ada");
}

TEST_F(InternalUserRoutes, UnknownUserIsNotFound) {
  EXPECT_EQ(get("/internal/v1/users/nobody/contact").status, 404);
}

TEST_F(InternalUserRoutes, OnlyGetIsRouted) {
  const auto match = router_.match("POST", "/internal/v1/users/u1/contact");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_NE(match.allow.find("GET"), std::string::npos);
}

}  // namespace
}  // namespace orderly::auth
