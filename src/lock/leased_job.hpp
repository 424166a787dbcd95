#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/metrics.hpp"
#include "lock/lock.hpp"
#include "lock/periodic_job.hpp"

namespace orderly::lock {

struct LeasedJobOptions {
  std::chrono::milliseconds interval{1'000};  // between two runs of the work, while the lease is held
  // How long the lease outlives its last renewal: a holder that died is
  // replaced after at most this long. Renewed every ttl / 3, so at least
  // three times the expected time of one run plus a store round trip.
  std::chrono::milliseconds ttl{15'000};
};

// A periodic job that runs in one process at a time among every process
// sharing `lock` (the jobs that must not run twice at once: reservation
// expiry, the outbox relay, clean-up sweeps). Every `interval` the holder
// runs the work, renewing the lease named `name` once a third of the ttl has
// passed; a process that does not hold it tries to acquire it every third of
// the ttl (at its first tick after that). When the holder dies it stops
// renewing and another process takes over once the ttl ran out; a holder
// that stops cleanly releases the lease, so the next takes over within a
// third of the ttl.
//
// The work receives the lease: its fencing token increases with every new
// holder, so a resource that remembers the highest token it has seen can
// refuse a stale holder's writes. A lease is exclusive only while its holder
// keeps renewing in time: a holder that stalls for longer than the ttl
// may overlap briefly with its successor, so the jobs given to this class are
// also safe to run twice at once (they are idempotent or claim their rows
// with SKIP LOCKED); the lease saves the duplicate work, it is not their
// only guard.
//
// An error of the lock backend (LockUnavailable) counts as not holding the
// lease: the work is skipped until the backend answers again.
//
// Metrics: orderly_job_leader{job} is 1 while this process holds the lease.
// Logs job.lease_acquired and job.lease_lost with the fencing token.
class LeasedJob {
 public:
  using Work = std::function<boost::asio::awaitable<void>(const Lease&)>;

  // `lock` and `metrics` must outlive the job. Throws std::invalid_argument
  // for a ttl not above the interval.
  LeasedJob(std::string name, DistributedLock& lock, core::metrics::Registry& metrics, LeasedJobOptions options,
            Work work);
  ~LeasedJob();
  LeasedJob(const LeasedJob&) = delete;
  LeasedJob& operator=(const LeasedJob&) = delete;

  // Like PeriodicJob: start() on an executor and stop() from any thread, or
  // run() on the caller's executor until request_stop() (a background worker).
  // Both give the lease back when they end.
  void start(boost::asio::any_io_executor executor);
  void stop(std::chrono::milliseconds grace);
  boost::asio::awaitable<void> run();
  void request_stop();

  // True while this process holds the lease (as of its last tick). Thread-safe.
  [[nodiscard]] bool held() const;

  struct State;  // public so the .cpp's helpers can name it; defined there

 private:
  std::shared_ptr<State> state_;
  PeriodicJob job_;
};

}  // namespace orderly::lock
