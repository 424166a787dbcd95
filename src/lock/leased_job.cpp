#include "lock/leased_job.hpp"

#include <atomic>
#include <optional>
#include <stdexcept>

#include "core/logging.hpp"
#include "core/run_sync.hpp"

namespace orderly::lock {

namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

struct LeasedJob::State {
  State(std::string job, DistributedLock& backend, LeasedJobOptions settings, Work what, core::metrics::Gauge& gauge)
      : name(std::move(job)), lock(backend), options(settings), work(std::move(what)), leader(gauge) {}

  std::string name;
  DistributedLock& lock;
  LeasedJobOptions options;
  Work work;
  core::metrics::Gauge& leader;
  // Touched only by the job's coroutine (one at a time), and by stop() once it ended.
  std::optional<Lease> lease;
  Steady::time_point renewed_at;     // while holding: the last acquisition or renewal
  Steady::time_point next_attempt;   // while not holding: no acquisition attempt before this
  std::atomic<bool> holding{false};

  void set_holding(bool now) {
    holding = now;
    leader.set(now ? 1 : 0);
  }

  // Holds the lease for another ttl, or learns that someone else does.
  asio::awaitable<void> hold() {
    try {
      if (!lease) {
        // Contenders ask every third of the ttl, not every tick: a job that
        // ticks often (the relay) must not cost every idle process a
        // transaction per tick.
        if (Steady::now() < next_attempt) co_return;
        next_attempt = Steady::now() + options.ttl / 3;
        lease = co_await lock.try_acquire(name, options.ttl);
        if (!lease) co_return;  // another process holds it
        renewed_at = Steady::now();
        set_holding(true);
        core::log::info("job.lease_acquired", {{"job", name}, {"fencing_token", lease->fencing_token}});
        co_return;
      }
      if (Steady::now() - renewed_at < options.ttl / 3) co_return;
      if (co_await lock.renew(*lease, options.ttl)) {
        renewed_at = Steady::now();
        co_return;
      }
      core::log::warn("job.lease_lost", {{"job", name}, {"fencing_token", lease->fencing_token}});
    } catch (const LockUnavailable& error) {
      // The outcome is unknown: stop working until the backend answers. A
      // lease we may still hold expires by itself.
      if (lease) core::log::warn("job.lease_lost", {{"job", name}, {"fencing_token", lease->fencing_token},
                                                    {"error", error.what()}});
    }
    lease.reset();
    set_holding(false);
  }

  asio::awaitable<void> tick() {
    co_await hold();
    if (lease) co_await work(*lease);
  }

  asio::awaitable<void> give_back() {
    if (!lease) co_return;
    const auto token = lease->fencing_token;
    try {
      (void)co_await lock.release(*lease);
      core::log::info("job.lease_released", {{"job", name}, {"fencing_token", token}});
    } catch (const LockUnavailable&) {
      // It expires by itself after its ttl.
    }
    lease.reset();
    set_holding(false);
  }
};

LeasedJob::LeasedJob(std::string name, DistributedLock& lock, core::metrics::Registry& metrics,
                     LeasedJobOptions options, Work work)
    : state_(std::make_shared<State>(
          name, lock, options, std::move(work),
          metrics.gauge("orderly_job_leader", "1 while this process holds the lease of a singleton job.", {"job"})
              .with_labels({name}))),
      job_(name, options.interval, [state = state_]() { return state->tick(); }) {
  if (options.ttl <= options.interval) {
    throw std::invalid_argument("job " + name + ": the lease ttl must be longer than the interval");
  }
}

LeasedJob::~LeasedJob() { stop(std::chrono::seconds(5)); }

void LeasedJob::start(asio::any_io_executor executor) { job_.start(std::move(executor)); }

void LeasedJob::stop(std::chrono::milliseconds grace) {
  job_.stop(grace);
  if (state_->lease) core::run_sync(state_->give_back());
}

asio::awaitable<void> LeasedJob::run() {
  co_await job_.run();
  co_await state_->give_back();
}

void LeasedJob::request_stop() { job_.request_stop(); }

bool LeasedJob::held() const { return state_->holding; }

}  // namespace orderly::lock
