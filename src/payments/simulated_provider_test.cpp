#include "payments/simulated_provider.hpp"

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "payments/resilient_provider.hpp"

namespace orderly::payments {
namespace {

using core::run_sync;
using namespace std::chrono_literals;

const core::Money kTenDollars{1000, "USD"};

CardDetails card(std::string number) { return CardDetails{std::move(number), 12, 2030}; }

class SimulatedProviderTest : public ::testing::Test {
 protected:
  ProviderResult authorize(std::string key, std::string number, core::Money amount = kTenDollars) {
    return run_sync(provider_.authorize(std::move(key), card(std::move(number)), std::move(amount)));
  }

  core::SeededRandom random_{1};
  SimulatedProvider provider_{SimulatorOptions{200ms, 1, {}}, random_};
};

TEST_F(SimulatedProviderTest, TheApprovedCardIsAuthorizedAndCapturedOnce) {
  const auto authorization = authorize("order-1:authorize", "4242424242424242");
  ASSERT_TRUE(authorization.approved);
  EXPECT_TRUE(authorization.decline_code.empty());
  EXPECT_TRUE(authorization.reference.starts_with("auth_"));
  const auto capture = run_sync(provider_.capture("order-1:capture", authorization.reference, kTenDollars));
  EXPECT_TRUE(capture.approved);
  const auto again = run_sync(provider_.capture("order-1:capture", authorization.reference, kTenDollars));
  EXPECT_EQ(again.reference, capture.reference);
  EXPECT_EQ(provider_.counts().captures, 1) << "same key twice: one charge";
  const auto other_key = run_sync(provider_.capture("order-1:capture-again", authorization.reference, kTenDollars));
  EXPECT_FALSE(other_key.approved);
  EXPECT_EQ(other_key.decline_code, "already_captured");
  EXPECT_EQ(provider_.counts().captures, 1);
}

TEST_F(SimulatedProviderTest, DeclinesCarryTheirCodeAndAreRepeatedForTheSameKey) {
  const auto declined = authorize("k1", "4000000000000002");
  EXPECT_FALSE(declined.approved);
  EXPECT_EQ(declined.decline_code, "card_declined");
  const auto poor = authorize("k2", "4000000000009995");
  EXPECT_FALSE(poor.approved);
  EXPECT_EQ(poor.decline_code, "insufficient_funds");
  EXPECT_EQ(authorize("k2", "4000000000009995").decline_code, "insufficient_funds");
  EXPECT_EQ(provider_.counts().authorizations, 0);
}

TEST_F(SimulatedProviderTest, SameKeyTwiceIsOneAuthorizationWithTheFirstAnswer) {
  const auto first = authorize("same", "4242424242424242");
  const auto second = authorize("same", "4242424242424242", core::Money{999'999, "USD"});
  EXPECT_EQ(second.reference, first.reference);
  EXPECT_EQ(provider_.counts().authorizations, 1);
  EXPECT_EQ(provider_.counts().calls, 2);
  EXPECT_NE(authorize("different", "4242424242424242").reference, first.reference);
  EXPECT_EQ(provider_.counts().authorizations, 2);
}

TEST_F(SimulatedProviderTest, TheTransientCardFailsFirstThenIsApprovedForTheSameKey) {
  EXPECT_THROW((void)authorize("t1", "4000000000000119"), ProviderUnavailable);
  EXPECT_EQ(provider_.counts().authorizations, 0);
  const auto retried = authorize("t1", "4000000000000119");
  EXPECT_TRUE(retried.approved);
  EXPECT_EQ(authorize("t1", "4000000000000119").reference, retried.reference);
  EXPECT_EQ(provider_.counts().authorizations, 1);
  EXPECT_THROW((void)authorize("t2", "4000000000000119"), ProviderUnavailable) << "failures count per key";
}

TEST_F(SimulatedProviderTest, TheSlowCardAnswersLateOnceThenAtOnce) {
  const auto started = std::chrono::steady_clock::now();
  const auto first = authorize("slow", "4000000000003220");
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
  EXPECT_TRUE(first.approved);
  const auto again_started = std::chrono::steady_clock::now();
  EXPECT_EQ(authorize("slow", "4000000000003220").reference, first.reference);
  EXPECT_LT(std::chrono::steady_clock::now() - again_started, 150ms);
  EXPECT_EQ(provider_.counts().authorizations, 1);
}

TEST_F(SimulatedProviderTest, VoidAndRefundFollowTheAuthorizationsState) {
  const auto held = authorize("a", "4242424242424242");
  EXPECT_TRUE(run_sync(provider_.void_authorization("a:void", held.reference)).approved);
  EXPECT_EQ(run_sync(provider_.capture("a:capture", held.reference, kTenDollars)).decline_code,
            "authorization_voided");
  EXPECT_EQ(run_sync(provider_.void_authorization("x:void", "auth_unknown")).decline_code, "authorization_not_found");

  const auto paid = authorize("b", "4242424242424242");
  EXPECT_EQ(run_sync(provider_.refund("b:refund0", paid.reference, kTenDollars)).decline_code, "not_captured");
  ASSERT_TRUE(run_sync(provider_.capture("b:capture", paid.reference, kTenDollars)).approved);
  EXPECT_EQ(run_sync(provider_.void_authorization("b:void", paid.reference)).decline_code, "already_captured");
  EXPECT_EQ(run_sync(provider_.capture("c", paid.reference, core::Money{1000, "EUR"})).decline_code,
            "already_captured");
  EXPECT_TRUE(run_sync(provider_.refund("b:refund", paid.reference, core::Money{600, "USD"})).approved);
  EXPECT_TRUE(run_sync(provider_.refund("b:refund", paid.reference, core::Money{600, "USD"})).approved) << "replay";
  EXPECT_EQ(run_sync(provider_.refund("b:refund2", paid.reference, core::Money{600, "USD"})).decline_code,
            "invalid_amount") << "only 400 left to refund";
  const auto counts = provider_.counts();
  EXPECT_EQ(counts.voids, 1);
  EXPECT_EQ(counts.captures, 1);
  EXPECT_EQ(counts.refunds, 1);
}

TEST_F(SimulatedProviderTest, ACaptureLargerThanTheAuthorizationIsDeclined) {
  const auto held = authorize("a", "4242424242424242");
  EXPECT_EQ(run_sync(provider_.capture("a:capture", held.reference, core::Money{1001, "USD"})).decline_code,
            "invalid_amount");
  EXPECT_EQ(provider_.counts().captures, 0);
}

// In-process, the resilient decorator makes the slow card time out on the
// first try; the retry with the same key is answered at once, one charge.
TEST(ResilientProvider, TheSlowCardTimesOutFirstAndTheRetryWithTheSameKeySucceeds) {
  core::SeededRandom random(2);
  auto simulator = std::make_shared<SimulatedProvider>(SimulatorOptions{2s, 1, {}}, random);
  ResilientProvider provider(simulator, 100ms);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW((void)run_sync(provider.authorize("slow", card("4000000000003220"), kTenDollars)),
               ProviderUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "the timeout, not the slow answer, ended the call";
  const auto retried = run_sync(provider.authorize("slow", card("4000000000003220"), kTenDollars));
  EXPECT_TRUE(retried.approved);
  EXPECT_EQ(simulator->counts().authorizations, 1);
}

TEST(ResilientProvider, TransientErrorsAreUnavailableAndDeclinesPassThrough) {
  core::SeededRandom random(3);
  auto simulator = std::make_shared<SimulatedProvider>(SimulatorOptions{2s, 2, {}}, random);
  ResilientProvider provider(simulator, 1s);
  EXPECT_THROW((void)run_sync(provider.authorize("t", card("4000000000000119"), kTenDollars)), ProviderUnavailable);
  EXPECT_THROW((void)run_sync(provider.authorize("t", card("4000000000000119"), kTenDollars)), ProviderUnavailable);
  EXPECT_TRUE(run_sync(provider.authorize("t", card("4000000000000119"), kTenDollars)).approved);
  const auto declined = run_sync(provider.authorize("d", card("4000000000000002"), kTenDollars));
  EXPECT_FALSE(declined.approved);
  EXPECT_EQ(declined.decline_code, "card_declined");
}

}  // namespace
}  // namespace orderly::payments
