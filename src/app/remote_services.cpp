#include "app/remote_services.hpp"

#include <cstdlib>
#include <filesystem>

#include "auth/api/http_user_directory.hpp"
#include "auth/api/service_token_source.hpp"
#include "catalog/api/http_stock_reservations.hpp"
#include "core/secret_file.hpp"
#include "core/service_unavailable.hpp"
#include "net/http_client.hpp"
#include "payments/api/http_payments_client.hpp"
#include "rpc/instance_source.hpp"
#include "rpc/service_channel.hpp"

namespace orderly::app {
namespace {

// Credentials signed in this process, when it hosts auth.
class LocalServiceTokens final : public rpc::CredentialSource {
 public:
  LocalServiceTokens(const auth::ServiceTokens& tokens, std::string caller)
      : tokens_(tokens), caller_(std::move(caller)) {}
  boost::asio::awaitable<std::string> token(std::string audience) override {
    co_return tokens_.issue(caller_, audience).token;
  }

 private:
  const auth::ServiceTokens& tokens_;
  std::string caller_;
};

}  // namespace

std::string load_internal_secret(const core::Config& config) {
  if (const char* from_environment = std::getenv("ORDERLY_INTERNAL_SECRET"); from_environment && *from_environment) {
    return from_environment;
  }
  const auto path = config.services.secret_file.empty()
                        ? (std::filesystem::path(config.data_dir) / "internal.secret").string()
                        : config.services.secret_file;
  auto text = core::load_secret_file(path, auth::new_internal_secret_text);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

struct RemoteServices::Parts {
  Parts(const core::Config& config, std::string caller, std::string secret, const auth::ServiceTokens* local_tokens,
        const core::Clock& the_clock, core::Random& the_random, core::metrics::Registry& the_metrics)
      : clock(the_clock),
        random(the_random),
        metrics(the_metrics),
        try_timeout(config.services.call_timeout),
        http(net::HttpClientSettings{}, the_clock),
        auth_instances(config.services.auth),
        catalog_instances(config.services.catalog),
        payments_instances(config.services.payments),
        // auth's credential routes are open: this channel carries none.
        auth_tokens_channel(options("auth"), http, auth_instances, nullptr, the_clock, the_random, the_metrics),
        credentials(local_tokens != nullptr
                        ? std::unique_ptr<rpc::CredentialSource>(std::make_unique<LocalServiceTokens>(*local_tokens,
                                                                                                      caller))
                        : std::make_unique<auth::ServiceTokenSource>(auth_tokens_channel, caller, std::move(secret),
                                                                     the_clock)),
        auth_channel(options("auth"), http, auth_instances, credentials.get(), the_clock, the_random, the_metrics),
        catalog_channel(options("catalog"), http, catalog_instances, credentials.get(), the_clock, the_random,
                        the_metrics),
        payments_channel(options("payments"), http, payments_instances, credentials.get(), the_clock, the_random,
                         the_metrics),
        stock(catalog_channel),
        payments(payments_channel),
        users(auth_channel),
        jwks(auth_tokens_channel),
        // With a registry, the instances come from it (replace_instances).
        has_auth(!config.services.auth.empty() || !config.registry.etcd.empty()),
        has_catalog(!config.services.catalog.empty() || !config.registry.etcd.empty()),
        has_payments(!config.services.payments.empty() || !config.registry.etcd.empty()) {}

  rpc::ServiceChannelOptions options(std::string service) const {
    rpc::ServiceChannelOptions settings;
    settings.service = std::move(service);
    settings.try_timeout = try_timeout;
    return settings;
  }

  const core::Clock& clock;
  core::Random& random;
  core::metrics::Registry& metrics;
  std::chrono::milliseconds try_timeout;
  net::HttpClient http;
  rpc::StaticInstances auth_instances;
  rpc::StaticInstances catalog_instances;
  rpc::StaticInstances payments_instances;
  rpc::ServiceChannel auth_tokens_channel;
  std::unique_ptr<rpc::CredentialSource> credentials;
  rpc::ServiceChannel auth_channel;
  rpc::ServiceChannel catalog_channel;
  rpc::ServiceChannel payments_channel;
  catalog::HttpStockReservations stock;
  payments::HttpPaymentsClient payments;
  auth::HttpUserDirectory users;
  auth::JwksFollower jwks;
  bool has_auth;
  bool has_catalog;
  bool has_payments;
};

RemoteServices::RemoteServices(const core::Config& config, std::string caller, std::string secret,
                               const auth::ServiceTokens* local_tokens, const core::Clock& clock,
                               core::Random& random, core::metrics::Registry& metrics)
    : parts_(std::make_unique<Parts>(config, std::move(caller), std::move(secret), local_tokens, clock, random,
                                     metrics)) {}

RemoteServices::~RemoteServices() = default;

namespace {

void require(bool configured, std::string_view setting, std::string_view why) {
  if (!configured) {
    throw core::ConfigError(std::string(setting) + ": needed (" + std::string(why) +
                            "): the internal listeners of that service, HOST:PORT,...");
  }
}

}  // namespace

catalog::StockReservations& RemoteServices::stock() {
  require(parts_->has_catalog, "services.catalog", "orders reserves stock at the catalog");
  return parts_->stock;
}

payments::PaymentsClient& RemoteServices::payments() {
  require(parts_->has_payments, "services.payments", "orders pays through the payments service");
  return parts_->payments;
}

auth::UserDirectory& RemoteServices::users() {
  require(parts_->has_auth, "services.auth", "orders e-mails the users auth knows");
  return parts_->users;
}

auth::JwksFollower& RemoteServices::jwks() {
  require(parts_->has_auth, "services.auth", "users' tokens are verified with auth's keys");
  return parts_->jwks;
}

void RemoteServices::replace_instances(std::string_view service, std::vector<core::HostPort> instances) {
  if (service == "auth") parts_->auth_instances.replace(std::move(instances));
  if (service == "catalog") parts_->catalog_instances.replace(std::move(instances));
  if (service == "payments") parts_->payments_instances.replace(std::move(instances));
}

std::vector<std::string> RemoteServices::configured() const {
  std::vector<std::string> names;
  if (parts_->has_auth) names.emplace_back("auth");
  if (parts_->has_catalog) names.emplace_back("catalog");
  if (parts_->has_payments) names.emplace_back("payments");
  return names;
}

net::HealthCheck RemoteServices::reachable(const std::string& service) {
  rpc::ServiceChannel* channel = service == "auth"      ? &parts_->auth_channel
                                 : service == "catalog" ? &parts_->catalog_channel
                                                        : &parts_->payments_channel;
  return [channel]() -> boost::asio::awaitable<net::HealthStatus> {
    bool up = false;
    try {
      core::CallContext call;
      const auto answer = co_await channel->call("healthz", "GET", "/healthz", std::string(), true, std::move(call));
      up = answer.status == 200;
    } catch (const core::ServiceUnavailable&) {
      up = false;
    }
    co_return up ? net::HealthStatus{} : net::HealthStatus{false, "unreachable"};
  };
}

}  // namespace orderly::app
