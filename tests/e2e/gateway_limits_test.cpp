// Claims of the README about load shedding and reloads, end to end through
// `orderly gateway` in front of a slowed upstream (our fault proxy): the
// upstream's bulkhead and http.max_inflight_requests answer a fast 503 while
// a request holds the only slot, and SIGHUP keeps the breaker and the health
// of an upstream whose section did not change.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

#include "support/fault_proxy.hpp"
#include "support/gateway_harness.hpp"
#include "support/http_client.hpp"
#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kHold = 4s;  // how long the fault proxy holds the upstream's answer

// One GET on its own thread, held by the fault proxy until it answers.
class HeldRequest {
 public:
  HeldRequest(std::uint16_t port, std::string target)
      : thread_([this, port, target = std::move(target)] { response_ = http_get(port, target); }) {}
  ~HeldRequest() {
    if (thread_.joinable()) thread_.join();
  }
  HeldRequest(const HeldRequest&) = delete;
  HeldRequest& operator=(const HeldRequest&) = delete;

  std::optional<HttpResponse> result() {
    thread_.join();
    return response_;
  }

 private:
  std::optional<HttpResponse> response_;
  std::thread thread_;
};

std::string slow_upstream(std::uint16_t port, const std::string& limits) {
  return "listeners: [{address: 127.0.0.1:0}]\nops_listen: 127.0.0.1:0\nupstreams:\n  app:\n    instances: " +
         instances({port}) +
         "\n    timeouts: {try: 10s, request: 10s}\n    retry: {max_retries: 0}\n    health: {enabled: false}\n"
         "    outlier: {consecutive_5xx: 0, consecutive_connect_failures: 0}\n    breaker: {enabled: false}\n" +
         limits + "routes:\n  - {match: {prefix: /up}, upstream: app, strip_prefix: /up}\n";
}

// True once the gateway has a request to the instance on `port` in flight.
bool one_in_flight(const OrderlyProcess& gateway, std::uint16_t port) {
  return eventually(
      [&] {
        const auto state = instance_state(gateway, port);
        return state && state->at("in_flight").as_int64() >= 1;
      },
      10s);
}

TEST(GatewayLimits, TheBulkheadAnswersAFast503WhileItsOnlySlotIsHeld) {
  OrderlyProcess upstream;
  FaultProxy slow(upstream.port());
  GatewayFile file;
  file.write(slow_upstream(slow.port(), "    limits: {max_inflight: 1, max_pending: 0, max_wait: 10ms}\n"));
  const auto gateway = start_gateway(file);
  ASSERT_EQ(http_get(gateway->port(), "/up/healthz")->status, 200);

  slow.set_latency(kHold);
  HeldRequest held(gateway->port(), "/up/healthz");
  ASSERT_TRUE(one_in_flight(*gateway, slow.port()));
  const auto started = Clock::now();
  const auto refused = http_get(gateway->port(), "/up/healthz");
  const auto took = Clock::now() - started;
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_NE(refused->body.find("too many requests in flight"), std::string::npos) << refused->body;
  EXPECT_EQ(refused->header("Retry-After").value_or(""), "1");
  EXPECT_LT(took, kHold / 4) << "refused at once, not after the held request";
  const auto metrics = http_get(gateway->ops_port(), "/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_NE(metrics->body.find("orderly_bulkhead_rejections_total{"), std::string::npos);

  slow.set_latency(0ms);
  const auto answered = held.result();
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 200) << "the request holding the slot is answered";
  EXPECT_EQ(http_get(gateway->port(), "/up/healthz")->status, 200) << "the slot is free again";
}

TEST(GatewayLimits, PastHttpMaxInflightRequestsTheAnswerIsAFast503) {
  OrderlyProcess upstream;
  FaultProxy slow(upstream.port());
  GatewayFile file;
  file.write(slow_upstream(slow.port(), ""));  // the upstream's own bulkhead has room
  const auto gateway = start_gateway(file, {"--set", "http.max_inflight_requests=1"});
  ASSERT_EQ(http_get(gateway->port(), "/up/healthz")->status, 200);

  slow.set_latency(kHold);
  HeldRequest held(gateway->port(), "/up/healthz");
  ASSERT_TRUE(one_in_flight(*gateway, slow.port()));
  const auto started = Clock::now();
  const auto refused = http_get(gateway->port(), "/up/healthz");
  const auto took = Clock::now() - started;
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(refused->header("Retry-After").value_or(""), "1");
  EXPECT_NE(refused->body.find("/problems/overloaded"), std::string::npos)
      << "shed before the gateway: " << refused->body;
  EXPECT_LT(took, kHold / 4) << "refused at once, not queued behind the held request";

  slow.set_latency(0ms);
  const auto answered = held.result();
  ASSERT_TRUE(answered.has_value());
  EXPECT_EQ(answered->status, 200);
  EXPECT_EQ(http_get(gateway->port(), "/up/healthz")->status, 200) << "below the limit again";
}

TEST(GatewayLimits, SighupKeepsTheBreakerOfAnUpstreamThatDidNotChange) {
  OrderlyProcess upstream;
  FaultProxy fault(upstream.port());
  GatewayFile file;
  const auto app = "listeners: [{address: 127.0.0.1:0}]\nops_listen: 127.0.0.1:0\nupstreams:\n  app:\n    instances: " +
                   instances({fault.port()}) +
                   "\n    timeouts: {try: 300ms, request: 2s}\n    retry: {max_retries: 0}\n"
                   "    health: {enabled: false}\n    outlier: {consecutive_5xx: 0, consecutive_connect_failures: 0}\n"
                   "    breaker: {consecutive_failures: 1, open_for: 10m}\n";
  const auto other = "  other:\n    instances: " + instances({upstream.port()}) + "\n    health: {enabled: false}\n";
  const std::string app_route = "routes:\n  - {match: {prefix: /up}, upstream: app, strip_prefix: /up}\n";
  file.write(app + other + app_route);
  const auto gateway = start_gateway(file);

  fault.set_latency(2s);
  EXPECT_EQ(http_get(gateway->port(), "/up/healthz")->status, 504);
  ASSERT_EQ(instance_state(*gateway, fault.port())->at("breaker").as_string(), "open");
  fault.set_latency(0ms);

  // A new route to the other upstream; app's section is the same.
  file.write(app + other + app_route + "  - {match: {prefix: /other}, upstream: other, strip_prefix: /other}\n");
  gateway->send_signal(SIGHUP);
  ASSERT_TRUE(gateway->wait_for_line("\"event\":\"gateway.reloaded\"", 5s).has_value());
  EXPECT_EQ(http_get(gateway->port(), "/other/healthz")->status, 200) << "the new file is applied";
  EXPECT_EQ(instance_state(*gateway, fault.port())->at("breaker").as_string(), "open") << "app kept its breaker";
  EXPECT_EQ(http_get(gateway->port(), "/up/healthz")->status, 503) << "and still refuses through it";

  // Changing app's section gives it a new pool, with a closed breaker.
  auto changed = app;
  changed.replace(changed.find("try: 300ms"), 10, "try: 400ms");
  file.write(changed + other + app_route);
  gateway->send_signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] {
        const auto state = instance_state(*gateway, fault.port());
        return state && state->at("breaker").as_string() == "closed";
      },
      5s))
      << "a changed upstream starts over";
  EXPECT_EQ(http_get(gateway->port(), "/up/healthz")->status, 200);
}

// The instance fails its first active check (slowed past the check's
// timeout), then recovers; the next check is ten minutes away, so only a
// kept pool still knows it as unhealthy. A new pool would start optimistic
// and check it at once, finding it healthy.
TEST(GatewayLimits, SighupKeepsTheHealthOfAnUpstreamThatDidNotChange) {
  OrderlyProcess upstream;
  FaultProxy fault(upstream.port());
  GatewayFile file;
  const auto app = "listeners: [{address: 127.0.0.1:0}]\nops_listen: 127.0.0.1:0\nupstreams:\n  app:\n    instances: " +
                   instances({fault.port()}) +
                   "\n    health: {enabled: true, path: /healthz, interval: 10m, timeout: 200ms,"
                   " healthy_threshold: 1, unhealthy_threshold: 1}\n";
  const auto other = "  other:\n    instances: " + instances({upstream.port()}) + "\n    health: {enabled: false}\n";
  const std::string app_route = "routes:\n  - {match: {prefix: /up}, upstream: app, strip_prefix: /up}\n";
  file.write(app + other + app_route);
  fault.set_latency(2s);  // before the gateway's first check
  const auto gateway = start_gateway(file);
  const auto healthy = [&]() -> std::optional<bool> {
    const auto state = instance_state(*gateway, fault.port());
    if (!state) return std::nullopt;
    return state->at("healthy").as_bool();
  };
  ASSERT_TRUE(eventually([&] { return healthy() == false; }, 10s)) << "the first check fails";
  fault.set_latency(0ms);

  file.write(app + other + app_route + "  - {match: {prefix: /other}, upstream: other, strip_prefix: /other}\n");
  gateway->send_signal(SIGHUP);
  ASSERT_TRUE(gateway->wait_for_line("\"event\":\"gateway.reloaded\"", 5s).has_value());
  EXPECT_EQ(http_get(gateway->port(), "/other/healthz")->status, 200) << "the new file is applied";
  EXPECT_EQ(healthy(), false) << "app kept its instance's health";

  // Changing app's section gives it a new pool, checked at once.
  auto changed = app;
  changed.replace(changed.find("timeout: 200ms"), 14, "timeout: 300ms");
  file.write(changed + other + app_route);
  gateway->send_signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return healthy() == true; }, 10s)) << "a changed upstream starts over";
}

}  // namespace
}  // namespace orderly::testing
