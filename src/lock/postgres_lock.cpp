#include "lock/postgres_lock.hpp"

#include <utility>

namespace orderly::lock {
namespace asio = boost::asio;
using store::Statement;

namespace {

// Milliseconds since the epoch on the database's clock.
#define ORDERLY_SQLITE_NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
#define ORDERLY_PG_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

// Contenders for one name take turns until the acquiring transaction ends.
constexpr Statement kSerialise{"lock.serialise", "SELECT 1", "SELECT pg_advisory_xact_lock(hashtext($1))"};

constexpr Statement kAcquire{
    "lock.acquire",
    "INSERT INTO locks (name, owner, token, expires_at) VALUES ($1, $2, 1, " ORDERLY_SQLITE_NOW_MS
    " + $3)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = locks.token + 1,"
    " expires_at = excluded.expires_at WHERE locks.expires_at <= " ORDERLY_SQLITE_NOW_MS " RETURNING token",
    "INSERT INTO locks (name, owner, token, expires_at) VALUES ($1, $2, 1, " ORDERLY_PG_NOW_MS
    " + $3)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = locks.token + 1,"
    " expires_at = excluded.expires_at WHERE locks.expires_at <= " ORDERLY_PG_NOW_MS " RETURNING token"};

constexpr Statement kRenew{"lock.renew",
                           "UPDATE locks SET expires_at = " ORDERLY_SQLITE_NOW_MS
                           " + $4"
                           " WHERE name = $1 AND owner = $2 AND token = $3 AND expires_at > " ORDERLY_SQLITE_NOW_MS,
                           "UPDATE locks SET expires_at = " ORDERLY_PG_NOW_MS
                           " + $4"
                           " WHERE name = $1 AND owner = $2 AND token = $3 AND expires_at > " ORDERLY_PG_NOW_MS};

constexpr Statement kRelease{"lock.release",
                             "UPDATE locks SET expires_at = 0"
                             " WHERE name = $1 AND owner = $2 AND token = $3 AND expires_at > " ORDERLY_SQLITE_NOW_MS,
                             "UPDATE locks SET expires_at = 0"
                             " WHERE name = $1 AND owner = $2 AND token = $3 AND expires_at > " ORDERLY_PG_NOW_MS};

#undef ORDERLY_SQLITE_NOW_MS
#undef ORDERLY_PG_NOW_MS

void check_ttl(std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) throw std::invalid_argument("lock ttl must be positive");
}

// The acquiring transaction's body; `token` is set when the lock was free.
asio::awaitable<void> acquire_in(store::Transaction& tx, const std::string& name, const std::string& owner,
                                 std::chrono::milliseconds ttl, std::optional<std::int64_t>& token) {
  token.reset();  // the body may run again after a serialization failure
  co_await tx.execute(kSerialise, store::params(name));
  const auto taken = co_await tx.execute(kAcquire, store::params(name, owner, ttl.count()));
  if (!taken.empty()) token = taken.first().int64("token");
}

}  // namespace

StoreLock::StoreLock(store::Store& store, std::string owner) : store_(store), owner_(std::move(owner)) {
  if (owner_.empty()) throw std::invalid_argument("a lock owner must not be empty");
}

asio::awaitable<std::optional<Lease>> StoreLock::try_acquire(std::string name, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  std::optional<std::int64_t> token;
  auto body = [&](store::Transaction& tx) { return acquire_in(tx, name, owner_, ttl, token); };
  try {
    co_await store_.transaction(std::move(body));
  } catch (const store::StoreError& error) {
    throw LockUnavailable("lock " + name + ": " + error.what());
  }
  if (!token) co_return std::nullopt;
  co_return Lease{std::move(name), owner_, static_cast<std::uint64_t>(*token)};
}

asio::awaitable<bool> StoreLock::renew(const Lease& lease, std::chrono::milliseconds ttl) {
  check_ttl(ttl);
  return update_if_held(lease, ttl, true);
}

asio::awaitable<bool> StoreLock::release(const Lease& lease) {
  return update_if_held(lease, std::chrono::milliseconds{0}, false);
}

asio::awaitable<bool> StoreLock::update_if_held(Lease lease, std::chrono::milliseconds ttl, bool renewing) {
  const auto token = static_cast<std::int64_t>(lease.fencing_token);
  std::int64_t affected = 0;
  try {
    if (renewing) {
      const auto renewed = co_await store_.execute(kRenew, store::params(lease.name, lease.owner, token, ttl.count()));
      affected = renewed.affected_rows;
    } else {
      const auto released = co_await store_.execute(kRelease, store::params(lease.name, lease.owner, token));
      affected = released.affected_rows;
    }
  } catch (const store::StoreError& error) {
    throw LockUnavailable("lock " + lease.name + ": " + error.what());
  }
  co_return affected == 1;
}

}  // namespace orderly::lock
