#pragma once

// Test-only: small fakes of the orders module's collaborators (the catalog's
// stock, the card vault and payment provider behind the real in-process
// payments service, the event outbox, the user directory) and
// a fixture running each test on SQLite and on PostgreSQL. No production
// code includes it.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "catalog/api/stock_reservations.hpp"
#include "core/manual_clock.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "core/run_sync.hpp"
#include "core/service_unavailable.hpp"
#include "orders/schema.hpp"
#include "orders/user_directory.hpp"
#include "payments/card_vault.hpp"
#include "payments/payment_provider.hpp"
#include "queue/event_outbox.hpp"
#include "store/migrations.hpp"
#include "store/postgres/pg_test_support.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace orderly::orders::testing {

namespace asio = boost::asio;
using store::params;

// The catalog's stock as orders sees it (catalog::StockReservations, with its
// contract: idempotent by order id, released stays released), over products
// in a table of the test's store whose CHECK keeps stock at or above zero,
// priced in USD. `unavailable` makes every call throw core::ServiceUnavailable,
// as a catalog that is down would.
class FakeStock final : public catalog::StockReservations {
 public:
  static constexpr store::Statement kCreate{
      "test.products_create",
      "CREATE TABLE test_products (id TEXT PRIMARY KEY, price INTEGER NOT NULL, currency TEXT NOT NULL,"
      " stock INTEGER NOT NULL CHECK (stock >= 0))",
      "CREATE TABLE test_products (id TEXT PRIMARY KEY, price BIGINT NOT NULL, currency TEXT NOT NULL,"
      " stock BIGINT NOT NULL CHECK (stock >= 0))"};
  static constexpr store::Statement kAdd{"test.products_add",
                                         "INSERT INTO test_products (id, price, currency, stock) VALUES ($1, $2, $3, $4)"};
  static constexpr store::Statement kTake{"test.products_take",
                                          "UPDATE test_products SET stock = stock - $2 WHERE id = $1"};
  static constexpr store::Statement kGive{"test.products_give",
                                          "UPDATE test_products SET stock = stock + $2 WHERE id = $1"};
  static constexpr store::Statement kFind{"test.products_find",
                                          "SELECT price, currency, stock FROM test_products WHERE id = $1"};

  void attach(store::Store& store) { store_ = &store; }
  std::atomic<bool> unavailable{false};

  asio::awaitable<std::vector<catalog::ReservedLine>> reserve(std::string order_id,
                                                              std::vector<catalog::StockRequest> items,
                                                              std::chrono::milliseconds, core::CallContext) override {
    check_available();
    if (auto known = find(order_id)) {
      if (known->status == "released") throw catalog::ReservationGone(order_id);
      co_return known->lines;
    }
    std::vector<catalog::ReservedLine> lines;
    store::Store::Body body = [&](store::Transaction& tx) -> asio::awaitable<void> {
      lines.clear();
      for (const auto& item : items) {
        bool out_of_stock = false;
        store::Result taken;
        try {
          taken = co_await tx.execute(kTake, params(item.product_id, item.quantity));
        } catch (const store::ConstraintViolation&) {
          out_of_stock = true;
        }
        if (out_of_stock) throw catalog::OutOfStock(item.product_id);
        if (taken.affected_rows != 1) throw catalog::UnknownProduct(item.product_id);
        const auto found = co_await tx.execute(kFind, params(item.product_id));
        const auto& row = found.first();
        lines.push_back({item.product_id, "SKU-" + item.product_id, "Product " + item.product_id,
                         {row.int64("price"), row.text("currency")}, item.quantity});
      }
    };
    co_await store_->transaction(std::move(body));
    const std::lock_guard lock(mutex_);
    reservations_[order_id] = Reservation{"reserved", lines};
    co_return lines;
  }
  asio::awaitable<void> confirm(std::string order_id, core::CallContext) override {
    check_available();
    const std::lock_guard lock(mutex_);
    const auto found = reservations_.find(order_id);
    if (found == reservations_.end() || found->second.status == "released") throw catalog::ReservationGone(order_id);
    found->second.status = "confirmed";
    co_return;
  }
  asio::awaitable<void> release(std::string order_id, core::CallContext) override {
    check_available();
    std::vector<catalog::ReservedLine> returned;
    {
      const std::lock_guard lock(mutex_);
      auto& reservation = reservations_[order_id];  // an unknown id is recorded released
      if (reservation.status != "released") returned = reservation.lines;
      reservation.status = "released";
    }
    for (const auto& line : returned) co_await store_->execute(kGive, params(line.product_id, line.quantity));
  }

  // "reserved", "confirmed", "released", or empty when the catalog never heard of it.
  std::string status(const std::string& order_id) {
    auto known = find(order_id);
    return known ? known->status : std::string();
  }
  // What the catalog's expiry would do once every ttl ran out: releases the
  // unconfirmed reservations; returns how many.
  int expire_all() {
    std::vector<std::string> due;
    {
      const std::lock_guard lock(mutex_);
      for (const auto& [id, reservation] : reservations_) {
        if (reservation.status == "reserved") due.push_back(id);
      }
    }
    for (const auto& id : due) core::run_sync(release(id, core::CallContext{}));
    return static_cast<int>(due.size());
  }

 private:
  struct Reservation {
    std::string status = "released";
    std::vector<catalog::ReservedLine> lines;
  };
  void check_available() const {
    if (unavailable) throw core::ServiceUnavailable("catalog", "catalog unavailable (test)");
  }
  std::optional<Reservation> find(const std::string& order_id) {
    const std::lock_guard lock(mutex_);
    const auto found = reservations_.find(order_id);
    if (found == reservations_.end()) return std::nullopt;
    return found->second;
  }

  store::Store* store_ = nullptr;
  std::mutex mutex_;
  std::map<std::string, Reservation> reservations_;
};

// Events go into a table inside the caller's transaction, as the real outbox does.
class TableOutbox final : public queue::EventOutbox {
 public:
  static constexpr store::Statement kCreate{
      "test.events_create", "CREATE TABLE test_events (type TEXT NOT NULL, payload TEXT NOT NULL)"};
  static constexpr store::Statement kInsert{"test.events_insert",
                                            "INSERT INTO test_events (type, payload) VALUES ($1, $2)"};
  asio::awaitable<void> write(store::Transaction& tx, queue::Message message) override {
    co_await tx.execute(kInsert, params(message.type, message.payload));
  }
};

class FakeVault final : public payments::CardVault {
 public:
  void add(std::string user_id, std::string method_id, std::string number) {
    const std::lock_guard lock(mutex_);
    cards_[{std::move(user_id), std::move(method_id)}] = std::move(number);
  }
  void remove(const std::string& user_id, const std::string& method_id) {
    const std::lock_guard lock(mutex_);
    cards_.erase({user_id, method_id});
  }
  asio::awaitable<std::optional<payments::CardDetails>> reveal(std::string user_id,
                                                               std::string payment_method_id) override {
    const std::lock_guard lock(mutex_);
    const auto found = cards_.find({user_id, payment_method_id});
    if (found == cards_.end()) co_return std::nullopt;
    co_return payments::CardDetails{found->second, 12, 2030};
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::string> cards_;
};

// The simulated provider's card table (API.md), idempotent by key, with
// hooks that let a test break a call:
//   4242424242424242 approved; 4000000000000002 card_declined;
//   4000000000009995 insufficient_funds; 4000000000000119 `transient_failures`
//   ProviderUnavailable per key, then approved; 4000000000003220 approved,
//   but the first call's answer is lost (the caller sees ProviderUnavailable)
//   after the provider acted on it.
class FakeProvider final : public payments::PaymentProvider {
 public:
  struct Operation {
    std::string kind;  // authorize, capture, void, refund
    std::string key;
    std::string authorization;
    std::int64_t amount = 0;
  };

  int transient_failures = 2;
  bool always_unavailable = false;
  // Throws a plain runtime_error (a process "crash") at the first call of
  // this kind, after the provider acted when `crash_after_acting`.
  std::string crash_on;
  bool crash_after_acting = false;

  asio::awaitable<payments::ProviderResult> authorize(std::string key, payments::CardDetails card,
                                                      core::Money amount) override {
    co_return call("authorize", key, "", amount.amount, card.number);
  }
  asio::awaitable<payments::ProviderResult> capture(std::string key, std::string authorization,
                                                    core::Money amount) override {
    co_return call("capture", key, authorization, amount.amount, number_of(authorization));
  }
  asio::awaitable<payments::ProviderResult> void_authorization(std::string key, std::string authorization) override {
    co_return call("void", key, authorization, 0, number_of(authorization));
  }
  asio::awaitable<payments::ProviderResult> refund(std::string key, std::string authorization,
                                                   core::Money amount) override {
    co_return call("refund", key, authorization, amount.amount, number_of(authorization));
  }

  // Operations the provider carried out (each idempotency key once).
  std::vector<Operation> operations(const std::string& kind = {}) {
    const std::lock_guard lock(mutex_);
    std::vector<Operation> matching;
    for (const auto& op : done_) {
      if (kind.empty() || op.kind == kind) matching.push_back(op);
    }
    return matching;
  }
  int calls(const std::string& kind) {
    const std::lock_guard lock(mutex_);
    return calls_[kind];
  }

 private:
  std::string number_of(const std::string& authorization) {
    const std::lock_guard lock(mutex_);
    const auto found = card_of_.find(authorization);
    return found == card_of_.end() ? std::string() : found->second;
  }

  payments::ProviderResult call(const std::string& kind, const std::string& key, const std::string& authorization,
                                std::int64_t amount, const std::string& number) {
    const std::lock_guard lock(mutex_);
    ++calls_[kind];
    if (always_unavailable) throw payments::ProviderUnavailable("provider down");
    if (const auto seen = answers_.find(key); seen != answers_.end()) {
      if (lost_first_answer_.erase(key) > 0) throw payments::ProviderUnavailable("timeout");
      return seen->second;
    }
    if (crash_on == kind && !crash_after_acting) {
      crash_on.clear();
      throw std::runtime_error("crash");
    }
    if (number == "4000000000000119" && failures_[key]++ < transient_failures) {
      throw payments::ProviderUnavailable("transient provider error");
    }
    payments::ProviderResult result;
    if (number == "4000000000000002") {
      result.decline_code = "card_declined";
    } else if (number == "4000000000009995" && kind == "authorize") {
      result.decline_code = "insufficient_funds";
    } else if (kind == "void" && captured_.count(authorization) > 0) {
      result.decline_code = "already_captured";
    } else {
      result.approved = true;
      result.reference = kind == "authorize" ? "auth_" + std::to_string(done_.size() + 1) : key;
      if (kind == "authorize") card_of_[result.reference] = number;
      if (kind == "capture") captured_.insert(authorization);
      done_.push_back({kind, key, kind == "authorize" ? result.reference : authorization, amount});
    }
    answers_[key] = result;
    if (crash_on == kind && crash_after_acting) {
      crash_on.clear();
      throw std::runtime_error("crash");
    }
    if (number == "4000000000003220" && kind == "authorize" && slow_seen_.insert(key).second) {
      throw payments::ProviderUnavailable("timeout");  // acted, but the answer came too late
    }
    return result;
  }

  std::mutex mutex_;
  std::map<std::string, payments::ProviderResult> answers_;
  std::map<std::string, int> failures_;
  std::map<std::string, std::string> card_of_;
  std::set<std::string> captured_;
  std::set<std::string> lost_first_answer_;
  std::set<std::string> slow_seen_;
  std::map<std::string, int> calls_;
  std::vector<Operation> done_;
};

class FakeUsers final : public UserDirectory {
 public:
  asio::awaitable<std::optional<UserContact>> contact(std::string user_id, core::CallContext) override {
    co_return UserContact{user_id + "@example.com", "User " + user_id};
  }
  asio::awaitable<std::optional<std::int64_t>> token_version(std::string, core::CallContext) override { co_return 0; }
};

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<store::Store>(const std::string& folder, core::metrics::Registry&)> make;
};

inline std::vector<StoreFactory> store_factories() {
  return {{"sqlite",
           [](const std::string& folder, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
             return std::make_unique<store::sqlite::SqliteStore>(
                 store::sqlite::SqliteOptions{.path = folder + "/orderly.db"}, metrics);
           }},
          {"postgres", [](const std::string&, core::metrics::Registry& metrics) -> std::unique_ptr<store::Store> {
             return std::make_unique<store::postgres::testing::SchemaStore>(metrics);
           }}};
}

// A store (SQLite or PostgreSQL, by parameter) with the orders schema and the fakes' tables.
class OrdersStoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-orders-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
    store_ = GetParam().make(folder_, metrics_);
    core::run_sync(store::migrate(*store_, orders_migrations()));
    core::run_sync(store_->execute(FakeStock::kCreate));
    stock_.attach(*store_);
    core::run_sync(store_->execute(TableOutbox::kCreate));
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(folder_);
  }

  void add_product(const std::string& id, std::int64_t price, std::int64_t stock) {
    core::run_sync(store_->execute(FakeStock::kAdd, params(id, price, "USD", stock)));
  }
  std::int64_t stock_of(const std::string& id) {
    return core::run_sync(store_->query(FakeStock::kFind, params(id))).first().int64("stock");
  }
  std::vector<std::string> event_types() {
    static constexpr store::Statement kTypes{"test.events_types", "SELECT type FROM test_events"};
    std::vector<std::string> types;
    for (const auto& row : core::run_sync(store_->query(kTypes)).rows) types.push_back(row.text("type"));
    return types;
  }
  std::int64_t count_rows(const store::Statement& statement) {
    return core::run_sync(store_->query(statement)).first().int64("n");
  }

  std::string folder_;
  core::metrics::Registry metrics_;
  std::unique_ptr<store::Store> store_;
  FakeStock stock_;
  core::ManualClock clock_;
  core::SeededRandom random_{42};
};

}  // namespace orderly::orders::testing
