// Read-your-writes through the catalog (issue 19, item 2): on PostgreSQL with
// a replica whose WAL replay the test pauses, a find after the caller's own
// PATCH (ReadOptions::at_least with the update's commit) sees the update,
// while a read without the token is served by the lagging replica and sees
// the old row.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "catalog/catalog_test_support.hpp"
#include "store/postgres/pg_lsn.hpp"

namespace orderly::catalog {
namespace {

using store::postgres::testing::SchemaStore;

// Waits (at most 500 checks, 10 ms apart) until the replica has replayed `token`.
void until_replayed(const std::string& replica_uri, const store::CommitToken& token) {
  const auto position = store::postgres::parse_lsn(token.position);
  ASSERT_TRUE(position) << token.position;
  const std::string check = "SELECT pg_last_wal_replay_lsn() >= '" + store::postgres::format_lsn(*position) +
                            "'::pg_lsn AS done";
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (store::postgres::testing::run_sql(replica_uri, check).first().int64("done") == 1) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "the replica did not replay " << token.position << " within 500 checks";
}

using store::postgres::testing::ReplayPause;

TEST(ProductReadYourWrites, TheProductAfterItsPatchIsSeenWhileTheReplicaLags) {
  const testing::StoreKind lagging{
      "postgres-lagging", [](const std::string&, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
        return std::make_unique<SchemaStore>(metrics, SchemaStore::Replicas::lagging_replica);
      }};
  testing::CatalogParts parts(lagging);
  const auto& replica = dynamic_cast<SchemaStore&>(*parts.store).replica_uri();
  const ReplayPause replay(replica);
  replay.resume();  // a killed run may have left it paused

  auto product = parts.create("RYW-1", 5, "old name");
  // The creation's commit has reached the replica once a later commit has.
  store::CommitToken created;
  (void)core::run_sync(parts.products->update(product.id, ProductPatch{}, {}, &created));
  until_replayed(replica, created);
  if (::testing::Test::HasFatalFailure()) return;

  replay.pause();
  ProductPatch rename;
  rename.name = "new name";
  store::CommitToken written;
  (void)core::run_sync(parts.products->update(product.id, rename, {}, &written));
  ASSERT_FALSE(written.position.empty());

  store::ReadOptions own_read;  // the caller's read after its own write
  own_read.at_least = written;
  const auto seen = core::run_sync(parts.products->find(product.id, own_read));
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->name, "new name") << "a read with the caller's commit token sees the write";

  // An unrelated read (no token) may go to the replica, and does: it is stale.
  const auto unrelated = core::run_sync(parts.products->find(product.id, store::ReadOptions{}));
  ASSERT_TRUE(unrelated);
  EXPECT_EQ(unrelated->name, "old name") << "without a token the lagging replica answers";
}

}  // namespace
}  // namespace orderly::catalog
