#pragma once

#include <memory>
#include <string>

#include "cache/redis_cache.hpp"
#include "core/clock.hpp"
#include "lock/lock.hpp"

namespace orderly::lock {

// DistributedLock on Redis (one server; no Redlock across several).
//
//   acquire: INCR <prefix>fence:<name>  -> token
//            SET <prefix>lock:<name> <owner>:<token> NX PX ttl
//   renew:   EVAL: PEXPIRE only if the value is still <owner>:<token>
//   release: EVAL: DEL only if the value is still <owner>:<token>
//
// The fence key never expires (one small integer per lock name), so tokens
// keep growing across acquisitions. They go backwards only if Redis loses
// the key: a restart without persistence, or a failover to a replica that had
// not received the INCR. Run the lock's Redis with persistence when the
// fencing guarantee matters.
//
// Connections, timeouts and failure handling are RedisCache's (see
// redis_cache.hpp: per-loop pools, every command bounded by
// command_timeout, back-off while Redis is down), with the lock's own pools;
// a failed command throws LockUnavailable. try_acquire is two commands, so
// it takes at most twice command_timeout; renew and release are one each. `owner` names this instance
// (host, pid, ...): it is the Lease's owner and part of the lock's value.
//
// Lifetime: as RedisCache's: destroy the lock after the coroutines using it.
class RedisLock final : public DistributedLock {
 public:
  // Throws std::invalid_argument for an empty owner or invalid options.
  RedisLock(cache::RedisCacheOptions options, std::string owner, const core::Clock& clock);
  ~RedisLock() override;
  RedisLock(const RedisLock&) = delete;
  RedisLock& operator=(const RedisLock&) = delete;

  boost::asio::awaitable<std::optional<Lease>> try_acquire(std::string name, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> renew(const Lease& lease, std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<bool> release(const Lease& lease) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::lock
