#include "net/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/run_sync.hpp"
#include "net/http_server.hpp"

namespace orderly::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Kind = HttpClientError::Kind;

// A real HttpServer as the upstream, on one loop, with routes that answer,
// close, stall and send too much.
class HttpClientTest : public ::testing::Test {
 protected:
  explicit HttpClientTest(core::HttpConfig limits = {})
      : limits_(limits), server_(1, limits_, metrics_, clock_), pipeline_(router_) {
    router_.add("GET", "/hello", [](RequestContext&, Request& request) -> asio::awaitable<Response> {
      auto response = Response::text(200, "hello " + std::string(request.headers.get("X-Name").value_or("?")));
      response.headers.set("X-Host-Seen", std::string(request.headers.get("Host").value_or("")));
      co_return response;
    });
    router_.add("POST", "/echo", [](RequestContext&, Request& request) -> asio::awaitable<Response> {
      co_return Response::text(201, request.body);
    });
    router_.add("GET", "/close", [](RequestContext&, Request&) -> asio::awaitable<Response> {
      auto response = Response::text(200, "bye");
      response.close = true;
      co_return response;
    });
    router_.add("GET", "/slow", [](RequestContext&, Request&) -> asio::awaitable<Response> {
      asio::steady_timer timer(co_await asio::this_coro::executor, 2s);
      co_await timer.async_wait(asio::use_awaitable);
      co_return Response::text(200, "late");
    });
    router_.add("GET", "/big", [](RequestContext&, Request&) -> asio::awaitable<Response> {
      co_return Response::text(200, std::string(64 * 1024, 'x'));
    });
    server_.add_listener("listen", {"127.0.0.1", 0}, pipeline_, true);
    server_.start();
    upstream_ = server_.bound_address("listen");
  }
  ~HttpClientTest() override { server_.drain(0ms); }

  [[nodiscard]] double connections_accepted() const {
    const auto text = metrics_.render();
    constexpr std::string_view kSeries = "\norderly_http_connections_accepted_total ";
    const auto at = text.find(kSeries);
    return at == std::string::npos ? 0 : std::stod(text.substr(at + kSeries.size()));
  }

  static Request get(std::string target) {
    Request request;
    request.method = "GET";
    request.target = std::move(target);
    return request;
  }

  core::HttpConfig limits_;
  core::metrics::Registry metrics_;
  core::SystemClock clock_;
  Router router_;
  HttpServer server_;
  Pipeline pipeline_;
  core::HostPort upstream_;
};

TEST_F(HttpClientTest, KeepsOneConnectionAliveAcrossCalls) {
  HttpClient client({}, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i) {
      auto request = get("/hello");
      request.headers.add("X-Name", "n" + std::to_string(i));
      const auto response = co_await client.send(upstream_, std::move(request), 2s);
      EXPECT_EQ(response.status, 200);
      EXPECT_EQ(response.body, "hello n" + std::to_string(i));
      EXPECT_EQ(response.headers.get("X-Host-Seen"), upstream_.to_string());
      EXPECT_FALSE(response.headers.get("Content-Length").has_value()) << "framing stays inside the client";
    }
  }());
  EXPECT_EQ(connections_accepted(), 1);
}

TEST_F(HttpClientTest, ABorrowedRequestCanBeSentAgainUnchanged) {
  HttpClient client({}, clock_);
  Request request;
  request.method = "POST";
  request.target = "/echo";
  request.body = "{\"a\":1}";
  request.headers.add("X-Name", "kept");
  core::run_sync([&]() -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) {  // the first from a new pool, then the hot path
      const auto response = co_await client.send_borrowed(upstream_, request, 2s);
      EXPECT_EQ(response.status, 201);
      EXPECT_EQ(response.body, "{\"a\":1}");
    }
  }());
  EXPECT_EQ(request.body, "{\"a\":1}");
  EXPECT_EQ(request.headers.get("X-Name"), "kept") << "the caller's request is not consumed";
  EXPECT_EQ(connections_accepted(), 1);
}

TEST_F(HttpClientTest, SendsTheBodyWithItsLength) {
  HttpClient client({}, clock_);
  const auto response = core::run_sync([&]() -> asio::awaitable<Response> {
    Request request;
    request.method = "POST";
    request.target = "/echo";
    request.body = "{\"a\":1}";
    request.headers.add("Transfer-Encoding", "chunked");  // the caller's framing is replaced
    co_return co_await client.send(upstream_, std::move(request), 2s);
  }());
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "{\"a\":1}");
}

TEST_F(HttpClientTest, RetiresAConnectionAfterConnectionClose) {
  HttpClient client({}, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    const auto first = co_await client.send(upstream_, get("/close"), 2s);
    EXPECT_EQ(first.body, "bye");
    const auto second = co_await client.send(upstream_, get("/hello"), 2s);
    EXPECT_EQ(second.status, 200);
  }());
  EXPECT_EQ(connections_accepted(), 2);
}

TEST_F(HttpClientTest, TimesOutAStalledCallAndDoesNotReuseItsConnection) {
  HttpClient client({}, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    const auto started = std::chrono::steady_clock::now();
    std::optional<Kind> kind;
    bool sent = false;
    try {
      (void)co_await client.send(upstream_, get("/slow"), 150ms);
    } catch (const HttpClientError& error) {
      kind = error.kind();
      sent = error.request_sent();
    }
    const auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(kind, Kind::timeout);
    EXPECT_TRUE(sent);
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 1s);
    const auto after = co_await client.send(upstream_, get("/hello"), 2s);
    EXPECT_EQ(after.status, 200);
  }());
  EXPECT_EQ(connections_accepted(), 2);
}

TEST_F(HttpClientTest, RefusedConnectionIsAConnectFailureNeverSent) {
  // A port that was free a moment ago: nothing listens there.
  asio::io_context context;
  asio::ip::tcp::acceptor probe(context, {asio::ip::make_address("127.0.0.1"), 0});
  const core::HostPort closed{"127.0.0.1", probe.local_endpoint().port()};
  probe.close();
  HttpClient client({}, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    try {
      (void)co_await client.send(closed, get("/"), 1s);
      ADD_FAILURE() << "a refused connection answered";
    } catch (const HttpClientError& error) {
      EXPECT_EQ(error.kind(), Kind::connect_failed);
      EXPECT_FALSE(error.request_sent());
    }
  }());
}

TEST_F(HttpClientTest, ABodyOverTheLimitIsRefused) {
  HttpClientSettings settings;
  settings.response_body_limit = 1024;
  HttpClient client(settings, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    try {
      (void)co_await client.send(upstream_, get("/big"), 2s);
      ADD_FAILURE() << "64 KiB passed a 1 KiB limit";
    } catch (const HttpClientError& error) {
      EXPECT_EQ(error.kind(), Kind::body_too_large);
    }
  }());
}

TEST_F(HttpClientTest, ABusyPoolRefusesAtOnceInsteadOfQueueing) {
  HttpClientSettings settings;
  settings.max_connections_per_instance = 1;
  HttpClient client(settings, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    bool slow_done = false;
    asio::co_spawn(
        executor,
        [&]() -> asio::awaitable<void> {
          try {
            (void)co_await client.send(upstream_, get("/slow"), 300ms);
          } catch (const HttpClientError&) {
          }
          slow_done = true;
        },
        asio::detached);
    // Let the slow call start: it holds the one connection from its first step on.
    co_await asio::post(executor, asio::use_awaitable);
    try {
      (void)co_await client.send(upstream_, get("/hello"), 1s);
      ADD_FAILURE() << "a second connection opened past the cap";
    } catch (const HttpClientError& error) {
      EXPECT_EQ(error.kind(), Kind::pool_exhausted);
      EXPECT_FALSE(error.request_sent());
    }
    while (!slow_done) {
      asio::steady_timer wait(executor, 10ms);
      co_await wait.async_wait(asio::use_awaitable);
    }
  }());
}

// An upstream that drops idle keep-alive connections quickly.
class HttpClientIdleUpstreamTest : public HttpClientTest {
 protected:
  HttpClientIdleUpstreamTest() : HttpClientTest(short_idle_timeout()) {}
  static core::HttpConfig short_idle_timeout() {
    core::HttpConfig limits;
    limits.idle_timeout = 100ms;
    return limits;
  }
};

TEST_F(HttpClientIdleUpstreamTest, NoticesAConnectionTheUpstreamClosedWhileIdle) {
  HttpClient client({}, clock_);
  core::run_sync([&]() -> asio::awaitable<void> {
    const auto first = co_await client.send(upstream_, get("/hello"), 2s);
    EXPECT_EQ(first.status, 200);
    // Wait (bounded) until the server's sweep has closed the idle connection.
    auto executor = co_await asio::this_coro::executor;
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (metrics_.render().find("orderly_http_timeouts_total{phase=\"idle\"} 1") == std::string::npos &&
           std::chrono::steady_clock::now() < give_up) {
      asio::steady_timer wait(executor, 20ms);
      co_await wait.async_wait(asio::use_awaitable);
    }
    const auto second = co_await client.send(upstream_, get("/hello"), 2s);
    EXPECT_EQ(second.status, 200);
  }());
  EXPECT_EQ(connections_accepted(), 2);
}

}  // namespace
}  // namespace orderly::net
