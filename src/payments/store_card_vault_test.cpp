// The card vault on both stores: round trips, isolation between users,
// tamper and swap detection, key rotation, and no clear number at rest.
#include "payments/store_card_vault.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "core/manual_clock.hpp"
#include "core/run_sync.hpp"
#include "payments/card_records.hpp"
#include "payments/schema.hpp"
#include "payments/vault_key_file.hpp"
#include "payments/vault_rotation.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::payments {
namespace {

using core::run_sync;
using store::params;

constexpr store::Statement kCorrupt{"test.payments.corrupt",
                                    "UPDATE payment_methods SET sealed_number = $2 WHERE id = $1"};
constexpr store::Statement kRow{"test.payments.row", "SELECT * FROM payment_methods WHERE id = $1"};

struct StoreKind {
  std::string name;
  std::function<std::unique_ptr<store::Store>(const std::string& folder, core::metrics::Registry&)> make;
};

NewCard new_card(std::string number) {
  NewCard card;
  card.number = std::move(number);
  card.exp_month = 12;
  card.exp_year = 2030;
  card.cvc = "987";
  return card;
}

class StoreCardVaultTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-cards-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    store_ = GetParam().make(folder_, metrics_);
    const auto migrations = payments_migrations();
    run_sync(store::migrate(*store_, migrations));
    key_file_ = std::filesystem::path(folder_) / "vault.keys";
    keys_ = open_keys();
    vault_ = std::make_unique<StoreCardVault>(*store_, keys_, clock_, random_);
  }
  void TearDown() override {
    vault_.reset();
    store_.reset();
    std::filesystem::remove_all(folder_);
  }

  std::shared_ptr<VaultKeys> open_keys() {
    return std::make_shared<VaultKeys>(read_or_create_key_file(key_file_), key_file_reload(key_file_), clock_,
                                       std::chrono::seconds(10));
  }
  SavedCard save(std::string user, std::string number) { return run_sync(vault_->save(std::move(user), new_card(std::move(number)))); }
  std::optional<CardDetails> reveal(std::string user, std::string id) {
    return run_sync(vault_->reveal(std::move(user), std::move(id)));
  }
  std::string sealed_of(const std::string& id) {
    return run_sync(store_->query(kRow, params(id))).first().blob("sealed_number").bytes;
  }
  void overwrite_sealed(const std::string& id, std::string bytes) {
    run_sync(store_->execute(kCorrupt, params(id, store::Blob{std::move(bytes)})));
  }

  std::string folder_;
  std::filesystem::path key_file_;
  core::metrics::Registry metrics_;
  core::ManualClock clock_;
  core::SeededRandom random_{42};
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<VaultKeys> keys_;
  std::unique_ptr<StoreCardVault> vault_;
};

TEST_P(StoreCardVaultTest, ASavedCardIsRevealedToItsOwnerOnly) {
  const auto saved = save("alice", "4242424242424242");
  EXPECT_EQ(saved.brand, "visa");
  EXPECT_EQ(saved.last4, "4242");
  EXPECT_EQ(saved.exp_month, 12);
  EXPECT_EQ(saved.exp_year, 2030);
  EXPECT_TRUE(saved.id.starts_with("pm_"));

  const auto revealed = reveal("alice", saved.id);
  ASSERT_TRUE(revealed.has_value());
  EXPECT_EQ(revealed->number, "4242424242424242");
  EXPECT_EQ(revealed->exp_month, 12);
  EXPECT_EQ(revealed->exp_year, 2030);
  EXPECT_EQ(reveal("mallory", saved.id), std::nullopt);
  EXPECT_EQ(reveal("alice", "pm_missing"), std::nullopt);
}

TEST_P(StoreCardVaultTest, ListingShowsOnlyTheCallersCardsAndNeverTheNumber) {
  const auto first = save("alice", "4242424242424242");
  clock_.advance(std::chrono::seconds(1));
  const auto second = save("alice", "5555555555554444");
  (void)save("bob", "378282246310005");
  const auto cards = run_sync(vault_->list("alice"));
  ASSERT_EQ(cards.size(), 2U);
  EXPECT_EQ(cards[0].id, first.id);
  EXPECT_EQ(cards[1].id, second.id);
  EXPECT_EQ(cards[1].brand, "mastercard");
  EXPECT_EQ(run_sync(vault_->list("bob")).size(), 1U);
  EXPECT_TRUE(run_sync(vault_->list("carol")).empty());
}

TEST_P(StoreCardVaultTest, TheRowHoldsNeitherTheNumberNorTheCvc) {
  const auto saved = save("alice", "4242424242424242");
  const auto row = run_sync(store_->query(kRow, params(saved.id))).first();
  for (std::size_t i = 0; i < row.size(); ++i) {
    const auto& value = row.at(i);
    std::string text;
    if (const auto* s = std::get_if<std::string>(&value)) text = *s;
    if (const auto* b = std::get_if<store::Blob>(&value)) text = b->bytes;
    EXPECT_EQ(text.find("4242424242424242"), std::string::npos) << row.columns()[i];
    EXPECT_EQ(text.find("424242424242"), std::string::npos) << row.columns()[i];
    EXPECT_NE(text, "987") << row.columns()[i];
  }
}

TEST_P(StoreCardVaultTest, ATamperedCiphertextFailsToDecrypt) {
  const auto saved = save("alice", "4242424242424242");
  auto sealed = sealed_of(saved.id);
  sealed[sealed.size() / 2] = static_cast<char>(sealed[sealed.size() / 2] ^ 0x20);
  overwrite_sealed(saved.id, sealed);
  EXPECT_THROW((void)reveal("alice", saved.id), CardUnreadable);
}

TEST_P(StoreCardVaultTest, ACiphertextSwappedIntoAnotherRowFailsToDecrypt) {
  const auto victim = save("alice", "4242424242424242");
  const auto own = save("mallory", "5555555555554444");
  const auto own_second = save("mallory", "6011111111111117");
  overwrite_sealed(own.id, sealed_of(victim.id));  // another user's card into my row
  EXPECT_THROW((void)reveal("mallory", own.id), CardUnreadable);
  overwrite_sealed(own_second.id, sealed_of(own.id));  // between two rows of one user
  EXPECT_THROW((void)reveal("mallory", own_second.id), CardUnreadable);
  EXPECT_EQ(reveal("alice", victim.id)->number, "4242424242424242");
}

TEST_P(StoreCardVaultTest, RotationReencryptsEveryCardAndDropsTheOldKey) {
  std::vector<SavedCard> saved;
  std::vector<std::string> owners;
  for (int i = 0; i < 7; ++i) {
    owners.push_back("user" + std::to_string(i % 3));
    saved.push_back(save(owners.back(), "4242424242424242"));
  }
  const auto before = sealed_of(saved[0].id);
  std::vector<std::pair<std::int64_t, std::int64_t>> progress;
  const auto report = run_sync(rotate_key_file(*store_, key_file_, 3, std::chrono::milliseconds(0),
                                               [&](std::int64_t done, std::int64_t total) {
                                                 progress.emplace_back(done, total);
                                               }));
  EXPECT_EQ(report.current_key, "k2");
  EXPECT_EQ(report.resealed, 7);
  EXPECT_EQ(report.unreadable, 0);
  EXPECT_EQ(report.removed_keys, std::vector<std::string>{"k1"});
  EXPECT_EQ(report.cards_per_key, (std::vector<std::pair<std::string, std::int64_t>>{{"k2", 7}}));
  EXPECT_EQ(progress, (std::vector<std::pair<std::int64_t, std::int64_t>>{{3, 7}, {6, 7}, {7, 7}}));
  EXPECT_EQ(read_key_file(key_file_).ids(), std::vector<std::string>{"k2"});
  EXPECT_NE(sealed_of(saved[0].id), before);

  // A running vault still holding the old ring picks up the new key file
  // when a card names a key it has not seen.
  for (std::size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(reveal(owners[i], saved[i].id)->number, "4242424242424242");
  }
  // And seals new cards under it once its recheck interval has passed.
  clock_.advance(std::chrono::seconds(11));
  const auto later = save("user0", "5555555555554444");
  EXPECT_EQ(run_sync(store_->query(kRow, params(later.id))).first().text("key_id"), "k2");

  const auto second = run_sync(rotate_key_file(*store_, key_file_, 100, std::chrono::milliseconds(0), {}));
  EXPECT_EQ(second.resealed, 8);
  EXPECT_EQ(second.removed_keys, std::vector<std::string>{"k2"});
  EXPECT_EQ(read_key_file(key_file_).ids(), std::vector<std::string>{"k3"});
  EXPECT_EQ(reveal("user0", later.id)->number, "5555555555554444");
}

TEST_P(StoreCardVaultTest, AnUnreadableCardIsReportedAndKeepsItsKey) {
  const auto good = save("alice", "4242424242424242");
  const auto bad = save("alice", "5555555555554444");
  overwrite_sealed(bad.id, "garbage that is long enough to hold a nonce and a tag, but no card");
  const auto report = run_sync(rotate_key_file(*store_, key_file_, 10, std::chrono::milliseconds(0), {}));
  EXPECT_EQ(report.resealed, 1);
  EXPECT_EQ(report.unreadable, 1);
  EXPECT_TRUE(report.removed_keys.empty()) << "k1 still seals a card";
  EXPECT_EQ(read_key_file(key_file_).ids(), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(reveal("alice", good.id)->number, "4242424242424242");
}

// The SQLite file and its write-ahead log, byte by byte: the number appears nowhere.
TEST(StoreCardVaultAtRest, TheDatabaseFilesNeverHoldTheNumber) {
  char folder[] = "/tmp/orderly-cards-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  core::metrics::Registry metrics;
  core::ManualClock clock;
  core::SeededRandom random(7);
  const std::string path = std::string(folder) + "/orderly.db";
  {
    store::sqlite::SqliteStore store(store::sqlite::SqliteOptions{.path = path}, metrics);
    const auto migrations = payments_migrations();
    run_sync(store::migrate(store, migrations));
    auto keys = std::make_shared<VaultKeys>(VaultKeyRing::generate(), VaultKeys::Reload{}, clock,
                                            std::chrono::seconds(10));
    StoreCardVault vault(store, keys, clock, random);
    for (const auto* number : {"4242424242424242", "4000000000003220", "378282246310005"}) {
      (void)run_sync(vault.save("alice", new_card(number)));
    }
    // Before closing, while the rows may still sit in the write-ahead log, and after.
    for (const auto* suffix : {"", "-wal"}) {
      std::ifstream file(path + suffix, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
      for (const auto* number : {"4242424242424242", "4000000000003220", "378282246310005"}) {
        EXPECT_EQ(bytes.find(number), std::string::npos) << number << " in orderly.db" << suffix;
      }
    }
  }
  std::ifstream file(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_GT(bytes.size(), 0U);
  EXPECT_EQ(bytes.find("4242424242424242"), std::string::npos);
  EXPECT_NE(bytes.find("pm_"), std::string::npos) << "the scan must see the rows";
  std::filesystem::remove_all(folder);
}

std::vector<StoreKind> store_kinds() {
  return {{"sqlite",
           [](const std::string& folder, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
             return std::make_unique<store::sqlite::SqliteStore>(
                 store::sqlite::SqliteOptions{.path = folder + "/orderly.db"}, metrics);
           }},
          {"postgres", [](const std::string&, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
             return std::make_unique<store::postgres::testing::SchemaStore>(metrics);
           }}};
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreCardVaultTest, ::testing::ValuesIn(store_kinds()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::payments
