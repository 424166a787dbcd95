// The remote provider client against a real provider-sim server over real
// sockets (net::HttpServer + the provider-sim routes, net::HttpClient).
#include "app/payments_wiring.hpp"

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "net/http_server.hpp"
#include "net/pipeline.hpp"
#include "payments/provider_sim_routes.hpp"

namespace orderly::app {
namespace {

using core::run_sync;
using namespace std::chrono_literals;

const core::Money kAmount{4999, "USD"};

payments::CardDetails card(std::string number) { return {std::move(number), 12, 2031}; }

class RemoteProviderTest : public ::testing::Test {
 protected:
  RemoteProviderTest() {
    payments::add_provider_sim_routes(router_, simulator_);
    server_.add_listener("listen", core::HostPort{"127.0.0.1", 0}, pipeline_, false);
    server_.start();
    config_.payments.provider_timeout = 300ms;  // the simulator's slow answer takes 1 s
    config_.payments.provider_breaker_failures = 3;
    provider_ = remote_provider(config_, server_.bound_address("listen"), clock_, random_, metrics_, parts_);
  }
  ~RemoteProviderTest() override {
    provider_.reset();
    parts_.reset();
    if (!drained_) server_.drain(1s);
  }

  core::SystemClock clock_;
  core::FastRandom random_;
  core::metrics::Registry metrics_;
  core::Config config_;
  payments::SimulatedProvider simulator_{payments::SimulatorOptions{1s, 1, {}}, random_};
  net::Router router_;
  net::Pipeline pipeline_{router_};
  net::HttpServer server_{1, core::HttpConfig{}, metrics_, clock_};
  std::shared_ptr<RemoteProviderParts> parts_;
  std::shared_ptr<payments::PaymentProvider> provider_;
  bool drained_ = false;
};

TEST_F(RemoteProviderTest, EveryTestCardBehavesOverHttp) {
  const auto approved = run_sync(provider_->authorize("a", card("4242424242424242"), kAmount));
  ASSERT_TRUE(approved.approved);
  EXPECT_TRUE(run_sync(provider_->capture("a:capture", approved.reference, kAmount)).approved);
  EXPECT_TRUE(run_sync(provider_->capture("a:capture", approved.reference, kAmount)).approved);
  EXPECT_EQ(simulator_.counts().captures, 1) << "same key twice: one charge";

  EXPECT_EQ(run_sync(provider_->authorize("d", card("4000000000000002"), kAmount)).decline_code, "card_declined");
  EXPECT_EQ(run_sync(provider_->authorize("f", card("4000000000009995"), kAmount)).decline_code,
            "insufficient_funds");
  EXPECT_TRUE(run_sync(provider_->authorize("t", card("4000000000000119"), kAmount)).approved)
      << "a 503, then the retry with the same key";

  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(run_sync(provider_->authorize("s", card("4000000000003220"), kAmount)).approved);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 300ms) << "the first try timed out";
  EXPECT_LT(took, 1s) << "the retry was answered without waiting for the slow answer";
  EXPECT_EQ(simulator_.counts().authorizations, 3) << "4242, the transient card and the slow card, once each";
}

TEST_F(RemoteProviderTest, AStoppedProviderIsUnavailableAndOpensTheBreaker) {
  server_.drain(1s);
  drained_ = true;
  EXPECT_THROW((void)run_sync(provider_->authorize("x", card("4242424242424242"), kAmount)),
               payments::ProviderUnavailable);
  EXPECT_THROW((void)run_sync(provider_->authorize("y", card("4242424242424242"), kAmount)),
               payments::ProviderUnavailable);
  EXPECT_EQ(parts_->breaker->state(), resilience::BreakerState::open);
}

}  // namespace
}  // namespace orderly::app
