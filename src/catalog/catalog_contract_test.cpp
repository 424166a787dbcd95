// The catalog over the Store, run against SQLite and PostgreSQL alike:
// products and their versions, cursor pages, full-text search, the
// inventory's reservations (including racing buyers), the sample seed and the
// cache in front of reads.
#include <set>

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "catalog/catalog_test_support.hpp"
#include "catalog/page_cursor.hpp"
#include "catalog/sample_products.hpp"

namespace orderly::catalog {
namespace {

using core::run_sync;
using testing::CatalogParts;
namespace asio = boost::asio;

constexpr store::Statement kCountProducts{"test.catalog_count", "SELECT COUNT(*) AS n FROM products"};
constexpr store::Statement kForceStock{"test.catalog_force_stock", "UPDATE products SET stock = $2 WHERE id = $1"};

class CatalogContract : public ::testing::TestWithParam<testing::StoreKind> {
 protected:
  void SetUp() override { parts_ = std::make_unique<CatalogParts>(GetParam()); }
  void TearDown() override { parts_.reset(); }

  std::int64_t product_count() { return run_sync(parts_->store->query(kCountProducts)).first().int64("n"); }
  std::vector<std::string> search(const std::string& q, std::size_t limit = 100) {
    const auto page = run_sync(parts_->products->page(PageRequest{q, 0, limit}));
    std::vector<std::string> skus;
    for (const auto& product : page.items) skus.push_back(product.sku);
    std::sort(skus.begin(), skus.end());
    return skus;
  }
  std::vector<ReservedLine> reserve(std::vector<StockRequest> items) {
    std::vector<ReservedLine> lines;
    run_sync(parts_->store->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
      lines = co_await parts_->inventory->reserve(tx, items);
    }));
    return lines;
  }

  std::unique_ptr<CatalogParts> parts_;
};

TEST_P(CatalogContract, CreatedProductIsFoundWithVersionOne) {
  const auto created = parts_->create("MUG-1", 5, "Blue mug", "Stoneware", 1499);
  EXPECT_EQ(created.version, 1);
  EXPECT_EQ(created.id.size(), 24U);
  EXPECT_FALSE(created.created_at.empty());
  const auto found = parts_->find(created.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sku, "MUG-1");
  EXPECT_EQ(found->price, (core::Money{1499, "USD"}));
  EXPECT_EQ(found->stock, 5);
  EXPECT_FALSE(parts_->find("0123456789abcdef01234567"));
  EXPECT_FALSE(parts_->find("not an id \xff")) << "an implausible id never reaches SQL";
}

TEST_P(CatalogContract, DuplicateSkuIsRefusedOnCreateAndOnUpdate) {
  parts_->create("A", 1);
  const auto b = parts_->create("B", 1);
  EXPECT_THROW(parts_->create("A", 1), SkuTaken);
  ProductPatch patch;
  patch.sku = "A";
  EXPECT_THROW(run_sync(parts_->products->update(b.id, patch)), SkuTaken);
  EXPECT_EQ(parts_->find(b.id)->sku, "B");
}

TEST_P(CatalogContract, UpdateChangesOnlyThePatchedFieldsAndBumpsTheVersion) {
  const auto created = parts_->create("A", 3, "Old name", "desc");
  parts_->clock.advance(std::chrono::seconds(2));
  ProductPatch patch;
  patch.name = "New name";
  const auto updated = run_sync(parts_->products->update(created.id, patch));
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(updated.name, "New name");
  EXPECT_EQ(updated.description, "desc");
  EXPECT_EQ(updated.stock, 3);
  EXPECT_EQ(updated.created_at, created.created_at);
  EXPECT_GT(updated.updated_at, created.updated_at);
}

TEST_P(CatalogContract, StaleIfMatchIsRefusedAndChangesNothing) {
  const auto created = parts_->create("A", 3);
  ProductPatch patch;
  patch.stock = 10;
  (void)run_sync(parts_->products->update(created.id, patch, std::vector<std::int64_t>{1}));
  try {
    (void)run_sync(parts_->products->update(created.id, patch, std::vector<std::int64_t>{1}));
    FAIL() << "a stale version was accepted";
  } catch (const VersionMismatch& stale) {
    EXPECT_EQ(stale.current_version, 2);
  }
  EXPECT_THROW(run_sync(parts_->products->remove(created.id, std::vector<std::int64_t>{1})), VersionMismatch);
  EXPECT_TRUE(parts_->find(created.id));
  run_sync(parts_->products->remove(created.id, std::vector<std::int64_t>{2}));
  EXPECT_FALSE(parts_->find(created.id));
}

TEST_P(CatalogContract, DeletedProductIsGone) {
  const auto created = parts_->create("A", 3);
  run_sync(parts_->products->remove(created.id));
  EXPECT_FALSE(parts_->find(created.id));
  EXPECT_THROW(run_sync(parts_->products->remove(created.id)), ProductNotFound);
  EXPECT_THROW(run_sync(parts_->products->update(created.id, ProductPatch{})), ProductNotFound);
  parts_->create("A", 1);  // the sku is free again
}

TEST_P(CatalogContract, CursorWalkVisitsEveryProductOnceEvenWhenProductsComeAndGo) {
  std::vector<std::string> ids;
  for (int i = 0; i < 23; ++i) ids.push_back(parts_->create("P-" + std::to_string(i), 1).id);
  std::vector<std::string> seen;
  PageRequest request{std::nullopt, 0, 5};
  int pages = 0;
  while (true) {  // bounded: each page moves the cursor forward, and the test stops at 10
    const auto page = run_sync(parts_->products->page(request));
    ++pages;
    ASSERT_LE(page.items.size(), 5U);
    for (const auto& product : page.items) seen.push_back(product.id);
    if (pages == 2) {
      // Between pages: one product the walk has passed is deleted, one ahead
      // is deleted, and a new one is added (it comes last).
      run_sync(parts_->products->remove(ids[1]));
      run_sync(parts_->products->remove(ids[20]));
      ids.push_back(parts_->create("P-new", 1).id);
    }
    if (!page.next_after_seq) break;
    // The cursor as a client sees it: opaque text, decoded back.
    request.after_seq = *decode_cursor(encode_cursor(*page.next_after_seq));
    ASSERT_LT(pages, 10);
  }
  std::vector<std::string> expected = ids;
  expected.erase(std::find(expected.begin(), expected.end(), ids[20]));
  EXPECT_EQ(seen, expected) << "in creation order, no duplicates, no gaps";
  EXPECT_EQ(pages, 5);
}

TEST_P(CatalogContract, FullPageFollowedByNothingHasNoNextCursor) {
  for (int i = 0; i < 4; ++i) parts_->create("P-" + std::to_string(i), 1);
  const auto page = run_sync(parts_->products->page(PageRequest{std::nullopt, 0, 4}));
  EXPECT_EQ(page.items.size(), 4U);
  EXPECT_FALSE(page.next_after_seq);
}

TEST_P(CatalogContract, SearchMatchesWordPrefixesInNameAndDescription) {
  parts_->create("MUG-B", 1, "Blue ceramic mug", "Dishwasher safe");
  parts_->create("MUG-W", 1, "White mug", "Plain stoneware");
  parts_->create("TEE", 1, "Black t-shirt", "Organic cotton, café edition");
  EXPECT_EQ(search("mug"), (std::vector<std::string>{"MUG-B", "MUG-W"}));
  EXPECT_EQ(search("MUG blue"), (std::vector<std::string>{"MUG-B"})) << "every word must match";
  EXPECT_EQ(search("stone"), (std::vector<std::string>{"MUG-W"})) << "prefix, in the description";
  EXPECT_EQ(search("café"), (std::vector<std::string>{"TEE"}));
  EXPECT_TRUE(search("teapot").empty());
  EXPECT_TRUE(search("\"unbalanced' (quote OR * :").empty()) << "hostile input is just words";
  EXPECT_TRUE(search("!!!").empty());
}

TEST_P(CatalogContract, SearchFollowsRenamesAndDeletes) {
  const auto mug = parts_->create("MUG", 1, "Blue mug");
  ProductPatch rename;
  rename.name = "Green cup";
  (void)run_sync(parts_->products->update(mug.id, rename));
  EXPECT_TRUE(search("blue").empty());
  EXPECT_EQ(search("green"), (std::vector<std::string>{"MUG"}));
  // Stock changes leave the index alone and the product still found.
  (void)reserve({{mug.id, 1}});
  EXPECT_EQ(search("cup"), (std::vector<std::string>{"MUG"}));
  run_sync(parts_->products->remove(mug.id));
  EXPECT_TRUE(search("green").empty());
}

TEST_P(CatalogContract, SearchResultsPageWithCursors) {
  for (int i = 0; i < 7; ++i) parts_->create("LAMP-" + std::to_string(i), 1, "Desk lamp " + std::to_string(i));
  parts_->create("MUG", 1, "Mug");
  std::set<std::string> seen;
  PageRequest request{"lamp", 0, 3};
  for (int pages = 0; pages < 5; ++pages) {
    const auto page = run_sync(parts_->products->page(request));
    for (const auto& product : page.items) EXPECT_TRUE(seen.insert(product.sku).second) << product.sku;
    if (!page.next_after_seq) break;
    request.after_seq = *page.next_after_seq;
  }
  EXPECT_EQ(seen.size(), 7U);
}

TEST_P(CatalogContract, ReserveTakesStockAndReturnsPricedLinesInRequestOrder) {
  const auto a = parts_->create("A", 5, "Apple", "", 100);
  const auto b = parts_->create("B", 5, "Banana", "", 250);
  // b before a: the result keeps the request's order whatever the lock order.
  const auto lines = reserve({{b.id, 2}, {a.id, 1}});
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0].product_id, b.id);
  EXPECT_EQ(lines[0].sku, "B");
  EXPECT_EQ(lines[0].name, "Banana");
  EXPECT_EQ(lines[0].unit_price, (core::Money{250, "USD"}));
  EXPECT_EQ(lines[0].quantity, 2);
  EXPECT_EQ(lines[1].product_id, a.id);
  EXPECT_EQ(parts_->find(b.id)->stock, 3);
  EXPECT_EQ(parts_->find(b.id)->version, 2) << "a reservation changes the ETag";
  EXPECT_EQ(parts_->find(a.id)->stock, 4);
}

TEST_P(CatalogContract, OneShortLineRollsBackTheWholeReservation) {
  const auto a = parts_->create("A", 5);
  const auto b = parts_->create("B", 1);
  try {
    (void)reserve({{a.id, 2}, {b.id, 2}});
    FAIL() << "reserved more than the stock";
  } catch (const OutOfStock& error) {
    EXPECT_EQ(error.product_id, b.id);
  }
  EXPECT_EQ(parts_->find(a.id)->stock, 5) << "the caller's transaction rolled back the first line";
  EXPECT_EQ(parts_->find(b.id)->stock, 1);
  try {
    (void)reserve({{a.id, 1}, {"ffffffffffffffffffffffff", 1}});
    FAIL() << "reserved an unknown product";
  } catch (const UnknownProduct& error) {
    EXPECT_EQ(error.product_id, "ffffffffffffffffffffffff");
  }
  EXPECT_THROW((void)reserve({{a.id, 0}}), std::invalid_argument);
  EXPECT_EQ(parts_->find(a.id)->stock, 5);
}

TEST_P(CatalogContract, ReleaseReturnsStock) {
  const auto a = parts_->create("A", 5);
  (void)reserve({{a.id, 5}});
  EXPECT_EQ(parts_->find(a.id)->stock, 0);
  const std::vector<StockRequest> returned{{a.id, 3}, {"ffffffffffffffffffffffff", 1}};
  run_sync(parts_->store->transaction(
      [&](store::Transaction& tx) -> asio::awaitable<void> { co_await parts_->inventory->release(tx, returned); }));
  EXPECT_EQ(parts_->find(a.id)->stock, 3);
}

TEST_P(CatalogContract, TheDatabaseRefusesNegativeStock) {
  const auto a = parts_->create("A", 1);
  try {
    (void)run_sync(parts_->store->execute(kForceStock, store::params(a.id, -1)));
    FAIL() << "a negative stock was stored";
  } catch (const store::ConstraintViolation& violation) {
    EXPECT_EQ(violation.kind(), store::ConstraintViolation::Kind::check);
  }
}

TEST_P(CatalogContract, RacingReservationsSellExactlyTheStock) {
  constexpr int kStock = 7;
  constexpr int kBuyers = 40;
  const auto hot = parts_->create("HOT", kStock);
  const auto other = parts_->create("OTHER", 1000);
  // Each buyer takes the hot product and another line, in different orders,
  // on connections of their own (PostgreSQL: 8 in the pool) interleaved on one loop.
  asio::io_context context;
  int sold = 0;
  int refused = 0;
  int failed = 0;
  for (int buyer = 0; buyer < kBuyers; ++buyer) {
    auto items = buyer % 2 == 0 ? std::vector<StockRequest>{{hot.id, 1}, {other.id, 1}}
                                : std::vector<StockRequest>{{other.id, 1}, {hot.id, 1}};
    auto buy = [this, &sold, &refused, &failed, items = std::move(items)]() -> asio::awaitable<void> {
      try {
        co_await parts_->store->transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
          (void)co_await parts_->inventory->reserve(tx, items);
        });
        ++sold;
      } catch (const OutOfStock&) {
        ++refused;
      } catch (const std::exception&) {
        ++failed;
      }
    };
    asio::co_spawn(context, std::move(buy), asio::detached);
  }
  context.run();
  EXPECT_EQ(sold, kStock);
  EXPECT_EQ(refused, kBuyers - kStock);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(parts_->find(hot.id)->stock, 0);
  EXPECT_EQ(parts_->find(other.id)->stock, 1000 - kStock) << "refused orders left the other line untouched";
}

TEST_P(CatalogContract, SamplesAreSeededOnceEvenAfterEveryProductIsDeleted) {
  EXPECT_TRUE(run_sync(seed_sample_products(*parts_->store, *parts_->products, parts_->clock)));
  EXPECT_EQ(product_count(), 12);
  const auto page = run_sync(parts_->products->page(PageRequest{std::nullopt, 0, 100}));
  for (const auto& product : page.items) run_sync(parts_->products->remove(product.id));
  EXPECT_FALSE(run_sync(seed_sample_products(*parts_->store, *parts_->products, parts_->clock)));
  EXPECT_EQ(product_count(), 0);
}

TEST_P(CatalogContract, CachedReadIsServedUntilInvalidated) {
  const auto a = parts_->create("A", 5);
  const auto first = run_sync(parts_->product_cache->get(a.id));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->version, 1);
  EXPECT_NE(first->json.find("\"sku\":\"A\""), std::string::npos);

  // A change the cache was not told about stays invisible (this is the cache working)...
  (void)run_sync(parts_->store->execute(kForceStock, store::params(a.id, 2)));
  EXPECT_NE(run_sync(parts_->product_cache->get(a.id))->json.find("\"stock\":5"), std::string::npos);
  // ...until the writer invalidates, as Inventory::stock_changed does after a commit.
  (void)reserve({{a.id, 1}});
  run_sync(parts_->inventory->stock_changed({a.id}));
  const auto fresh = run_sync(parts_->product_cache->get(a.id));
  EXPECT_EQ(fresh->version, 2);
  EXPECT_NE(fresh->json.find("\"stock\":1"), std::string::npos);
  EXPECT_FALSE(run_sync(parts_->product_cache->get("ffffffffffffffffffffffff")));
}

INSTANTIATE_TEST_SUITE_P(Stores, CatalogContract, ::testing::ValuesIn(testing::store_kinds()),
                         [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace orderly::catalog
