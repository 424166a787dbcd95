#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "store/store.hpp"

namespace orderly::orders {

// Idempotency-Key (API.md): 1 to 255 visible ASCII characters (0x21-0x7E).
[[nodiscard]] bool is_valid_idempotency_key(std::string_view key);

// SHA-256 (libsodium) of method, path and body, as hex: two requests with
// one key are "the same request" when these match.
[[nodiscard]] std::string request_fingerprint(std::string_view method, std::string_view path, std::string_view body);

struct IdempotencyOptions {
  std::chrono::milliseconds retention{24 * 3'600'000};
  // A key still in progress after this long belongs to a request that died
  // (crash, lost connection to the database); a retry may take it over. The
  // first request, if it still runs, then fails to record its answer and
  // rolls back (see complete()), so a short lease costs a 409, never a
  // second effect.
  std::chrono::milliseconds lease{30'000};
};

// The answer recorded for a key, replayed byte for byte.
struct RecordedResponse {
  int status = 0;
  std::string content_type;
  std::optional<std::string> location;
  std::string body;
};

struct IdempotencyKeyRef {
  std::string user_id;
  std::string key;
  std::string lease_token;  // proves this request owns the key (from begin())
};

// What begin() found.
struct IdempotencyDecision {
  enum class Kind {
    run,          // first time (or taken over from a dead request): run it, then complete()
    replay,       // done before: answer `recorded` again
    in_progress,  // the first request is still running: 409
    mismatch,     // the key was used with another body: 422
  };
  Kind kind = Kind::run;
  IdempotencyKeyRef owned;    // for run
  RecordedResponse recorded;  // for replay
};

// complete() found the key no longer ours: a retry took it over after our
// lease ran out. The caller's transaction must roll back.
class IdempotencyLeaseLost : public std::runtime_error {
 public:
  IdempotencyLeaseLost() : std::runtime_error("idempotency key taken over by a retry") {}
};

// Idempotency keys in the store, per user. Thread-safe.
//
// Protocol: begin() records (user, key, fingerprint, in_progress, a lease
// token) in its own short transaction; the request then does its work and
// calls complete() INSIDE the transaction that makes its effect, so the
// effect and the recorded answer commit together or not at all: a crash can
// never leave an order without its answer, or an answer without its order.
class IdempotencyStore {
 public:
  IdempotencyStore(store::Store& store, const core::Clock& clock, core::Random& random, IdempotencyOptions options);

  boost::asio::awaitable<IdempotencyDecision> begin(std::string user_id, std::string key, std::string fingerprint);

  // Records the answer as part of `tx`. Throws IdempotencyLeaseLost.
  boost::asio::awaitable<void> complete(store::Transaction& tx, IdempotencyKeyRef owned, RecordedResponse response,
                                        std::optional<std::string> order_id);

  // Records an answer that had no effect (409 out of stock), in a
  // transaction of its own. False when the key is no longer ours.
  boost::asio::awaitable<bool> complete_without_effect(IdempotencyKeyRef owned, RecordedResponse response);

  // Forgets a key whose request failed for a passing reason (database down):
  // the client's retry runs afresh. Never throws.
  boost::asio::awaitable<void> abandon(IdempotencyKeyRef owned);

  // Deletes keys older than the retention; returns how many went.
  boost::asio::awaitable<std::int64_t> delete_expired();

  // Embedded start-up: no request survives a restart of the only process,
  // so every key left in progress is forgotten at once rather than after its
  // lease. Never call it where other processes share the database.
  boost::asio::awaitable<std::int64_t> forget_in_progress();

 private:
  [[nodiscard]] std::int64_t now_ms() const;

  store::Store& store_;
  const core::Clock& clock_;
  core::Random& random_;
  IdempotencyOptions options_;
};

}  // namespace orderly::orders
