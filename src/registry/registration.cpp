#include "registry/registration.hpp"

#include <atomic>

#include "core/logging.hpp"

namespace orderly::registry {
namespace asio = boost::asio;
using Steady = std::chrono::steady_clock;

struct Registration::State {
  State(EtcdClient& client, Instance instance, RegistrationOptions settings)
      : etcd(client), self(std::move(instance)), options(std::move(settings)), key(instance_key(options.prefix, self)) {}

  EtcdClient& etcd;
  Instance self;
  RegistrationOptions options;
  std::string key;
  // Touched only by the job's coroutine.
  std::string lease;
  Steady::time_point renewed_at;
  bool unreachable = false;
  std::atomic<bool> is_registered{false};

  asio::awaitable<void> tick() {
    try {
      if (lease.empty()) {
        auto granted = co_await etcd.grant(options.ttl);
        co_await etcd.put(key, to_json(self), granted);
        lease = std::move(granted);
        renewed_at = Steady::now();
        is_registered = true;
        unreachable = false;
        core::log::info("registry.registered", {{"key", key}, {"ttl_s", options.ttl.count()},
                                                {"etcd", etcd.endpoint().to_string()}});
        co_return;
      }
      if (Steady::now() - renewed_at < options.ttl / 3) co_return;
      if (co_await etcd.keep_alive(lease)) {
        renewed_at = Steady::now();
        unreachable = false;
        co_return;
      }
      core::log::warn("registry.lease_lost", {{"key", key}});
      lease.clear();
      is_registered = false;
    } catch (const EtcdError& error) {
      // Keep the lease we may still hold: if etcd answers again within the
      // ttl, the keep-alive carries on; if not, the next keep-alive says so.
      if (!unreachable) core::log::warn("registry.unreachable", {{"key", key}, {"error", error.what()}});
      unreachable = true;
    }
  }

  asio::awaitable<void> deregister() {
    if (lease.empty()) co_return;
    try {
      co_await etcd.revoke(lease);
      core::log::info("registry.deregistered", {{"key", key}});
    } catch (const EtcdError& error) {
      // The key goes when its lease expires.
      core::log::warn("registry.deregister_failed", {{"key", key}, {"error", error.what()}});
    }
    lease.clear();
    is_registered = false;
  }
};

// In milliseconds before dividing: ttl / 6 in whole seconds is 0 for any ttl
// under 6 s, and a job ticking every 0 ms kept a core 17 % busy in every
// registered process.
std::chrono::milliseconds Registration::tick_interval(std::chrono::seconds ttl) {
  return std::min(std::chrono::milliseconds(1000), std::chrono::milliseconds(ttl) / 6);
}

Registration::Registration(EtcdClient& etcd, Instance self, RegistrationOptions options)
    : state_(std::make_shared<State>(etcd, std::move(self), std::move(options))),
      job_("registry.registration", tick_interval(state_->options.ttl), [state = state_] { return state->tick(); }) {
  if (state_->options.ttl < std::chrono::seconds(2)) {
    throw std::invalid_argument("a registration ttl must be at least 2 s (etcd's minimum)");
  }
}

Registration::~Registration() = default;

asio::awaitable<void> Registration::run() {
  co_await job_.run();
  co_await state_->deregister();
}

void Registration::request_stop() {
  job_.request_stop();
}

bool Registration::registered() const {
  return state_->is_registered;
}

}  // namespace orderly::registry
