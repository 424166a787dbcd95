// The remote provider client against the provider-sim routes, in-process
// (the transport runs the router directly): wire format, retries with the
// same key, timeouts, and the circuit breaker.
#include "payments/http_payment_provider.hpp"

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "net/pipeline.hpp"
#include "payments/provider_sim_routes.hpp"

namespace orderly::payments {
namespace {

using core::run_sync;
using namespace std::chrono_literals;

const core::Money kAmount{2500, "EUR"};

CardDetails card(std::string number) { return CardDetails{std::move(number), 12, 2031}; }

class HttpPaymentProviderTest : public ::testing::Test {
 protected:
  explicit HttpPaymentProviderTest(SimulatorOptions simulator_options = {100ms, 1, {}})
      : simulator_(simulator_options, random_) {
    add_provider_sim_routes(router_, simulator_);
  }

  HttpPaymentProvider make_provider(std::chrono::milliseconds timeout = 1s) {
    ProviderTransport transport = [this](net::Request request,
                                         std::chrono::milliseconds) -> boost::asio::awaitable<net::Response> {
      ++transport_calls_;
      if (refuse_connections_) throw std::runtime_error("connection refused");
      net::RequestContext context;
      const auto match = router_.match(request.method, request.path);
      context.route = match.route;
      context.path_params = match.params;
      co_return co_await pipeline_.run(context, request);
    };
    HttpProviderOptions options;
    options.timeout = timeout;
    options.retry.base_delay = 1ms;
    options.retry.max_delay = 5ms;
    return HttpPaymentProvider(std::move(transport), options, breaker_, budget_, random_);
  }

  core::SeededRandom random_{11};
  core::ManualClock clock_;
  core::metrics::Registry metrics_;
  SimulatedProvider simulator_;
  net::Router router_;
  net::Pipeline pipeline_{router_};
  resilience::CircuitBreaker breaker_{"payment_provider",
                                      resilience::CircuitBreakerOptions{.consecutive_failures = 4}, clock_, metrics_};
  resilience::RetryBudget budget_{"payment_provider", {}, clock_, metrics_};
  int transport_calls_ = 0;
  bool refuse_connections_ = false;
};

TEST_F(HttpPaymentProviderTest, AnswersCrossTheWireAndOneKeyIsOneCharge) {
  auto provider = make_provider();
  const auto held = run_sync(provider.authorize("o1:authorize", card("4242424242424242"), kAmount));
  ASSERT_TRUE(held.approved);
  EXPECT_TRUE(held.reference.starts_with("auth_"));
  const auto captured = run_sync(provider.capture("o1:capture", held.reference, kAmount));
  EXPECT_TRUE(captured.approved);
  EXPECT_EQ(run_sync(provider.capture("o1:capture", held.reference, kAmount)).reference, captured.reference);
  EXPECT_EQ(simulator_.counts().captures, 1);
  EXPECT_TRUE(run_sync(provider.refund("o1:refund", held.reference, kAmount)).approved);

  const auto declined = run_sync(provider.authorize("o2:authorize", card("4000000000000002"), kAmount));
  EXPECT_FALSE(declined.approved);
  EXPECT_EQ(declined.decline_code, "card_declined");
  const auto other = run_sync(provider.authorize("o3:authorize", card("4242424242424242"), kAmount));
  EXPECT_TRUE(run_sync(provider.void_authorization("o3:void", other.reference)).approved);
  EXPECT_EQ(simulator_.counts().voids, 1);
}

TEST_F(HttpPaymentProviderTest, TheTransientCardIsRetriedWithTheSameKeyInsideOneCall) {
  auto provider = make_provider();
  const auto result = run_sync(provider.authorize("t:authorize", card("4000000000000119"), kAmount));
  EXPECT_TRUE(result.approved);
  EXPECT_EQ(transport_calls_, 2) << "a 503, then the same key again";
  EXPECT_EQ(simulator_.counts().authorizations, 1);
}

TEST_F(HttpPaymentProviderTest, TheSlowCardTimesOutOnceAndTheRetryIsAnsweredAtOnce) {
  auto provider = make_provider(30ms);  // the simulator's slow answer takes 100 ms
  const auto result = run_sync(provider.authorize("s:authorize", card("4000000000003220"), kAmount));
  EXPECT_TRUE(result.approved);
  EXPECT_EQ(transport_calls_, 2);
  EXPECT_EQ(simulator_.counts().authorizations, 1) << "the timed-out first try and the retry are one authorization";
}

TEST_F(HttpPaymentProviderTest, AnUnreachableProviderIsUnavailableAndTheBreakerThenFailsFast) {
  auto provider = make_provider();
  refuse_connections_ = true;
  EXPECT_THROW((void)run_sync(provider.authorize("u1", card("4242424242424242"), kAmount)), ProviderUnavailable);
  EXPECT_EQ(transport_calls_, 3) << "three attempts with the same key";
  EXPECT_THROW((void)run_sync(provider.authorize("u2", card("4242424242424242"), kAmount)), ProviderUnavailable);
  EXPECT_EQ(breaker_.state(), resilience::BreakerState::open) << "four failures in a row trip it";
  const auto before = transport_calls_;
  EXPECT_THROW((void)run_sync(provider.authorize("u3", card("4242424242424242"), kAmount)), ProviderUnavailable);
  EXPECT_EQ(transport_calls_, before) << "an open breaker sends nothing";

  refuse_connections_ = false;
  clock_.advance(6s);  // past the cool-down: a probe goes through and closes it
  EXPECT_TRUE(run_sync(provider.authorize("u3", card("4242424242424242"), kAmount)).approved);
  EXPECT_EQ(breaker_.state(), resilience::BreakerState::closed);
}

TEST_F(HttpPaymentProviderTest, AMalformedReferenceIsRefusedBeforeAnythingIsSent) {
  auto provider = make_provider();
  EXPECT_THROW((void)run_sync(provider.capture("k", "../admin", kAmount)), std::logic_error);
  EXPECT_EQ(transport_calls_, 0);
}

}  // namespace
}  // namespace orderly::payments
