// The simulated provider with a journal: what it answered survives a new
// instance on the same file (a restart), charges are counted once, and the
// journal's reader sees them.
#include "payments/provider_journal.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "core/run_sync.hpp"
#include "payments/simulated_provider.hpp"

namespace orderly::payments {
namespace {

using core::run_sync;
using namespace std::chrono_literals;

const core::Money kTenDollars{1000, "USD"};
const CardDetails kApproved{"4242424242424242", 12, 2030};

class ProviderJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-provider-journal-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    path_ = folder_ / "provider-sim" / "ledger.jsonl";
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::unique_ptr<SimulatedProvider> open() {
    return std::make_unique<SimulatedProvider>(SimulatorOptions{10ms, 1, path_}, random_);
  }

  core::SeededRandom random_{7};
  std::filesystem::path folder_;
  std::filesystem::path path_;
};

TEST_F(ProviderJournalTest, ANewInstanceOnTheJournalRemembersAnswersAndAuthorizations) {
  std::string authorization;
  std::string declined_code;
  {
    auto provider = open();
    authorization = run_sync(provider->authorize("order-1-authorize", kApproved, kTenDollars)).reference;
    ASSERT_TRUE(authorization.starts_with("auth_"));
    declined_code =
        run_sync(provider->authorize("order-2-authorize", CardDetails{"4000000000000002", 12, 2030}, kTenDollars))
            .decline_code;
    ASSERT_EQ(declined_code, "card_declined");
  }  // "crash": only the journal is left

  auto restarted = open();
  EXPECT_EQ(restarted->counts().authorizations, 1) << "the approved authorization was replayed";
  EXPECT_EQ(run_sync(restarted->authorize("order-1-authorize", kApproved, kTenDollars)).reference, authorization)
      << "same key, same answer across the restart";
  EXPECT_EQ(run_sync(restarted->authorize("order-2-authorize", kApproved, kTenDollars)).decline_code, "card_declined")
      << "a decline is an answer too: repeated, even with another card";
  EXPECT_EQ(restarted->counts().authorizations, 1);

  const auto capture = run_sync(restarted->capture("order-1-capture", authorization, kTenDollars));
  ASSERT_TRUE(capture.approved) << capture.decline_code << ": an authorization made before the restart is capturable";
  restarted.reset();

  auto again = open();
  const auto replayed = run_sync(again->capture("order-1-capture", authorization, kTenDollars));
  EXPECT_TRUE(replayed.approved);
  EXPECT_EQ(replayed.reference, capture.reference);
  EXPECT_EQ(run_sync(again->capture("order-1-capture-2", authorization, kTenDollars)).decline_code, "already_captured");
  EXPECT_EQ(run_sync(again->void_authorization("order-1-void", authorization)).decline_code, "already_captured");
  EXPECT_EQ(again->counts().captures, 1);

  const auto charges = charges_by_authorization(read_provider_journal(path_));
  ASSERT_EQ(charges.size(), 1U);
  const auto& held = charges.at(authorization);
  EXPECT_EQ(held.authorize_key, "order-1-authorize");
  EXPECT_EQ(held.captures, 1) << "charged once at the provider";
  EXPECT_EQ(held.captured, 1000);
  EXPECT_FALSE(held.voided);
}

TEST_F(ProviderJournalTest, VoidsAndRefundsSurviveARestart) {
  std::string voided;
  std::string refunded;
  {
    auto provider = open();
    voided = run_sync(provider->authorize("a", kApproved, kTenDollars)).reference;
    refunded = run_sync(provider->authorize("b", kApproved, kTenDollars)).reference;
    ASSERT_TRUE(run_sync(provider->void_authorization("a-void", voided)).approved);
    ASSERT_TRUE(run_sync(provider->capture("b-capture", refunded, kTenDollars)).approved);
    ASSERT_TRUE(run_sync(provider->refund("b-refund", refunded, core::Money{600, "USD"})).approved);
  }
  auto restarted = open();
  EXPECT_EQ(run_sync(restarted->capture("a-capture", voided, kTenDollars)).decline_code, "authorization_voided");
  EXPECT_EQ(run_sync(restarted->refund("b-refund-2", refunded, core::Money{600, "USD"})).decline_code,
            "invalid_amount")
      << "only 400 left to refund after the restart";
  EXPECT_TRUE(run_sync(restarted->refund("b-refund-3", refunded, core::Money{400, "USD"})).approved);
  const auto counts = restarted->counts();
  EXPECT_EQ(counts.voids, 1);
  EXPECT_EQ(counts.captures, 1);
  EXPECT_EQ(counts.refunds, 2);

  const auto charges = charges_by_authorization(read_provider_journal(path_));
  EXPECT_TRUE(charges.at(voided).voided);
  EXPECT_EQ(charges.at(voided).captures, 0);
  EXPECT_EQ(charges.at(refunded).refunded, 1000);
}

TEST_F(ProviderJournalTest, ATornLastLineIsCutAndTheJournalKeepsWorking) {
  std::string authorization;
  {
    auto provider = open();
    authorization = run_sync(provider->authorize("a", kApproved, kTenDollars)).reference;
  }
  {
    std::ofstream torn(path_, std::ios::app);
    torn << R"({"op":"capture","key":"a-cap)";  // a crash in the middle of a write
  }
  EXPECT_EQ(read_provider_journal(path_).size(), 1U) << "the reader skips the torn line";
  {
    auto provider = open();
    EXPECT_TRUE(run_sync(provider->capture("a-capture", authorization, kTenDollars)).approved)
        << "the torn capture was never answered, so it never happened";
  }
  const auto entries = read_provider_journal(path_);
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[1].operation, "capture");
  EXPECT_EQ(entries[1].idempotency_key, "a-capture");
}

TEST_F(ProviderJournalTest, ACorruptLineOrASecondWriterIsRefused) {
  auto provider = open();
  EXPECT_THROW((void)open(), JournalError) << "one process appends to a journal";
  provider.reset();
  {
    std::ofstream corrupt(path_, std::ios::app);
    corrupt << "not json\n";
  }
  EXPECT_THROW((void)open(), JournalError);
}

TEST_F(ProviderJournalTest, WithoutAJournalNothingIsWritten) {
  SimulatedProvider provider(SimulatorOptions{10ms, 1, {}}, random_);
  EXPECT_TRUE(run_sync(provider.authorize("a", kApproved, kTenDollars)).approved);
  EXPECT_FALSE(std::filesystem::exists(folder_ / "provider-sim"));
}

}  // namespace
}  // namespace orderly::payments
