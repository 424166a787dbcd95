#include "registry/registry_follower.hpp"

#include <algorithm>
#include <optional>

#include "core/logging.hpp"

namespace orderly::registry {
namespace asio = boost::asio;

struct RegistryFollower::State {
  State(EtcdClient& client, FollowerOptions settings, OnChange callback)
      : etcd(client), options(std::move(settings)), on_change(std::move(callback)) {}

  EtcdClient& etcd;
  FollowerOptions options;
  OnChange on_change;
  // Touched only by the job's coroutine.
  std::optional<Directory> last;
  bool unreachable = false;

  asio::awaitable<void> tick() {
    RangeResult range;
    try {
      range = co_await etcd.range(services_prefix(options.prefix));
    } catch (const EtcdError& error) {
      if (!unreachable) core::log::warn("registry.unreachable", {{"error", error.what()}});
      unreachable = true;
      co_return;
    }
    if (unreachable) core::log::info("registry.reachable", {{"revision", range.revision}});
    unreachable = false;

    Directory directory;
    for (const auto& entry : range.entries) {
      auto instance = parse_instance(entry.value);
      if (!instance) {
        core::log::warn("registry.entry_skipped", {{"key", entry.key}});
        continue;
      }
      directory[instance->service].push_back(std::move(*instance));
    }
    for (auto& [service, instances] : directory) {
      std::sort(instances.begin(), instances.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    if (last && *last == directory) co_return;
    std::size_t total = 0;
    for (const auto& [service, instances] : directory) total += instances.size();
    core::log::info("registry.changed",
                    {{"revision", range.revision}, {"services", directory.size()}, {"instances", total}});
    on_change(directory);
    last = std::move(directory);
  }
};

RegistryFollower::RegistryFollower(EtcdClient& etcd, FollowerOptions options, OnChange on_change)
    : state_(std::make_shared<State>(etcd, options, std::move(on_change))),
      job_("registry.follower", options.interval, [state = state_] { return state->tick(); }) {}

RegistryFollower::~RegistryFollower() = default;

void RegistryFollower::start(asio::any_io_executor executor) {
  job_.start(std::move(executor));
}
void RegistryFollower::stop(std::chrono::milliseconds grace) {
  job_.stop(grace);
}
asio::awaitable<void> RegistryFollower::run() {
  co_await job_.run();
}
void RegistryFollower::request_stop() {
  job_.request_stop();
}

}  // namespace orderly::registry
