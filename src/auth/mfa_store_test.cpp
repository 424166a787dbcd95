// The stored parts of MFA, on a real SQLite file and on the real PostgreSQL
// (its own schema): a secret sealed with the key ring, a TOTP step spent once
// and never an older one, recovery codes spent once, login challenges that
// work once and expire, and MFA turned off raising the token version.
#include <filesystem>

#include <gtest/gtest.h>

#include "auth/key_ring.hpp"
#include "auth/mfa_challenges.hpp"
#include "auth/schema.hpp"
#include "auth/totp_factors.hpp"
#include "auth/user_store.hpp"
#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::auth {
namespace {

using core::run_sync;
using namespace std::chrono_literals;

enum class Backend { sqlite, postgres };

class MfaStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::postgres) {
      store_ = std::make_unique<store::postgres::testing::SchemaStore>(metrics_);
    } else {
      char folder[] = "/tmp/orderly-mfa-XXXXXX";
      ASSERT_NE(mkdtemp(folder), nullptr);
      folder_ = folder;
      store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/a.db"},
                                                            metrics_);
    }
    run_sync(store::migrate(*store_, auth_migrations()));
    users_ = std::make_unique<UserStore>(*store_, clock_);
    run_sync(users_->create(User{"usr_1", "u@example.com", "U", {"customer"}}, "hash"));
    run_sync(users_->create(User{"usr_2", "v@example.com", "V", {"customer"}}, "hash"));
    ring_ = std::make_unique<KeyRing>(*store_, parse_sealing_key(new_sealing_key_text()), clock_);
    factors_ = std::make_unique<TotpFactors>(*store_, clock_);
  }
  void TearDown() override {
    factors_.reset();
    ring_.reset();
    users_.reset();
    store_.reset();
    if (!folder_.empty()) std::filesystem::remove_all(folder_);
  }

  // A confirmed factor for usr_1, its first code of step 100.
  void enable() {
    ASSERT_TRUE(run_sync(factors_->store_pending("usr_1", ring_->seal("0123456789abcdefghij", "mfa_totp:usr_1"))));
    ASSERT_TRUE(run_sync(factors_->confirm("usr_1", 100, {"hash-a", "hash-b"})));
  }

  std::string folder_;
  core::metrics::Registry metrics_;
  core::ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<KeyRing> ring_;
  std::unique_ptr<TotpFactors> factors_;
};

TEST_P(MfaStoreTest, TheSecretIsSealedAndOnlyItsOwnRowOpensIt) {
  const auto box = ring_->seal("0123456789abcdefghij", "mfa_totp:usr_1");
  EXPECT_EQ(box.ciphertext.find("0123456789"), std::string::npos);
  ASSERT_TRUE(run_sync(factors_->store_pending("usr_1", box)));
  const auto stored = run_sync(factors_->find("usr_1"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->confirmed);
  EXPECT_EQ(ring_->unseal(stored->secret, "mfa_totp:usr_1"), "0123456789abcdefghij");
  EXPECT_EQ(ring_->unseal(stored->secret, "mfa_totp:usr_2"), std::nullopt) << "moved to another account";
  auto altered = stored->secret;
  altered.ciphertext[0] = static_cast<char>(altered.ciphertext[0] ^ 1);
  EXPECT_EQ(ring_->unseal(altered, "mfa_totp:usr_1"), std::nullopt);
  KeyRing other(*store_, parse_sealing_key(new_sealing_key_text()), clock_);
  EXPECT_EQ(other.unseal(stored->secret, "mfa_totp:usr_1"), std::nullopt) << "another sealing key";
}

TEST_P(MfaStoreTest, ConfirmingTurnsItOnOnceAndKeepsTheSecret) {
  EXPECT_FALSE(run_sync(factors_->confirm("usr_1", 100, {}))) << "nothing pending";
  enable();
  EXPECT_TRUE(run_sync(users_->find("usr_1"))->mfa_enabled);
  EXPECT_FALSE(run_sync(users_->find("usr_2"))->mfa_enabled);
  const auto stored = run_sync(factors_->find("usr_1"));
  EXPECT_TRUE(stored->confirmed);
  EXPECT_EQ(stored->last_used_step, 100);
  EXPECT_FALSE(run_sync(factors_->store_pending("usr_1", ring_->seal("another secret 12345", "mfa_totp:usr_1"))))
      << "enrolling again while on";
  EXPECT_EQ(ring_->unseal(run_sync(factors_->find("usr_1"))->secret, "mfa_totp:usr_1"), "0123456789abcdefghij");
  EXPECT_FALSE(run_sync(factors_->confirm("usr_1", 101, {"hash-c"}))) << "confirmed already";
}

TEST_P(MfaStoreTest, AStepIsSpentOnceAndNeverAnOlderOne) {
  enable();
  EXPECT_FALSE(run_sync(factors_->spend_step("usr_1", 100))) << "the confirmation's step";
  EXPECT_FALSE(run_sync(factors_->spend_step("usr_1", 99)));
  EXPECT_TRUE(run_sync(factors_->spend_step("usr_1", 101)));
  EXPECT_FALSE(run_sync(factors_->spend_step("usr_1", 101))) << "a replay";
  EXPECT_FALSE(run_sync(factors_->spend_step("usr_2", 500))) << "no factor";
}

TEST_P(MfaStoreTest, ARecoveryCodeIsSpentOnceByItsOwnerOnly) {
  enable();
  EXPECT_FALSE(run_sync(factors_->spend_recovery_code("usr_2", "hash-a"))) << "another user's";
  EXPECT_TRUE(run_sync(factors_->spend_recovery_code("usr_1", "hash-a")));
  EXPECT_FALSE(run_sync(factors_->spend_recovery_code("usr_1", "hash-a")));
  EXPECT_TRUE(run_sync(factors_->spend_recovery_code("usr_1", "hash-b")));
  EXPECT_FALSE(run_sync(factors_->spend_recovery_code("usr_1", "hash-z")));
}

TEST_P(MfaStoreTest, TurningItOffForgetsEverythingAndRaisesTheTokenVersion) {
  enable();
  const auto before = run_sync(users_->find("usr_1"))->token_version;
  run_sync(factors_->remove("usr_1"));
  const auto user = run_sync(users_->find("usr_1"));
  EXPECT_FALSE(user->mfa_enabled);
  EXPECT_EQ(user->token_version, before + 1);
  EXPECT_FALSE(run_sync(factors_->find("usr_1")).has_value());
  EXPECT_FALSE(run_sync(factors_->spend_recovery_code("usr_1", "hash-b")));
  EXPECT_TRUE(run_sync(factors_->store_pending("usr_1", ring_->seal("a new secret 1234567", "mfa_totp:usr_1"))))
      << "enrolling again";
}

TEST_P(MfaStoreTest, AChallengeWorksOnceForItsLifetime) {
  MfaChallenges challenges(*store_, clock_, 5min);
  const auto challenge = run_sync(challenges.start("usr_1"));
  EXPECT_GE(challenge.size(), 43U);
  EXPECT_EQ(run_sync(challenges.peek(challenge)), "usr_1");
  EXPECT_TRUE(run_sync(challenges.spend(challenge)));
  EXPECT_FALSE(run_sync(challenges.spend(challenge)));
  EXPECT_EQ(run_sync(challenges.peek(challenge)), std::nullopt);

  const auto expiring = run_sync(challenges.start("usr_1"));
  clock_.advance(5min);
  EXPECT_EQ(run_sync(challenges.peek(expiring)), std::nullopt);
  EXPECT_FALSE(run_sync(challenges.spend(expiring)));
  EXPECT_EQ(run_sync(challenges.peek("made-up")), std::nullopt);
  EXPECT_EQ(run_sync(challenges.peek(std::string(500, 'x'))), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Backends, MfaStoreTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const auto& backend) { return backend.param == Backend::sqlite ? "sqlite" : "postgres"; });

}  // namespace
}  // namespace orderly::auth
