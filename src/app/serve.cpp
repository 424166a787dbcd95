#include "app/serve.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/auth_wiring.hpp"
#include "app/catalog_wiring.hpp"
#include "app/http_stack.hpp"
#include "app/messaging.hpp"
#include "app/notify_wiring.hpp"
#include "app/orders_wiring.hpp"
#include "app/payments_wiring.hpp"
#include "app/process_runner.hpp"
#include "app/registry_membership.hpp"
#include "app/remote_services.hpp"
#include "app/schema.hpp"
#include "app/shared_redis.hpp"
#include "app/store_setup.hpp"
#include "app/version.hpp"
#include "auth/authenticate_middleware.hpp"
#include "auth/internal_auth_middleware.hpp"
#include "auth/service_tokens.hpp"
#include "core/logging.hpp"
#include "core/run_sync.hpp"
#include "core/ids.hpp"
#include "core/secure_random.hpp"
#include "gateway/web_files_middleware.hpp"
#include "lock/periodic_job.hpp"
#include "lock/postgres_lock.hpp"
#include "net/health.hpp"
#include "net/http_server.hpp"
#include "store/migrations.hpp"

namespace orderly::app {
namespace {

constexpr int kStartupError = 2;

// A data folder that vanished or turned read-only makes every write fail:
// report it on /readyz instead of failing requests one by one.
net::HealthCheck data_dir_check(std::filesystem::path folder) {
  return [folder = std::move(folder)]() -> boost::asio::awaitable<net::HealthStatus> {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) co_return net::HealthStatus{false, "data folder missing"};
    if (::access(folder.c_str(), W_OK) != 0) co_return net::HealthStatus{false, "data folder not writable"};
    co_return net::HealthStatus{};
  };
}

// The database, keys and mails inside are the owner's only (0700). A folder
// that is not ours alone (another owner, or sticky like /tmp) is left as it is.
void keep_private(const std::filesystem::path& folder, std::error_code& ec) {
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0 || info.st_uid != ::geteuid() || (info.st_mode & S_ISVTX) != 0) return;
  std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
}

// Scale-out without auth in this process: the keys auth publishes, followed
// from its internal API. Every 2 s until auth answered once (it may start
// after this process), then every 30 s: a key auth rotates in is trusted
// from the next refresh.
class FollowedKeys final : public Component {
 public:
  explicit FollowedKeys(RemoteServices& remote)
      : job_("auth.jwks_refresh", std::chrono::seconds(2), [&remote, this]() -> boost::asio::awaitable<void> {
          const bool due = remote.jwks().key_count() == 0 || ++ticks_ % 15 == 0;
          if (due) (void)co_await remote.jwks().refresh();
        }) {}
  [[nodiscard]] std::string_view name() const override { return "auth.jwks_refresh"; }
  void start(net::HttpServer& server) override { job_.start(server.loop_executor(0)); }
  void stop(std::chrono::milliseconds grace) override { job_.stop(grace); }

 private:
  int ticks_ = 0;
  lock::PeriodicJob job_;
};

// This process's instances in the registry: advertised once the listeners
// are bound (with the addresses they got), revoked first thing when draining.
class RegistryPresence final : public Component {
 public:
  RegistryPresence(RegistryMembership& membership, const core::Config& config, const ServiceSelection& selection,
                   core::Random& random, bool has_public, bool has_internal)
      : membership_(membership),
        config_(config),
        selection_(selection),
        random_(random),
        has_public_(has_public),
        has_internal_(has_internal) {}
  [[nodiscard]] std::string_view name() const override { return "registry"; }
  void start(net::HttpServer& server) override {
    for (const auto& name : selection_.names) {
      membership_.advertise(registry::Instance{
          name, name + "-" + core::random_hex(random_, 8),
          has_public_ ? RegistryMembership::advertised(config_, server.bound_address("listen")) : std::string(),
          has_internal_ ? RegistryMembership::advertised(config_, server.bound_address("internal_listen"))
                        : std::string(),
          kVersion});
    }
    membership_.start_advertising();
  }
  void drain(std::chrono::milliseconds grace) override { membership_.deregister(grace); }

 private:
  RegistryMembership& membership_;
  const core::Config& config_;
  const ServiceSelection& selection_;
  core::Random& random_;
  bool has_public_;
  bool has_internal_;
};

// `serve`, `service NAME...` and `worker NAME`: the selected modules and what
// they need, built in dependency order (members are destroyed in reverse).
// A service not hosted here is reached through its client in `remote_`.
class ServicesRole {
 public:
  ServicesRole(const core::Config& config, const ServiceSelection& selection)
      : config_(config), selection_(selection), runner_(config) {
    open_stores();
    connect_shared_engines();
    wire_modules();
    build_listeners();
  }

  int run() {
    std::string hosted = selection_.is_worker() ? "worker:" + selection_.worker : "";
    if (!selection_.is_worker()) {
      for (const auto& name : selection_.names) hosted += (hosted.empty() ? "" : ",") + name;
    }
    return runner_.run({{"services", hosted}, {"queues", messaging_->kind()}, {"data_dir", config_.data_dir}});
  }

 private:
  void open_stores() {
    try {
      store_ = open_store(config_, runner_.metrics());
      // Only the hosted services' tables: a service's database (or schema)
      // holds no other service's data.
      const auto migrations = migrations_for(selection_.names);
      const auto report = core::run_sync(store::migrate(*store_, migrations));
      stores_ = std::make_unique<ServiceStores>(*store_, selection_.names);
      core::log::info("store.ready", {{"store", store_description(config_)}, {"schema_version", report.current},
                                      {"migrations_applied", report.applied.size()}});
    } catch (const store::StoreError& error) {
      throw StartupError("store " + store_description(config_) + ": " + error.what());
    }
    auto& health = runner_.health();
    health.add("data_dir", data_dir_check(config_.data_dir));
    health.add("store", store_check(*store_));
    // Leases of the singleton jobs (outbox relay, expiry sweeps), in the
    // hosted service's own lock table.
    leases_ = std::make_unique<lock::StoreLock>(*store_, selection_.names.front() + "-" + core::random_hex(random_, 8));
  }

  // Scale-out: the Redis shared with the other instances (product cache,
  // login limits), the registry, the other services' clients; and the
  // process's ONE broker and outbox (in the store, or RabbitMQ). Every
  // module gets them: consumers as queue::Broker&, producers as
  // queue::EventOutbox. Never create a second one: two would share tables or
  // queues but not their settings or metrics.
  void connect_shared_engines() {
    auto& health = runner_.health();
    try {
      shared_redis_ = SharedRedis::from_config(config_, runner_.clock());
    } catch (const std::invalid_argument& error) {
      throw StartupError(std::string("cache.redis: ") + error.what());
    }
    if (shared_redis_) health.add("redis", shared_redis_->health_check());
    try {
      messaging_ = std::make_unique<Messaging>(config_, *store_, runner_.clock(), random_, runner_.metrics());
    } catch (const std::invalid_argument& error) {
      throw StartupError(std::string("queue: ") + error.what());
    }
    if (auto check = messaging_->health_check()) health.add("rabbitmq", std::move(*check));
  }

  void wire_modules() {
    const auto& clock = runner_.clock();
    auto& metrics = runner_.metrics();
    if (hosts_service("auth")) {
      try {
        auth_ = std::make_unique<AuthComponent>(config_, stores_->of("auth"), clock, random_, metrics,
                                                shared_redis_.get(), messaging_->outbox());
        core::run_sync(auth_->load_keys());
      } catch (const std::exception& error) {
        throw StartupError(std::string("auth: ") + error.what());
      }
    }
    if (selection_.internal_listener) connect_remote_services();
    if (auth_) {
      if (service_tokens_) auth_->issue_service_tokens(*service_tokens_);
      runner_.add(*auth_);
    }
    if (hosts_service("payments")) {
      payments_ = std::make_unique<PaymentsComponent>(
          wire_payments(config_, stores_->of("payments"), clock, random_, metrics), clock);
      runner_.add(*payments_);
    }
    if (selection_.has("notify")) {
      const NotifyRole role{.service = !selection_.is_worker(),
                            .email_worker = selection_.is_worker() ? selection_.worker == "email"
                                                                   : config_.notify.email_worker};
      notify_ = std::make_unique<NotifyComponent>(config_, stores_->of("notify"), messaging_->broker(), clock,
                                                  random_, metrics, role);
      runner_.add(*notify_);
    }
    if (selection_.has("catalog")) {
      const CatalogRole role{.service = !selection_.is_worker(),
                             .bulk_worker = selection_.is_worker() ? selection_.worker == "bulk"
                                                                   : config_.catalog.bulk_worker};
      catalog_ = std::make_unique<CatalogComponent>(config_, stores_->of("catalog"), messaging_->broker(),
                                                    messaging_->outbox(), *leases_, clock, random_, metrics,
                                                    shared_redis_.get(), role);
      runner_.add(*catalog_);
    }
    if (hosts_service("orders")) {
      try {
        auto& stock = catalog_ ? catalog_->stock() : remote_->stock();
        auto& payer = payments_ ? payments_->service() : remote_->payments();
        auto& users = auth_ ? auth_->users() : remote_->users();
        orders_ = wire_orders(config_, stores_->of("orders"), clock, random_,
                              {stock, payer, users, messaging_->outbox(), *leases_, metrics});
      } catch (const core::ConfigError& error) {
        throw StartupError(std::string("orders: ") + error.what());
      }
      runner_.add(*orders_);
    }
    // Scale-out: the outbox the modules above write to, relayed to RabbitMQ
    // by one process of the service at a time.
    if (!selection_.is_worker()) {
      if (auto relay = messaging_->relay(*leases_)) runner_.workers().add(std::move(*relay));
    }
    if (!auth_ && remote_) {
      followed_keys_ = std::make_unique<FollowedKeys>(*remote_);
      runner_.add(*followed_keys_);
    }
  }

  // The clients of the services not hosted here, following the registry
  // (etcd) when there is one, else the static services.* lists.
  void connect_remote_services() {
    try {
      auto secret = load_internal_secret(config_);
      if (auth_) {
        service_tokens_ = std::make_unique<auth::ServiceTokens>(auth_->keys(), runner_.clock(), config_.auth.issuer,
                                                                secret);
      }
      remote_ = std::make_unique<RemoteServices>(config_, selection_.names.front(), std::move(secret),
                                                 service_tokens_.get(), runner_.clock(), random_, runner_.metrics());
    } catch (const std::exception& error) {
      throw StartupError(std::string("services: ") + error.what());
    }
    membership_ = RegistryMembership::from_config(config_, runner_.clock());
    if (membership_) {
      membership_->follow([this](const registry::Directory& directory) { follow_instances(directory); });
      if (!membership_->start_following(std::chrono::seconds(3))) {
        core::log::warn("registry.not_read_yet", {{"etcd", config_.registry.etcd}});
      }
    }
    // /readyz also names a service this process calls and cannot reach:
    // orders calls catalog, payments and auth; every service without auth
    // follows auth's keys.
    for (const auto& name : remote_->configured()) {
      const bool called = selection_.has("orders") || name == "auth";
      if (called && !selection_.has(name)) runner_.health().add(name, remote_->reachable(name));
    }
  }

  void follow_instances(const registry::Directory& directory) {
    for (const std::string service : {"auth", "catalog", "payments"}) {
      std::vector<core::HostPort> internal;
      if (const auto found = directory.find(service); found != directory.end()) {
        for (const auto& instance : found->second) {
          if (instance.internal_address.empty()) continue;
          try {
            internal.push_back(core::HostPort::parse(instance.internal_address));
          } catch (const std::invalid_argument&) {
            core::log::warn("registry.instance_skipped", {{"service", service}, {"id", instance.id}});
          }
        }
      }
      remote_->replace_instances(service, std::move(internal));
    }
  }

  void build_listeners() {
    // Users' tokens: verified with auth's key ring here, or with the keys
    // auth publishes; admin tokens are checked against auth's token version.
    std::shared_ptr<net::Middleware> authenticate;
    if (auth_) {
      authenticate = auth_->authenticate_middleware();
    } else if (remote_) {
      followed_verifier_ = std::make_unique<auth::TokenVerifier>(remote_->jwks(), runner_.clock(), user_tokens());
      authenticate = std::make_shared<auth::AuthenticateMiddleware>(
          *followed_verifier_, runner_.metrics(), &remote_->users(),
          auth::AuthenticateOptions{.require_mfa_for_admin = config_.auth.require_mfa_for_admin});
    }
    // A worker role has no public API (and no token to check).
    if (!selection_.is_worker()) {
      std::vector<std::shared_ptr<net::Middleware>> inner;
      // Embedded mode serves the web pages itself; in scale-out the gateway does.
      if (!selection_.internal_listener && !config_.web.root.empty()) {
        inner.push_back(std::make_shared<gateway::WebFilesMiddleware>(
            config_.web.root, std::chrono::duration_cast<std::chrono::seconds>(config_.web.cache_max_age)));
      }
      inner.push_back(authenticate);
      public_pipeline_ = std::make_unique<PublicPipeline>(runner_.routes().public_api, config_, runner_.metrics(),
                                                          runner_.clock(), runner_.request_ids(), std::move(inner));
      runner_.listen("listen", config_.listen, public_pipeline_->pipeline, true);
    }
    runner_.listen_ops(config_.ops_listen);
    // The internal listener admits a service credential for any service hosted here.
    if (selection_.internal_listener) {
      const auth::KeySource& keys = auth_ ? static_cast<const auth::KeySource&>(auth_->keys()) : remote_->jwks();
      std::vector<const auth::TokenVerifier*> verifiers;
      for (const auto& name : selection_.names) {
        auto options = user_tokens();
        options.audience = name;
        internal_verifiers_.push_back(std::make_unique<auth::TokenVerifier>(keys, runner_.clock(), options));
        verifiers.push_back(internal_verifiers_.back().get());
      }
      internal_pipeline_ = make_internal_pipeline(
          runner_.routes().internal, runner_.request_ids(),
          std::make_shared<auth::InternalAuthMiddleware>(verifiers, runner_.metrics()));
      runner_.listen("internal_listen", config_.internal_listen, *internal_pipeline_, true);
    }
    if (membership_ && !selection_.is_worker()) {
      presence_ = std::make_unique<RegistryPresence>(*membership_, config_, selection_, random_,
                                                     public_pipeline_ != nullptr, internal_pipeline_ != nullptr);
      runner_.add(*presence_);
    }
  }

  [[nodiscard]] auth::VerifierOptions user_tokens() const {
    return {config_.auth.issuer, config_.auth.audience,
            std::chrono::duration_cast<std::chrono::seconds>(config_.auth.leeway)};
  }

  [[nodiscard]] bool hosts_service(std::string_view name) const {
    return selection_.has(name) && !selection_.is_worker();
  }

  const core::Config& config_;
  const ServiceSelection& selection_;
  ProcessRunner runner_;  // first: blocks the signals before any thread starts, stops the log last
  // Ids of users' objects and secrets come from the CSPRNG; request and
  // trace ids from the runner's generator, which mints nothing else.
  core::SecureRandom random_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ServiceStores> stores_;  // each module's view: its own tables only
  std::unique_ptr<lock::StoreLock> leases_;
  std::unique_ptr<SharedRedis> shared_redis_;
  std::unique_ptr<Messaging> messaging_;
  std::unique_ptr<AuthComponent> auth_;
  std::unique_ptr<auth::ServiceTokens> service_tokens_;
  std::unique_ptr<RemoteServices> remote_;
  std::unique_ptr<RegistryMembership> membership_;
  std::unique_ptr<PaymentsComponent> payments_;
  std::unique_ptr<NotifyComponent> notify_;
  std::unique_ptr<CatalogComponent> catalog_;
  std::unique_ptr<OrdersComponent> orders_;
  std::unique_ptr<FollowedKeys> followed_keys_;
  std::unique_ptr<auth::TokenVerifier> followed_verifier_;
  std::unique_ptr<PublicPipeline> public_pipeline_;
  std::vector<std::unique_ptr<auth::TokenVerifier>> internal_verifiers_;
  std::unique_ptr<net::Pipeline> internal_pipeline_;
  std::unique_ptr<RegistryPresence> presence_;
};

}  // namespace

bool ServiceSelection::has(std::string_view name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::vector<std::string>& service_names() {
  static const std::vector<std::string> kNames = {"auth", "catalog", "orders", "payments", "notify"};
  return kNames;
}

const std::vector<std::string>& worker_names() {
  static const std::vector<std::string> kNames = {"email", "bulk"};
  return kNames;
}

ServiceSelection ServiceSelection::embedded() {
  return ServiceSelection{service_names(), false, {}};
}

ServiceSelection ServiceSelection::worker_role(std::string_view name) {
  // Each consumer works on its service's data: e-mails on notify's, imports on the catalog's.
  if (name == "email") return ServiceSelection{{"notify"}, false, "email"};
  if (name == "bulk") return ServiceSelection{{"catalog"}, false, "bulk"};
  throw std::invalid_argument("no such worker: " + std::string(name));
}

int serve(const core::Config& config) {
  return run_services(config, ServiceSelection::embedded());
}

int run_services(const core::Config& config, const ServiceSelection& selection) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (!ec) keep_private(config.data_dir, ec);
  if (ec) {
    std::cerr << "orderly: data_dir " << config.data_dir << ": " << ec.message() << "\n";
    return kStartupError;
  }
  return run_role([&] { return ServicesRole(config, selection).run(); });
}

}  // namespace orderly::app
