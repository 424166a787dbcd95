#include "orders/saga_store.hpp"

namespace orderly::orders::saga_store {
namespace {

namespace asio = boost::asio;
using store::params;

constexpr store::Statement kInsert{
    "orders.saga_insert",
    "INSERT INTO checkout_sagas (order_id, step, attempts, runs, next_attempt_at_ms, updated_at_ms)"
    " VALUES ($1, 'authorize', 0, 0, $2, $2)"};
// SQLite has one writer, so the sub-select and the update cannot interleave
// with another claim; PostgreSQL skips rows another runner is claiming.
constexpr store::Statement kClaimDue{
    "orders.saga_claim_due",
    "UPDATE checkout_sagas SET lease_owner = $1, lease_until_ms = $3, runs = runs + 1 WHERE order_id IN ("
    "SELECT order_id FROM checkout_sagas WHERE step NOT IN ('done', 'parked') AND next_attempt_at_ms <= $2"
    " AND (lease_owner IS NULL OR lease_until_ms < $2) ORDER BY next_attempt_at_ms LIMIT $4) RETURNING order_id",
    "UPDATE checkout_sagas SET lease_owner = $1, lease_until_ms = $3, runs = runs + 1 WHERE order_id IN ("
    "SELECT order_id FROM checkout_sagas WHERE step NOT IN ('done', 'parked') AND next_attempt_at_ms <= $2"
    " AND (lease_owner IS NULL OR lease_until_ms < $2) ORDER BY next_attempt_at_ms LIMIT $4"
    " FOR UPDATE SKIP LOCKED) RETURNING order_id"};
constexpr store::Statement kClaimOne{
    "orders.saga_claim_one",
    "UPDATE checkout_sagas SET lease_owner = $2, lease_until_ms = $4, runs = runs + 1"
    " WHERE order_id = $1 AND step NOT IN ('done', 'parked') AND (lease_owner IS NULL OR lease_until_ms < $3)"};
constexpr store::Statement kFind{
    "orders.saga_find",
    "SELECT order_id, step, attempts, runs, last_error FROM checkout_sagas WHERE order_id = $1"};
constexpr store::Statement kTransition{
    "orders.saga_transition",
    "UPDATE checkout_sagas SET step = $3, attempts = $4, next_attempt_at_ms = $5, last_error = $6,"
    " lease_owner = CASE WHEN $7 = 1 THEN lease_owner ELSE NULL END,"
    " lease_until_ms = CASE WHEN $7 = 1 THEN $8 ELSE NULL END, updated_at_ms = $9"
    " WHERE order_id = $1 AND lease_owner = $2",
    "UPDATE checkout_sagas SET step = $3, attempts = $4, next_attempt_at_ms = $5, last_error = $6,"
    " lease_owner = CASE WHEN $7::bigint = 1 THEN lease_owner ELSE NULL END,"
    " lease_until_ms = CASE WHEN $7::bigint = 1 THEN $8::bigint ELSE NULL END, updated_at_ms = $9"
    " WHERE order_id = $1 AND lease_owner = $2"};
constexpr store::Statement kMakeDue{
    "orders.saga_make_due",
    "UPDATE checkout_sagas SET next_attempt_at_ms = $2, updated_at_ms = $2"
    " WHERE order_id = $1 AND step NOT IN ('done', 'parked')"};
constexpr store::Statement kStartRefund{
    "orders.saga_start_refund",
    "UPDATE checkout_sagas SET step = 'refund', attempts = 0, next_attempt_at_ms = $2, last_error = NULL,"
    " lease_owner = NULL, lease_until_ms = NULL, updated_at_ms = $2 WHERE order_id = $1"};
constexpr store::Statement kReleaseAll{
    "orders.saga_release_all",
    "UPDATE checkout_sagas SET lease_owner = NULL, lease_until_ms = NULL WHERE lease_owner IS NOT NULL"};
constexpr store::Statement kCountUnfinished{
    "orders.saga_count_unfinished", "SELECT COUNT(*) AS n FROM checkout_sagas WHERE step NOT IN ('done', 'parked')"};

}  // namespace

asio::awaitable<void> insert(store::Transaction& tx, std::string order_id, std::int64_t now_ms) {
  co_await tx.execute(kInsert, params(order_id, now_ms));
}

asio::awaitable<std::vector<std::string>> claim_due(store::Store& store, std::string owner, std::int64_t now_ms,
                                                    std::int64_t lease_until_ms, std::int64_t limit) {
  const auto claimed = co_await store.execute(kClaimDue, params(owner, now_ms, lease_until_ms, limit));
  std::vector<std::string> ids;
  for (const auto& row : claimed.rows) ids.push_back(row.text("order_id"));
  co_return ids;
}

asio::awaitable<bool> claim(store::Store& store, std::string order_id, std::string owner, std::int64_t now_ms,
                            std::int64_t lease_until_ms) {
  const auto claimed = co_await store.execute(kClaimOne, params(order_id, owner, now_ms, lease_until_ms));
  co_return claimed.affected_rows == 1;
}

asio::awaitable<std::optional<SagaState>> find(store::Store& store, std::string order_id) {
  const auto rows = co_await store.query(kFind, params(order_id), store::ReadOptions{.allow_replica = false});
  if (rows.empty()) co_return std::nullopt;
  const auto& row = rows.first();
  co_return SagaState{row.text("order_id"), row.text("step"), row.int64("attempts"), row.int64("runs"),
                      row.optional_text("last_error")};
}

asio::awaitable<void> transition(store::Transaction& tx, std::string order_id, std::string owner,
                                 SagaTransition next, std::int64_t now_ms, std::int64_t lease_until_ms) {
  const auto changed = co_await tx.execute(
      kTransition, params(order_id, owner, next.step, next.attempts, next.next_attempt_at_ms, next.last_error,
                          next.keep_lease ? 1 : 0, lease_until_ms, now_ms));
  if (changed.affected_rows != 1) throw SagaLeaseLost();
}

asio::awaitable<void> make_due(store::Transaction& tx, std::string order_id, std::int64_t now_ms) {
  co_await tx.execute(kMakeDue, params(order_id, now_ms));
}

asio::awaitable<void> start_refund(store::Transaction& tx, std::string order_id, std::int64_t now_ms) {
  co_await tx.execute(kStartRefund, params(order_id, now_ms));
}

asio::awaitable<std::int64_t> release_all_leases(store::Store& store) {
  const auto released = co_await store.execute(kReleaseAll);
  co_return released.affected_rows;
}

asio::awaitable<std::int64_t> count_unfinished(store::Store& store) {
  const auto rows = co_await store.query(kCountUnfinished, store::Params(), store::ReadOptions{.allow_replica = false});
  co_return rows.first().int64("n");
}

}  // namespace orderly::orders::saga_store
