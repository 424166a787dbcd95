#pragma once

#include <string>

#include "lock/lock.hpp"
#include "store/store.hpp"

namespace orderly::lock {

// DistributedLock on the Store: a lease table, so PostgreSQL in scale-out
// mode and SQLite in embedded mode (where it is a lock between the jobs of
// one process) alike.
//
// What it is, and why: a lease table, not a session-level
// pg_try_advisory_lock. A session lock lives exactly as long as one
// connection, so a lease would have to keep a pooled connection out of the
// pool for its whole life, on the loop that took it; the Store interface
// hands out connections only for the length of one statement or
// transaction, and a dropped connection would free the lock silently with
// no fencing token to tell the next holder's writes from the old one's. So:
//
//   locks(name PRIMARY KEY, owner, token BIGINT, expires_at BIGINT)
//
// acquire, in one transaction:
//   SELECT pg_advisory_xact_lock(hashtext(name))   -- SQLite: SELECT 1 (one writer anyway)
//   INSERT ... ON CONFLICT (name) DO UPDATE SET owner, token = token + 1, expires_at
//     WHERE the row's lease has expired RETURNING token
// renew / release: one UPDATE that matches name, owner, token and an
// unexpired lease (release sets expires_at to 0; the row, and so the token
// sequence, stays).
//
// The advisory lock makes contenders for one name queue instead of racing
// the upsert; it is held only until that transaction commits. Rows are never
// deleted: the row is the token's memory (deleting one restarts its tokens
// at 1, breaking the fencing guarantee). expires_at is milliseconds since the
// epoch on the database's clock (clock_timestamp() / julianday('now')), so
// the instances' own clocks may disagree without harm. The table comes with
// Orderly's migrations (store/migrations.cpp).
//
// Each call is one transaction on the primary, bounded by the store's
// timeouts; a StoreError becomes LockUnavailable. `owner` names this
// instance. The store must outlive the lock.
class StoreLock final : public DistributedLock {
 public:
  // Throws std::invalid_argument for an empty owner.
  StoreLock(store::Store& store, std::string owner);

  boost::asio::awaitable<std::optional<Lease>> try_acquire(std::string name, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> renew(const Lease& lease, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> release(const Lease& lease) override;

 private:
  boost::asio::awaitable<bool> update_if_held(Lease lease, std::chrono::milliseconds ttl, bool renewing);

  store::Store& store_;
  std::string owner_;
};

}  // namespace orderly::lock
