#include "gateway/upstream_pool.hpp"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/logging.hpp"

namespace orderly::gateway {
namespace {

std::int64_t to_ns(std::chrono::steady_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

net::HttpClientSettings client_settings(const UpstreamConfig& config) {
  net::HttpClientSettings settings;
  settings.connect_timeout = config.connect_timeout;
  settings.max_connections_per_instance = config.max_connections_per_instance;
  settings.max_idle_per_instance = config.max_idle_per_instance;
  settings.response_body_limit = config.response_body_limit;
  return settings;
}

std::vector<std::string> labels_of(const UpstreamConfig& config) {
  std::vector<std::string> labels;
  for (const auto& instance : config.instances) labels.push_back(instance.to_string());
  return labels;
}

bool contains(const std::vector<const Instance*>& tried, const Instance* instance) {
  return std::find(tried.begin(), tried.end(), instance) != tried.end();
}

}  // namespace

UpstreamPool::UpstreamPool(UpstreamConfig config, const core::Clock& clock, core::Random& random)
    : config_(std::move(config)),
      clock_(clock),
      random_(random),
      ring_(config_.balance == Balance::consistent_hash ? HashRing(labels_of(config_), config_.virtual_nodes)
                                                          : HashRing()),
      client_(client_settings(config_), clock),
      retry_budget_(config_.retry, clock) {
  for (const auto& address : config_.instances) {
    instances_.push_back(std::make_unique<Instance>(address, config_.breaker, clock));
  }
}

bool UpstreamPool::is_ejected(const Instance& instance) const {
  const auto until = instance.ejected_until_ns.load(std::memory_order_relaxed);
  return until != 0 && to_ns(clock_.monotonic()) < until;
}

bool UpstreamPool::available(const Instance& instance) const {
  return instance.healthy.load(std::memory_order_relaxed) && !is_ejected(instance) && instance.breaker.may_allow();
}

Instance* UpstreamPool::choose(std::string_view hash_key, const std::vector<const Instance*>& tried) {
  const auto count = instances_.size();
  // A candidate must be available and pass its breaker (which, half-open,
  // hands out a limited number of probes).
  const auto take = [&](std::size_t index) -> Instance* {
    auto& instance = *instances_[index];
    if (contains(tried, &instance) || !available(instance) || !instance.breaker.try_acquire()) return nullptr;
    return &instance;
  };

  switch (config_.balance) {
    case Balance::round_robin: {
      const auto start = next_.fetch_add(1, std::memory_order_relaxed);
      for (std::size_t step = 0; step < count; ++step) {
        if (auto* chosen = take((start + step) % count)) return chosen;
      }
      return nullptr;
    }
    case Balance::least_request: {
      // Power of two choices: two distinct random candidates, the less busy
      // wins; then the rest in order if both are out.
      if (count >= 2) {
        const auto first = random_.next_u64() % count;
        const auto second = (first + 1 + random_.next_u64() % (count - 1)) % count;
        auto& a = *instances_[first];
        auto& b = *instances_[second];
        const bool a_ok = !contains(tried, &a) && available(a);
        const bool b_ok = !contains(tried, &b) && available(b);
        std::size_t order[2] = {first, second};
        if (a_ok && b_ok && b.in_flight.load(std::memory_order_relaxed) < a.in_flight.load(std::memory_order_relaxed)) {
          std::swap(order[0], order[1]);
        } else if (!a_ok && b_ok) {
          std::swap(order[0], order[1]);
        }
        for (const auto index : order) {
          if (auto* chosen = take(index)) return chosen;
        }
      }
      for (std::size_t index = 0; index < count; ++index) {
        if (auto* chosen = take(index)) return chosen;
      }
      return nullptr;
    }
    case Balance::consistent_hash: {
      Instance* chosen = nullptr;
      (void)ring_.find(hash_key, [&](std::size_t index) {
        chosen = take(index);
        return chosen != nullptr;
      });
      return chosen;
    }
  }
  return nullptr;
}

void UpstreamPool::record(Instance& instance, Outcome outcome) {
  if (outcome == Outcome::success) {
    instance.breaker.on_success();
    if (instance.failing.load(std::memory_order_relaxed)) {
      const std::lock_guard lock(mutex_);
      instance.consecutive_5xx = 0;
      instance.consecutive_connect_failures = 0;
      instance.failing.store(false, std::memory_order_relaxed);
    }
    return;
  }
  if (outcome == Outcome::refused_by_breaker) return;
  instance.breaker.on_failure();
  const std::lock_guard lock(mutex_);
  instance.failing.store(true, std::memory_order_relaxed);
  const auto& outlier = config_.outlier;
  if (outcome == Outcome::connect_failure) {
    ++instance.consecutive_connect_failures;
    if (outlier.consecutive_connect_failures > 0 &&
        instance.consecutive_connect_failures >= outlier.consecutive_connect_failures) {
      eject_if_allowed(instance, "connect_failures");
    }
  } else {
    ++instance.consecutive_5xx;
    if (outlier.consecutive_5xx > 0 && instance.consecutive_5xx >= outlier.consecutive_5xx) {
      eject_if_allowed(instance, outcome == Outcome::timeout ? "timeouts" : "server_errors");
    }
  }
}

// Under mutex_. Ejects for base_ejection x (earlier ejections + 1), capped,
// unless that would take out more than max_ejection_percent of the pool or
// its last available instance.
void UpstreamPool::eject_if_allowed(Instance& instance, std::string_view reason) {
  if (is_ejected(instance)) return;
  std::size_t ejected = 0;
  for (const auto& other : instances_) ejected += is_ejected(*other) ? 1 : 0;
  const auto total = instances_.size();
  const bool leaves_one = ejected + 1 < total;
  const bool within_percent = (ejected + 1) * 100 <= total * config_.outlier.max_ejection_percent;
  if (!leaves_one || (!within_percent && ejected > 0)) {
    core::log::warn("gateway.ejection_skipped", {{"upstream", config_.name},
                                                 {"instance", instance.label},
                                                 {"reason", reason},
                                                 {"ejected", ejected},
                                                 {"instances", total}});
    return;
  }
  ++instance.ejections;
  const auto duration =
      std::min(config_.outlier.base_ejection * static_cast<long>(instance.ejections.load()), config_.outlier.max_ejection);
  instance.ejected_until_ns.store(to_ns(clock_.monotonic() + duration), std::memory_order_relaxed);
  instance.consecutive_5xx = 0;
  instance.consecutive_connect_failures = 0;
  core::log::warn("gateway.instance_ejected", {{"upstream", config_.name},
                                               {"instance", instance.label},
                                               {"reason", reason},
                                               {"ejections", instance.ejections.load()},
                                               {"duration_ms", duration.count()}});
}

void UpstreamPool::record_check(Instance& instance, bool passed) {
  const auto& health = config_.health;
  if (passed) {
    instance.check_failures = 0;
    ++instance.check_passes;
    if (!instance.healthy.load() && instance.check_passes >= health.healthy_threshold) {
      instance.healthy.store(true);
      core::log::info("gateway.instance_healthy", {{"upstream", config_.name}, {"instance", instance.label}});
    }
    return;
  }
  instance.check_passes = 0;
  ++instance.check_failures;
  if (instance.healthy.load() && instance.check_failures >= health.unhealthy_threshold) {
    instance.healthy.store(false);
    core::log::warn("gateway.instance_unhealthy", {{"upstream", config_.name}, {"instance", instance.label}});
  }
}

boost::json::value UpstreamPool::describe() const {
  boost::json::array instances;
  const auto now = to_ns(clock_.monotonic());
  for (const auto& instance : instances_) {
    const auto until = instance->ejected_until_ns.load();
    instances.push_back(boost::json::object{
        {"address", instance->label},
        {"healthy", instance->healthy.load()},
        {"ejected", is_ejected(*instance)},
        {"ejected_for_ms", until > now ? (until - now) / 1'000'000 : 0},
        {"ejections", instance->ejections.load()},
        {"breaker", to_string(instance->breaker.state())},
        {"in_flight", instance->in_flight.load()},
    });
  }
  const char* balance = config_.balance == Balance::round_robin     ? "round_robin"
                        : config_.balance == Balance::least_request ? "least_request"
                                                                    : "consistent_hash";
  return boost::json::object{{"name", config_.name},
                             {"balance", balance},
                             {"in_flight", in_flight_.load()},
                             {"max_inflight", config_.max_inflight},
                             {"instances", std::move(instances)}};
}

}  // namespace orderly::gateway
