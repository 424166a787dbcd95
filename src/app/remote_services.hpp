#pragma once

#include <memory>
#include <string>
#include <vector>

#include "auth/api/user_directory.hpp"
#include "auth/jwks_follower.hpp"
#include "auth/service_tokens.hpp"
#include "catalog/api/stock_reservations.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/health.hpp"
#include "payments/api/payments_client.hpp"

namespace orderly::app {

// The internal secret services show auth for their credentials:
// ORDERLY_INTERNAL_SECRET when set, else services.secret_file (default
// <data_dir>/internal.secret, made on first use). Throws core::SecretFileError.
[[nodiscard]] std::string load_internal_secret(const core::Config& config);

// The clients of the services this process does not host (scale-out), each
// an rpc::ServiceChannel to the instances of services.<name>, carrying this
// process's service credentials: issued here when auth is hosted here
// (`local_tokens`), else asked of auth with the internal secret. Also the
// JWKS follower that lets a process without auth verify users' tokens.
// Asking for a client of a service that has no instances configured throws
// core::ConfigError naming the setting. Call from event loops (the HTTP
// client's rule); destroy after every call finished. Thread-safe.
class RemoteServices {
 public:
  RemoteServices(const core::Config& config, std::string caller, std::string secret,
                 const auth::ServiceTokens* local_tokens, const core::Clock& clock, core::Random& random,
                 core::metrics::Registry& metrics);
  ~RemoteServices();
  RemoteServices(const RemoteServices&) = delete;
  RemoteServices& operator=(const RemoteServices&) = delete;

  [[nodiscard]] catalog::StockReservations& stock();
  [[nodiscard]] payments::PaymentsClient& payments();
  [[nodiscard]] auth::UserDirectory& users();
  [[nodiscard]] auth::JwksFollower& jwks();

  // What the registry shows of `service` (auth, catalog or payments; others
  // are ignored): the internal listeners its channel uses from now on.
  void replace_instances(std::string_view service, std::vector<core::HostPort> instances);

  // The services with instances configured or followed in the registry (of auth, catalog, payments).
  [[nodiscard]] std::vector<std::string> configured() const;
  // A readiness check of `service` for this process's /readyz: its /healthz
  // through the channel (liveness, not its /readyz: two services that need
  // each other would ask each other forever).
  [[nodiscard]] net::HealthCheck reachable(const std::string& service);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace orderly::app
