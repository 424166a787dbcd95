#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>

namespace orderly::lock {

// The lock's backend could not answer (unreachable, too slow, an error
// reply). The outcome of the call is then unknown: an acquire may have
// succeeded, so its lock stays taken until its ttl runs out.
class LockUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A held lock. `owner` names the holder (one DistributedLock instance);
// `fencing_token` identifies this acquisition.
struct Lease {
  std::string name;
  std::string owner;
  std::uint64_t fencing_token = 0;
};

// A named, time-limited lock shared by every Orderly instance, for the jobs
// that must run once at a time (reservation expiry, outbox relay leadership).
//
// A lease is exclusive only until its ttl runs out: a holder that stalls (a
// GC-like pause, a lost link) may believe it still holds a lock another
// instance has since acquired. The fencing token closes that gap: for one lock
// name, every successful acquisition gets a token strictly greater than every
// earlier acquisition's, so a resource that remembers the highest token it
// has seen can reject writes carrying a lower one (the expired holder's).
// Tokens are not dense: failed attempts may use numbers up.
//
// renew() and release() act only when the lease is still the current holder
// of its lock (same owner, same token, not expired): they never extend or
// free someone else's lock, and report false instead.
//
// Every call completes or throws LockUnavailable within a bound set by the
// backend's timeouts (see each implementation); a ttl <= 0 throws
// std::invalid_argument. Implementations
// are thread-safe: call them from coroutines on any event loop.
class DistributedLock {
 public:
  virtual ~DistributedLock() = default;

  // The lock, held for `ttl`, if it is free (never taken, released or
  // expired); std::nullopt when someone holds it.
  virtual boost::asio::awaitable<std::optional<Lease>> try_acquire(std::string name, std::chrono::milliseconds ttl) = 0;
  // renew() and release() copy `lease` before they return the awaitable, so
  // the caller's Lease need not outlive the call expression.
  //
  // Extends the lease to `ttl` from now; false when it is no longer held
  // (expired, or acquired by another since).
  virtual boost::asio::awaitable<bool> renew(const Lease& lease, std::chrono::milliseconds ttl) = 0;
  // Frees the lock now; false when the lease no longer held it.
  virtual boost::asio::awaitable<bool> release(const Lease& lease) = 0;
};

}  // namespace orderly::lock
