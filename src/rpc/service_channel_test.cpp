// rpc::ServiceChannel against real listeners (net::HttpServer) over real
// sockets: instance choice and ejection, which failures are retried, what a
// call carries (credential, request id, child traceparent, deadline) and the
// clear error when nothing answers.
#include "rpc/service_channel.hpp"

#include <atomic>

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "core/service_unavailable.hpp"
#include "core/trace_context.hpp"
#include "net/http_server.hpp"
#include "net/pipeline.hpp"

namespace orderly::rpc {
namespace {

using core::run_sync;
using namespace std::chrono_literals;

// One instance of a service: GET /internal/v1/echo answers the headers it
// got; /internal/v1/flaky answers 503 `failures` times, then 200.
struct Instance {
  Instance() {
    router.add("GET", "/internal/v1/echo",
               [this](net::RequestContext&, net::Request& request) -> boost::asio::awaitable<net::Response> {
                 ++calls;
                 std::string seen;
                 for (const auto* name : {"Authorization", "X-Request-Id", "traceparent", "X-Orderly-Deadline-Ms"}) {
                   seen += std::string(name) + "=" + std::string(request.headers.get(name).value_or("")) + "\n";
                 }
                 co_return net::Response::text(200, seen);
               });
    router.add("POST", "/internal/v1/flaky",
               [this](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
                 const bool fail = calls++ < failures;
                 co_return fail ? net::Response::problem(503, "/problems/unavailable", "Unavailable")
                                : net::Response::empty(204);
               });
    server.add_listener("internal_listen", core::HostPort{"127.0.0.1", 0}, pipeline, false);
    server.start();
  }
  ~Instance() { server.drain(1s); }
  core::HostPort address() const { return server.bound_address("internal_listen"); }

  std::atomic<int> calls{0};
  int failures = 0;
  core::SystemClock clock;
  core::metrics::Registry metrics;
  net::Router router;
  net::Pipeline pipeline{router};
  net::HttpServer server{1, core::HttpConfig{}, metrics, clock};
};

// A port nothing listens on: bound, then released.
core::HostPort dead_address() {
  Instance gone;
  return gone.address();
}

class FixedCredential final : public CredentialSource {
 public:
  boost::asio::awaitable<std::string> token(std::string audience) override { co_return "token-for-" + audience; }
};

class ServiceChannelTest : public ::testing::Test {
 protected:
  ServiceChannel& channel(std::vector<core::HostPort> addresses, CredentialSource* credentials = nullptr) {
    instances_.replace(std::move(addresses));
    channel_ = std::make_unique<ServiceChannel>(ServiceChannelOptions{.service = "catalog", .try_timeout = 1s},
                                                http_, instances_, credentials, clock_, random_, metrics_);
    return *channel_;
  }
  net::Response call(std::string method, std::string target, bool idempotent, core::CallContext context = {}) {
    return run_sync(channel_->call("test", std::move(method), std::move(target), "", idempotent, std::move(context)));
  }

  core::SystemClock clock_;
  core::FastRandom random_;
  core::metrics::Registry metrics_;
  net::HttpClient http_{net::HttpClientSettings{}, clock_};
  StaticInstances instances_{{}};
  std::unique_ptr<ServiceChannel> channel_;
};

TEST_F(ServiceChannelTest, CallsGoRoundRobinAndADeadInstanceIsSkipped) {
  Instance a;
  Instance b;
  channel({a.address(), dead_address(), b.address()});
  for (int i = 0; i < 30; ++i) EXPECT_EQ(call("GET", "/internal/v1/echo", true).status, 200);
  EXPECT_EQ(a.calls + b.calls, 30) << "each call answered once";
  EXPECT_GE(a.calls, 10);
  EXPECT_GE(b.calls, 10);
}

TEST_F(ServiceChannelTest, OnlyIdempotentCallsAreRetriedAfterA503) {
  Instance instance;
  channel({instance.address()});
  instance.failures = 1;
  EXPECT_EQ(call("POST", "/internal/v1/flaky", true).status, 204);
  EXPECT_EQ(instance.calls, 2) << "the 503, then the retry";

  instance.calls = 0;
  EXPECT_THROW(call("POST", "/internal/v1/flaky", false), core::ServiceUnavailable);
  EXPECT_EQ(instance.calls, 1) << "a call that is not idempotent is sent once";
}

TEST_F(ServiceChannelTest, ACallCarriesTheCredentialRequestIdChildTraceAndDeadline) {
  Instance instance;
  FixedCredential credentials;
  channel({instance.address()}, &credentials);
  core::FastRandom random;
  const auto parent = core::TraceContext::start(random);
  core::CallContext context{"req-42", parent.traceparent(), std::chrono::steady_clock::now() + 5s};
  const auto seen = call("GET", "/internal/v1/echo", true, context).body;
  EXPECT_NE(seen.find("Authorization=Bearer token-for-catalog\n"), std::string::npos) << seen;
  EXPECT_NE(seen.find("X-Request-Id=req-42\n"), std::string::npos) << seen;
  const auto trace_at = seen.find("traceparent=");
  ASSERT_NE(trace_at, std::string::npos);
  const auto child = core::TraceContext::parse(seen.substr(trace_at + 12, seen.find('\n', trace_at) - trace_at - 12));
  ASSERT_TRUE(child);
  EXPECT_EQ(child->trace_id, parent.trace_id);
  EXPECT_NE(child->span_id, parent.span_id) << "a child span, not the caller's";
  const auto deadline_at = seen.find("X-Orderly-Deadline-Ms=");
  ASSERT_NE(deadline_at, std::string::npos);
  const auto remaining = std::stoll(seen.substr(deadline_at + 22));
  EXPECT_GT(remaining, 0);
  EXPECT_LE(remaining, 5000);
}

TEST_F(ServiceChannelTest, NothingToCallIsServiceUnavailableNamingTheService) {
  channel({});
  try {
    (void)call("GET", "/internal/v1/echo", true);
    FAIL() << "answered without an instance";
  } catch (const core::ServiceUnavailable& error) {
    EXPECT_EQ(error.service(), "catalog");
  }
  channel({dead_address(), dead_address()});
  EXPECT_THROW(call("GET", "/internal/v1/echo", true), core::ServiceUnavailable);
  EXPECT_NE(metrics_.render().find("outcome=\"connect_failed\""), std::string::npos);
}

}  // namespace
}  // namespace orderly::rpc
