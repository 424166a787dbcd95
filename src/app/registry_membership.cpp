#include "app/registry_membership.hpp"

#include <condition_variable>
#include <mutex>

#include "app/background_workers.hpp"
#include "core/logging.hpp"
#include "net/http_client.hpp"
#include "registry/etcd_client.hpp"
#include "registry/registration.hpp"
#include "registry/registry_follower.hpp"

namespace orderly::app {
namespace {

std::chrono::seconds whole_seconds(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration);
}

}  // namespace

struct RegistryMembership::Parts {
  Parts(const core::Config& config, const core::Clock& clock)
      : settings(config.registry),
        http(net::HttpClientSettings{}, clock),
        // A call may take a third of the ttl: a keep-alive still lands in time.
        etcd(http, config.registry.etcd_endpoints(), settings.ttl / 3) {}

  core::RegistryConfig settings;
  net::HttpClient http;
  registry::EtcdClient etcd;
  std::vector<std::unique_ptr<registry::Registration>> registrations;
  std::vector<std::function<void(const registry::Directory&)>> followers;
  std::unique_ptr<registry::RegistryFollower> follower;
  std::mutex mutex;
  std::condition_variable first_directory;
  bool have_directory = false;
  bool deregistered = false;
  // Declared last: stopped (and joined) before the parts above go.
  BackgroundWorkers following;
  BackgroundWorkers advertising;

  void hand_over(const registry::Directory& directory) {
    for (const auto& on_change : followers) on_change(directory);
    const std::lock_guard lock(mutex);
    have_directory = true;
    first_directory.notify_all();
  }
};

std::unique_ptr<RegistryMembership> RegistryMembership::from_config(const core::Config& config,
                                                                    const core::Clock& clock) {
  if (config.registry.etcd.empty()) return nullptr;
  if (config.registry.ttl < std::chrono::seconds(2)) {
    throw core::ConfigError("registry.ttl: at least 2s (etcd's shortest lease)");
  }
  return std::make_unique<RegistryMembership>(config, clock);
}

RegistryMembership::RegistryMembership(const core::Config& config, const core::Clock& clock)
    : parts_(std::make_unique<Parts>(config, clock)) {}

RegistryMembership::~RegistryMembership() {
  deregister(std::chrono::seconds(2));
  parts_->following.stop(std::chrono::seconds(2));
}

void RegistryMembership::follow(std::function<void(const registry::Directory&)> on_change) {
  parts_->followers.push_back(std::move(on_change));
}

bool RegistryMembership::start_following(std::chrono::milliseconds first_read) {
  auto& parts = *parts_;
  parts.follower = std::make_unique<registry::RegistryFollower>(
      parts.etcd, registry::FollowerOptions{parts.settings.prefix, parts.settings.poll_interval},
      [&parts](const registry::Directory& directory) { parts.hand_over(directory); });
  auto* follower = parts.follower.get();
  parts.following.add(
      {"registry.follower", [follower] { return follower->run(); }, [follower] { follower->request_stop(); }});
  parts.following.start();
  std::unique_lock lock(parts.mutex);
  return parts.first_directory.wait_for(lock, first_read, [&] { return parts.have_directory; });
}

void RegistryMembership::advertise(registry::Instance self) {
  parts_->registrations.push_back(std::make_unique<registry::Registration>(
      parts_->etcd, std::move(self),
      registry::RegistrationOptions{parts_->settings.prefix, whole_seconds(parts_->settings.ttl)}));
}

void RegistryMembership::start_advertising() {
  for (auto& registration : parts_->registrations) {
    auto* one = registration.get();
    parts_->advertising.add(
        {"registry.registration", [one] { return one->run(); }, [one] { one->request_stop(); }});
  }
  parts_->advertising.start();
}

void RegistryMembership::deregister(std::chrono::milliseconds grace) {
  if (parts_->deregistered) return;
  parts_->deregistered = true;
  parts_->advertising.stop(grace);  // each registration revokes its lease as it returns
}

std::string RegistryMembership::advertised(const core::Config& config, const core::HostPort& bound) {
  if (!config.registry.advertise_host.empty()) {
    return core::HostPort{config.registry.advertise_host, bound.port}.to_string();
  }
  if (bound.host == "0.0.0.0" || bound.host == "::") {
    throw core::ConfigError("registry.advertise_host: needed when a listener binds " + bound.host +
                            " (other processes cannot reach a wildcard address)");
  }
  return bound.to_string();
}

}  // namespace orderly::app
