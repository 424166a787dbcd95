// The store-backed parts of auth, on a real SQLite file and on the real
// PostgreSQL (its own schema): the sealed key ring and its rotation,
// refresh-token families; and password hashing.
#include <filesystem>

#include <gtest/gtest.h>

#include "auth/key_ring.hpp"
#include "auth/password_hasher.hpp"
#include "auth/password_policy.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/schema.hpp"
#include "auth/sessions.hpp"
#include "auth/sodium_primitives.hpp"
#include "auth/token_issuer.hpp"
#include "auth/token_verifier.hpp"
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

class AuthStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::postgres) {
      store_ = std::make_unique<store::postgres::testing::SchemaStore>(metrics_);
    } else {
      char folder[] = "/tmp/orderly-auth-XXXXXX";
      ASSERT_NE(mkdtemp(folder), nullptr);
      folder_ = folder;
      store_ = std::make_unique<store::sqlite::SqliteStore>(store::sqlite::SqliteOptions{.path = folder_ + "/a.db"},
                                                            metrics_);
    }
    run_sync(store::migrate(*store_, auth_migrations()));
    users_ = std::make_unique<UserStore>(*store_, clock_);
    run_sync(users_->create(User{"usr_1", "u@example.com", "U", {"customer"}}, "hash"));
  }
  void TearDown() override {
    users_.reset();
    store_.reset();
    if (!folder_.empty()) std::filesystem::remove_all(folder_);
  }

  std::string folder_;
  core::metrics::Registry metrics_;
  core::ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<UserStore> users_;
  const std::string sealing_key_ = parse_sealing_key(new_sealing_key_text());
};

TEST_P(AuthStoreTest, KeyRingMakesOneKeyAndFindsItAgainAfterARestart) {
  KeyRing first(*store_, sealing_key_, clock_);
  run_sync(first.load());
  const auto kid = first.signing_key().kid;
  EXPECT_EQ(first.signing_key().secret.size(), 64U);
  KeyRing second(*store_, sealing_key_, clock_);
  run_sync(second.load());
  EXPECT_EQ(second.signing_key().kid, kid);
  EXPECT_EQ(second.verification_keys().size(), 1U);
}

TEST_P(AuthStoreTest, KeyRingRefusesAWrongSealingKey) {
  KeyRing ring(*store_, sealing_key_, clock_);
  run_sync(ring.load());
  KeyRing thief(*store_, parse_sealing_key(new_sealing_key_text()), clock_);
  EXPECT_THROW(run_sync(thief.load()), std::runtime_error);
}

TEST_P(AuthStoreTest, RotationKeepsOldTokensValidUntilTheirLastPossibleExpiry) {
  KeyRing ring(*store_, sealing_key_, clock_);
  run_sync(ring.load());
  TokenIssuer issuer(ring, clock_, {"orderly", "orderly-api", 900s});
  TokenVerifier verifier(ring, clock_, {"orderly", "orderly-api", 30s});
  const auto old_token = issuer.issue("usr_1", {"customer"}).token;
  const auto old_kid = ring.signing_key().kid;

  const auto new_kid = run_sync(ring.rotate(930s));
  EXPECT_NE(new_kid, old_kid);
  EXPECT_EQ(ring.signing_key().kid, new_kid);
  EXPECT_EQ(ring.verification_keys().size(), 2U);
  EXPECT_NO_THROW((void)verifier.verify(old_token));
  EXPECT_EQ(verifier.verify(issuer.issue("usr_1", {"customer"}).token).key_id, new_kid);

  clock_.advance(931s);
  run_sync(ring.load());
  EXPECT_EQ(ring.verification_keys().size(), 1U) << "the retired key leaves the ring (and the JWKS)";
  EXPECT_FALSE(ring.find(old_kid));
}

TEST_P(AuthStoreTest, RefreshTokensRotateAndReuseRevokesTheFamily) {
  RefreshTokens tokens(*store_, clock_, 24h);
  const auto first = run_sync(tokens.start_family("usr_1")).token;
  const auto rotated = run_sync(tokens.rotate(first));
  ASSERT_EQ(rotated.outcome, RefreshOutcome::rotated);
  EXPECT_EQ(rotated.user_id, "usr_1");
  EXPECT_EQ(run_sync(tokens.rotate(first)).outcome, RefreshOutcome::reused);
  EXPECT_EQ(run_sync(tokens.rotate(rotated.token)).outcome, RefreshOutcome::invalid) << "the family is revoked";

  const auto other = run_sync(tokens.start_family("usr_1")).token;
  EXPECT_EQ(run_sync(tokens.rotate(other)).outcome, RefreshOutcome::rotated) << "other sessions live on";
}

TEST_P(AuthStoreTest, RefreshTokensExpireAndLogoutRevokes) {
  RefreshTokens tokens(*store_, clock_, 1h);
  const auto expiring = run_sync(tokens.start_family("usr_1")).token;
  clock_.advance(1h);
  EXPECT_EQ(run_sync(tokens.rotate(expiring)).outcome, RefreshOutcome::invalid);

  const auto session = run_sync(tokens.start_family("usr_1")).token;
  run_sync(tokens.revoke_family_of(session));
  EXPECT_EQ(run_sync(tokens.rotate(session)).outcome, RefreshOutcome::invalid);
}

TEST_P(AuthStoreTest, OnlyTheHashOfARefreshTokenIsStored) {
  RefreshTokens tokens(*store_, clock_, 1h);
  const auto token = run_sync(tokens.start_family("usr_1")).token;
  constexpr store::Statement kHashes{"test.refresh_hashes", "SELECT token_hash FROM refresh_tokens"};
  const auto rows = run_sync(store_->query(kHashes));
  ASSERT_EQ(rows.rows.size(), 1U);
  EXPECT_EQ(rows.first().text("token_hash"), sha256_hex(token));
  EXPECT_EQ(rows.first().text("token_hash").find(token), std::string::npos);
}

TEST_P(AuthStoreTest, SessionsListLiveFamiliesAndRevokeOnlyTheOwnersOwn) {
  run_sync(users_->create(User{"usr_2", "v@example.com", "V", {"customer"}}, "hash"));
  RefreshTokens tokens(*store_, clock_, 1h);
  Sessions sessions(*store_, clock_);
  const auto phone = run_sync(tokens.start_family("usr_1", {"Phone", "10.0.0.1"}));
  clock_.advance(1s);
  const auto laptop = run_sync(tokens.start_family("usr_1", {"Laptop", "10.0.0.2"}));
  const auto other = run_sync(tokens.start_family("usr_2", {"Other", "10.0.0.3"}));
  clock_.advance(1s);
  const auto rotated = run_sync(tokens.rotate(phone.token, {"Phone 2", "10.0.0.4"}));
  ASSERT_EQ(rotated.outcome, RefreshOutcome::rotated);

  auto listed = run_sync(sessions.list("usr_1"));
  ASSERT_EQ(listed.size(), 2U) << "a rotation stays one session";
  EXPECT_EQ(listed[0].id, phone.family_id) << "most recently used first";
  EXPECT_EQ(listed[0].user_agent, "Phone 2");
  EXPECT_EQ(listed[0].address, "10.0.0.4");
  EXPECT_GT(listed[0].last_used_at_ms, listed[0].created_at_ms);
  EXPECT_EQ(listed[1].id, laptop.family_id);

  EXPECT_FALSE(run_sync(sessions.revoke("usr_1", other.family_id))) << "another user's session";
  EXPECT_EQ(run_sync(tokens.rotate(other.token)).outcome, RefreshOutcome::rotated);
  EXPECT_TRUE(run_sync(sessions.revoke("usr_1", laptop.family_id)));
  EXPECT_FALSE(run_sync(sessions.revoke("usr_1", laptop.family_id))) << "already ended";
  EXPECT_EQ(run_sync(tokens.rotate(laptop.token)).outcome, RefreshOutcome::invalid);
  listed = run_sync(sessions.list("usr_1"));
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].id, phone.family_id);

  clock_.advance(2h);
  EXPECT_TRUE(run_sync(sessions.list("usr_1")).empty()) << "expired families are not listed";
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthStoreTest, ::testing::Values(Backend::sqlite, Backend::postgres),
                         [](const auto& backend) { return backend.param == Backend::sqlite ? "sqlite" : "postgres"; });

TEST(PasswordHasher, HashesWithArgon2idAndVerifies) {
  net::BlockingPool pool("test", 1, 4);
  PasswordHasher hasher(pool, {});
  const auto hash = run_sync(hasher.hash("correct horse battery"));
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0U) << hash;
  EXPECT_TRUE(run_sync(hasher.verify("correct horse battery", hash)));
  EXPECT_FALSE(run_sync(hasher.verify("correct horse batterY", hash)));
  EXPECT_FALSE(run_sync(hasher.verify("correct horse battery", std::nullopt))) << "unknown accounts never match";
  EXPECT_FALSE(hasher.needs_rehash(hash));
  EXPECT_THROW(PasswordHasher(pool, {.memory_kib = 1024, .iterations = 2}), std::invalid_argument);

  PasswordHasher stronger(pool, {.memory_kib = 19456, .iterations = 3});
  EXPECT_TRUE(stronger.needs_rehash(hash));
}

TEST(PasswordPolicy, RefusesShortLongCommonAndEmailPasswords) {
  EXPECT_TRUE(password_weakness("123456789", "a@b.c"));
  EXPECT_FALSE(password_weakness("correct horse", "a@b.c"));
  EXPECT_FALSE(password_weakness("ééééééééééé", "a@b.c")) << "characters, not bytes";
  EXPECT_TRUE(password_weakness("éééé", "a@b.c")) << "8 bytes but 4 characters";
  EXPECT_TRUE(password_weakness(std::string(129, 'x'), "a@b.c"));
  EXPECT_TRUE(password_weakness("Password123", "a@b.c"));
  EXPECT_TRUE(password_weakness("QWERTYUIOP", "a@b.c"));
  EXPECT_TRUE(password_weakness("Long@Example.com", "long@example.com"));
}

}  // namespace
}  // namespace orderly::auth
