#include "net/pipeline.hpp"

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "core/service_unavailable.hpp"

namespace orderly::net {
namespace {

using core::run_sync;
namespace asio = boost::asio;

// Appends its name to the request body on the way in and to a response
// header on the way out, to show the order middleware runs in.
class Tracer final : public Middleware {
 public:
  explicit Tracer(std::string name) : name_(std::move(name)) {}
  asio::awaitable<Response> handle(RequestContext& context, Request& request, Next next) override {
    request.body += name_ + ">";
    auto response = co_await next(context, request);
    response.headers.add("X-Order", name_);
    co_return response;
  }

 private:
  std::string name_;
};

Response dispatch(Pipeline& pipeline, const Router& router, std::string method, std::string path) {
  RequestContext context;
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  auto match = router.match(request.method, request.path);
  context.route = match.route;
  context.allow = match.allow;
  return run_sync(pipeline.run(context, request));
}

TEST(Pipeline, MiddlewareWrapsTheHandlerOutermostFirst) {
  Router router;
  router.add("GET", "/echo", [](RequestContext&, Request& request) -> asio::awaitable<Response> {
    co_return Response::text(200, request.body);
  });
  Pipeline pipeline(router);
  pipeline.use(std::make_shared<Tracer>("outer"));
  pipeline.use(std::make_shared<Tracer>("inner"));
  const auto response = dispatch(pipeline, router, "GET", "/echo");
  EXPECT_EQ(response.body, "outer>inner>");
  std::vector<std::string> order;
  for (const auto& [name, value] : response.headers) {
    if (name == "X-Order") order.push_back(value);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"inner", "outer"}));
}

TEST(Pipeline, ProblemErrorsKeepTheirStatusAndOtherExceptionsHideTheirText) {
  Router router;
  router.add("GET", "/conflict", [](RequestContext&, Request&) -> asio::awaitable<Response> {
    throw core::ProblemError({409, "/problems/out-of-stock", "Out of stock", "Only 2 left.", {}});
    co_return Response::empty(200);
  });
  router.add("GET", "/bug", [](RequestContext&, Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("secret connection string postgres://admin:hunter2@db");
    co_return Response::empty(200);
  });
  Pipeline pipeline(router);

  const auto conflict = dispatch(pipeline, router, "GET", "/conflict");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_NE(conflict.body.find("/problems/out-of-stock"), std::string::npos);

  const auto bug = dispatch(pipeline, router, "GET", "/bug");
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(bug.headers.get("Content-Type"), "application/problem+json");
  EXPECT_EQ(bug.body.find("hunter2"), std::string::npos) << "an exception's text must never reach the client";
}

// As the store's StoreUnavailable: its layer's exception type, marked as "retry later".
class DatabaseDown final : public std::runtime_error, public core::TemporarilyUnavailable {
 public:
  DatabaseDown() : std::runtime_error("postgres 127.0.0.1:5432: no leader known") {}
  [[nodiscard]] const char* dependency() const override { return "database"; }
};

TEST(Pipeline, ATemporarilyUnavailableDependencyIsA503WithRetryAfter) {
  Router router;
  router.add("GET", "/orders", [](RequestContext&, Request&) -> asio::awaitable<Response> {
    throw DatabaseDown();
    co_return Response::empty(200);
  });
  Pipeline pipeline(router);
  const auto response = dispatch(pipeline, router, "GET", "/orders");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.headers.get("Retry-After"), "1");
  EXPECT_NE(response.body.find("/problems/service-unavailable"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("5432"), std::string::npos) << "the error's text stays in the log";
}

TEST(Pipeline, UnknownPathAndWrongMethodAreProblems) {
  Router router;
  router.add("GET", "/only-get", [](RequestContext&, Request&) -> asio::awaitable<Response> {
    co_return Response::empty(204);
  });
  Pipeline pipeline(router);
  EXPECT_EQ(dispatch(pipeline, router, "GET", "/nowhere").status, 404);
  const auto wrong = dispatch(pipeline, router, "POST", "/only-get");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.get("Allow"), "GET, HEAD");
}

}  // namespace
}  // namespace orderly::net
