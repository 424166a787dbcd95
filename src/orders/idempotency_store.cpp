#include "orders/idempotency_store.hpp"

#include <sodium.h>

#include <algorithm>

#include "core/ids.hpp"
#include "core/logging.hpp"
#include "core/time_format.hpp"

namespace orderly::orders {
namespace {

namespace asio = boost::asio;
using store::params;

constexpr store::Statement kInsert{
    "orders.idempotency_insert",
    "INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, state, lease_token, lease_until_ms,"
    " created_at_ms) VALUES ($1, $2, $3, 'in_progress', $4, $5, $6)"
    " ON CONFLICT (user_id, idempotency_key) DO NOTHING"};
constexpr store::Statement kFind{
    "orders.idempotency_find",
    "SELECT request_hash, state, lease_token, lease_until_ms, response_status, response_content_type,"
    " response_location, response_body FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2"};
constexpr store::Statement kRetake{
    "orders.idempotency_retake",
    "UPDATE idempotency_keys SET lease_token = $4, lease_until_ms = $5"
    " WHERE user_id = $1 AND idempotency_key = $2 AND lease_token = $3 AND state = 'in_progress'"};
constexpr store::Statement kComplete{
    "orders.idempotency_complete",
    "UPDATE idempotency_keys SET state = 'done', response_status = $4, response_content_type = $5,"
    " response_location = $6, response_body = $7, order_id = $8"
    " WHERE user_id = $1 AND idempotency_key = $2 AND lease_token = $3 AND state = 'in_progress'"};
constexpr store::Statement kAbandon{
    "orders.idempotency_abandon",
    "DELETE FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2 AND lease_token = $3"
    " AND state = 'in_progress'"};
constexpr store::Statement kDeleteExpired{"orders.idempotency_delete_expired",
                                          "DELETE FROM idempotency_keys WHERE created_at_ms < $1"};
constexpr store::Statement kForgetInProgress{"orders.idempotency_forget_in_progress",
                                             "DELETE FROM idempotency_keys WHERE state = 'in_progress'"};

// begin() loops only when a row vanished or changed between two of its
// statements (clean-up, a racing retake); a few turns settle it.
constexpr int kMaxBeginTurns = 4;

}  // namespace

bool is_valid_idempotency_key(std::string_view key) {
  return !key.empty() && key.size() <= 255 &&
         std::all_of(key.begin(), key.end(), [](unsigned char c) { return c >= 0x21 && c <= 0x7e; });
}

std::string request_fingerprint(std::string_view method, std::string_view path, std::string_view body) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const auto add = [&](std::string_view part) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  };
  add(method);
  add(" ");
  add(path);
  add("\n");
  add(body);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

IdempotencyStore::IdempotencyStore(store::Store& store, const core::Clock& clock, core::Random& random,
                                   IdempotencyOptions options)
    : store_(store), clock_(clock), random_(random), options_(options) {}

std::int64_t IdempotencyStore::now_ms() const { return core::epoch_ms(clock_.now()); }

asio::awaitable<IdempotencyDecision> IdempotencyStore::begin(std::string user_id, std::string key,
                                                             std::string fingerprint) {
  for (int turn = 0; turn < kMaxBeginTurns; ++turn) {
    const auto now = now_ms();
    auto token = core::random_hex(random_, 16);
    const auto inserted = co_await store_.execute(
        kInsert, params(user_id, key, fingerprint, token, now + options_.lease.count(), now));
    if (inserted.affected_rows == 1) {
      co_return IdempotencyDecision{IdempotencyDecision::Kind::run, {user_id, key, std::move(token)}, {}};
    }
    const auto found = co_await store_.query(kFind, params(user_id, key), store::ReadOptions{.allow_replica = false});
    if (found.empty()) continue;  // deleted since the insert; try again
    const auto& row = found.first();
    if (row.text("request_hash") != fingerprint) {
      co_return IdempotencyDecision{IdempotencyDecision::Kind::mismatch, {}, {}};
    }
    if (row.text("state") == "done") {
      RecordedResponse recorded{static_cast<int>(row.int64("response_status")), row.text("response_content_type"),
                                row.optional_text("response_location"), row.text("response_body")};
      co_return IdempotencyDecision{IdempotencyDecision::Kind::replay, {}, std::move(recorded)};
    }
    if (row.int64("lease_until_ms") > now) {
      co_return IdempotencyDecision{IdempotencyDecision::Kind::in_progress, {}, {}};
    }
    const auto retaken = co_await store_.execute(
        kRetake, params(user_id, key, row.text("lease_token"), token, now + options_.lease.count()));
    if (retaken.affected_rows == 1) {
      core::log::warn("orders.idempotency_key_retaken", {{"user_id", user_id}});
      co_return IdempotencyDecision{IdempotencyDecision::Kind::run, {user_id, key, std::move(token)}, {}};
    }
  }
  // Still changing under us: another request is busy with this key.
  co_return IdempotencyDecision{IdempotencyDecision::Kind::in_progress, {}, {}};
}

asio::awaitable<void> IdempotencyStore::complete(store::Transaction& tx, IdempotencyKeyRef owned,
                                                 RecordedResponse response, std::optional<std::string> order_id) {
  const auto updated = co_await tx.execute(
      kComplete, params(owned.user_id, owned.key, owned.lease_token, response.status, response.content_type,
                        response.location, response.body, order_id));
  if (updated.affected_rows != 1) throw IdempotencyLeaseLost();
}

asio::awaitable<bool> IdempotencyStore::complete_without_effect(IdempotencyKeyRef owned, RecordedResponse response) {
  const auto updated = co_await store_.execute(
      kComplete, params(owned.user_id, owned.key, owned.lease_token, response.status, response.content_type,
                        response.location, response.body, std::nullopt));
  co_return updated.affected_rows == 1;
}

asio::awaitable<void> IdempotencyStore::abandon(IdempotencyKeyRef owned) {
  try {
    co_await store_.execute(kAbandon, params(owned.user_id, owned.key, owned.lease_token));
  } catch (const std::exception& error) {
    // The key then waits for its lease to run out instead.
    core::log::warn("orders.idempotency_abandon_failed", {{"error", error.what()}});
  }
}

asio::awaitable<std::int64_t> IdempotencyStore::delete_expired() {
  const auto deleted = co_await store_.execute(kDeleteExpired, params(now_ms() - options_.retention.count()));
  co_return deleted.affected_rows;
}

asio::awaitable<std::int64_t> IdempotencyStore::forget_in_progress() {
  const auto deleted = co_await store_.execute(kForgetInProgress);
  co_return deleted.affected_rows;
}

}  // namespace orderly::orders
