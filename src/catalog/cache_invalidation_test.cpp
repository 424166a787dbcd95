// The durable half of the product cache's invalidation (scale-out): a stock
// change writes a products-changed event in its own transaction, and the
// CacheInvalidationWorker deletes the cached copy when it arrives, even when
// the writer's own delete after the commit never happened (a crash between
// the two). On the embedded broker and a real SQLite store.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "catalog/cache_invalidation_worker.hpp"
#include "catalog/catalog_test_support.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/event_outbox.hpp"

namespace orderly::catalog {
namespace {

using core::run_sync;
namespace json = boost::json;

class CacheInvalidation : public ::testing::Test {
 protected:
  CacheInvalidation()
      : parts_(testing::store_kinds().at(0)),
        broker_(*parts_.store, parts_.clock, parts_.random, parts_.metrics,
                queue::EmbeddedBrokerOptions{.retry = {.delivery_limit = 1}}),
        outbox_(broker_),
        // What a catalog instance of the scale-out mode builds over its shared cache.
        shared_(*parts_.local_cache, *parts_.products, std::chrono::minutes(1), &outbox_),
        inventory_(shared_, parts_.clock),
        worker_(broker_, shared_) {}

  // The stock the cache shows for `id` (what GET /api/v1/products/{id} answers).
  std::int64_t cached_stock(ProductCache& cache, const std::string& id) {
    const auto view = run_sync(cache.get(id));
    EXPECT_TRUE(view.has_value());
    return view ? json::parse(view->json).as_object().at("stock").as_int64() : -1;
  }

  // A reservation committed, then the process "crashes" before its delete
  // after the commit (Inventory::stock_changed) runs.
  void reserve_without_the_delete(Inventory& inventory, const std::string& id, std::int64_t quantity) {
    run_sync(parts_.store->transaction([&](store::Transaction& tx) -> boost::asio::awaitable<void> {
      std::vector<StockRequest> items{{id, quantity}};
      (void)co_await inventory.reserve(tx, std::move(items));
    }));
  }

  testing::CatalogParts parts_;
  queue::EmbeddedBroker broker_;
  queue::EmbeddedEventOutbox outbox_;
  ProductCache shared_;
  StoreInventory inventory_;
  CacheInvalidationWorker worker_;
};

TEST_F(CacheInvalidation, AStockChangeWhoseDeleteWasLostIsInvalidatedByItsEvent) {
  const auto mug = parts_.create("MUG", 10);
  EXPECT_EQ(cached_stock(shared_, mug.id), 10);  // now cached

  reserve_without_the_delete(inventory_, mug.id, 3);
  EXPECT_EQ(parts_.find(mug.id)->stock, 7);
  EXPECT_EQ(cached_stock(shared_, mug.id), 10) << "the copy is stale until the event arrives";

  EXPECT_EQ(run_sync(worker_.poll_once()), 1U);
  EXPECT_EQ(cached_stock(shared_, mug.id), 7);
  EXPECT_EQ(run_sync(worker_.poll_once()), 0U) << "the event was acked";
}

TEST_F(CacheInvalidation, PatchAndDeleteRecordTheirChangeInTheirTransaction) {
  const auto mug = parts_.create("MUG", 10);
  ProductPatch rename;
  rename.name = "Big mug";
  ProductRepository::AlsoInTransaction record = [this, id = mug.id](store::Transaction& tx) {
    return shared_.changed(tx, {id});
  };
  (void)run_sync(parts_.products->update(mug.id, rename, {}, nullptr, record));
  run_sync(parts_.products->remove(mug.id, {}, record));
  EXPECT_EQ(run_sync(worker_.poll_once()), 2U);

  // A write that rolls back records nothing: the event is part of its transaction.
  const auto cup = parts_.create("CUP", 1);
  EXPECT_THROW(reserve_without_the_delete(inventory_, cup.id, 2), OutOfStock);
  EXPECT_EQ(run_sync(worker_.poll_once()), 0U);
}

TEST_F(CacheInvalidation, EmbeddedModeWritesNoEvent) {
  // parts_.product_cache has no outbox: the cache lives and dies with the process.
  StoreInventory embedded(*parts_.product_cache, parts_.clock);
  const auto mug = parts_.create("MUG", 10);
  reserve_without_the_delete(embedded, mug.id, 1);
  EXPECT_EQ(run_sync(worker_.poll_once()), 0U);
}

TEST_F(CacheInvalidation, AMalformedEventIsNackedAndDeadLettered) {
  queue::Message odd{"", std::string(kCacheQueue), std::string(kProductsChangedType), 1, R"({"product_ids":[7]})", "", ""};
  run_sync(broker_.publish(odd));
  EXPECT_EQ(run_sync(worker_.poll_once()), 1U);
  const auto dead = run_sync(broker_.dead_letters(std::string(kCacheQueue), 10));
  ASSERT_EQ(dead.size(), 1U);
  EXPECT_EQ(dead.front().message.payload, odd.payload);
}

}  // namespace
}  // namespace orderly::catalog
