#include "app/serve.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "app/auth_wiring.hpp"
#include "app/background_workers.hpp"
#include "app/catalog_wiring.hpp"
#include "app/http_stack.hpp"
#include "app/messaging.hpp"
#include "app/notify_wiring.hpp"
#include "app/orders_wiring.hpp"
#include "app/payments_wiring.hpp"
#include "app/registry_membership.hpp"
#include "app/remote_services.hpp"
#include "app/schema.hpp"
#include "app/shared_redis.hpp"
#include "app/store_setup.hpp"
#include "app/version.hpp"
#include "auth/authenticate_middleware.hpp"
#include "auth/internal_auth_middleware.hpp"
#include "auth/internal_token_routes.hpp"
#include "auth/internal_user_routes.hpp"
#include "auth/store_user_directory.hpp"
#include "catalog/internal_stock_routes.hpp"
#include "core/logging.hpp"
#include "core/process_metrics.hpp"
#include "core/run_sync.hpp"
#include "core/secure_random.hpp"
#include "core/ids.hpp"
#include "gateway/web_files_middleware.hpp"
#include "lock/periodic_job.hpp"
#include "lock/postgres_lock.hpp"
#include "net/health.hpp"
#include "net/http_server.hpp"
#include "payments/internal_payment_routes.hpp"
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

void add_metrics_endpoint(net::Router& router, const core::metrics::Registry& metrics) {
  router.add("GET", "/metrics",
             [&metrics](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
               co_return net::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
             });
}

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

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
  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and only sigwait() below receives them.
  const auto signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error code, not a kill

  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (!ec) keep_private(config.data_dir, ec);
  if (ec) {
    std::cerr << "orderly: data_dir " << config.data_dir << ": " << ec.message() << "\n";
    return kStartupError;
  }

  core::log::start(core::log::parse_level(config.log.level));
  core::SystemClock clock;
  // Ids of users' objects and secrets come from the CSPRNG; request and
  // trace ids, which every answer shows, from a generator that mints nothing else.
  core::SecureRandom random;
  core::FastRandom request_ids;
  core::metrics::Registry metrics;
  core::metrics::register_process_metrics(metrics);
  metrics.gauge("orderly_build_info", "Always 1; the version is a label.", {"version"}).with_labels({kVersion}).set(1);
  metrics.gauge_callback("orderly_log_lines_dropped", "Log lines dropped because the writer fell behind.",
                         [] { return static_cast<double>(core::log::dropped_count()); });

  std::unique_ptr<store::Store> store;
  std::unique_ptr<ServiceStores> stores;  // each module's view: its own tables only
  try {
    store = open_store(config, metrics);
    // Only the hosted services' tables: a service's database (or schema)
    // holds no other service's data.
    const auto migrations = migrations_for(selection.names);
    const auto report = core::run_sync(store::migrate(*store, migrations));
    stores = std::make_unique<ServiceStores>(*store, selection.names);
    core::log::info("store.ready", {{"store", store_description(config)}, {"schema_version", report.current},
                                    {"migrations_applied", report.applied.size()}});
  } catch (const store::StoreError& error) {
    std::cerr << "orderly: store " << store_description(config) << ": " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }

  // Modules, in dependency order; each adds its routes below. A service not
  // hosted here is reached through its client in `remote`.
  // Scale-out: the Redis shared with the other instances (product cache, login limits).
  std::unique_ptr<SharedRedis> shared_redis;
  try {
    shared_redis = SharedRedis::from_config(config, clock);
  } catch (const std::invalid_argument& error) {
    std::cerr << "orderly: cache.redis: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }

  std::unique_ptr<AuthComponent> auth;
  if (selection.has("auth") && !selection.is_worker()) {
    try {
      auth = std::make_unique<AuthComponent>(config, stores->of("auth"), clock, random, metrics, shared_redis.get());
      core::run_sync(auth->start());
    } catch (const std::exception& error) {
      std::cerr << "orderly: auth: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
  }
  std::unique_ptr<auth::ServiceTokens> service_tokens;
  std::unique_ptr<RemoteServices> remote;
  if (selection.internal_listener) {
    try {
      auto secret = load_internal_secret(config);
      if (auth) service_tokens = std::make_unique<auth::ServiceTokens>(auth->keys(), clock, config.auth.issuer, secret);
      remote = std::make_unique<RemoteServices>(config, selection.names.front(), std::move(secret),
                                                service_tokens.get(), clock, random, metrics);
    } catch (const std::exception& error) {
      std::cerr << "orderly: services: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
  }

  // Scale-out with a registry: where the other services are, followed from
  // etcd instead of the static services.* lists; this process's own
  // instances are advertised once its listeners are bound.
  std::unique_ptr<RegistryMembership> membership;
  try {
    membership = RegistryMembership::from_config(config, clock);
  } catch (const core::ConfigError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }
  if (membership && remote) {
    membership->follow([&remote](const registry::Directory& directory) {
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
        remote->replace_instances(service, std::move(internal));
      }
    });
    if (!membership->start_following(std::chrono::seconds(3))) {
      core::log::warn("registry.not_read_yet", {{"etcd", config.registry.etcd}});
    }
  }

  net::HealthRegistry health;
  health.add("data_dir", data_dir_check(config.data_dir));
  health.add("store", store_check(*store));
  // Scale-out: /readyz also names a service this process calls and cannot
  // reach: orders calls catalog, payments and auth; every service without
  // auth follows auth's keys.
  if (remote) {
    for (const auto& name : remote->configured()) {
      const bool called = selection.has("orders") || name == "auth";
      if (called && !selection.has(name)) health.add(name, remote->reachable(name));
    }
  }

  // The process's ONE broker and outbox (in the store, or RabbitMQ). Every
  // module's wiring gets them: consumers as queue::Broker&, producers as
  // queue::EventOutbox. Never create a second one: two would share tables or
  // queues but not their settings or metrics.
  std::unique_ptr<Messaging> messaging;
  try {
    messaging = std::make_unique<Messaging>(config, *store, clock, random, metrics);
  } catch (const std::invalid_argument& error) {
    std::cerr << "orderly: queue: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }
  auto& broker = messaging->broker();
  if (auto check = messaging->health_check()) health.add("rabbitmq", std::move(*check));
  if (shared_redis) health.add("redis", shared_redis->health_check());
  // Leases of the singleton jobs (outbox relay, expiry sweeps), in the
  // hosted service's own lock table.
  lock::StoreLock leases(*store, selection.names.front() + "-" + core::random_hex(random, 8));

  net::Router public_router;
  net::Router internal_router;
  health.install(public_router);
  health.install(internal_router);
  std::unique_ptr<auth::StoreUserDirectory> local_users;
  if (auth) {
    auth->add_routes(public_router, messaging->outbox());
    local_users = std::make_unique<auth::StoreUserDirectory>(stores->of("auth"));
    auth::add_internal_user_routes(internal_router, *local_users);
    if (service_tokens) auth::add_internal_token_routes(internal_router, *service_tokens, auth->keys());
  }
  std::optional<PaymentsModule> payments;
  if (selection.has("payments") && !selection.is_worker()) {
    payments = wire_payments(config, stores->of("payments"), public_router, clock, random, metrics);
    if (!payments) {
      core::log::stop();
      return kStartupError;
    }
    payments::add_internal_payment_routes(internal_router, *payments->service);
  }
  std::unique_ptr<EmailWorkerRole> notify;
  if (selection.worker == "email") {
    notify = start_email_worker(config, broker, stores->of("notify"), clock, random, metrics);
  } else if (selection.has("notify") && !selection.is_worker()) {
    notify = add_notify(public_router, config, stores->of("notify"), broker, clock, random, metrics);
  }
  BackgroundWorkers workers;  // queue consumers and periodic jobs; started after the listeners
  std::shared_ptr<CatalogWiring> catalog;
  if (selection.has("catalog")) {
    const CatalogRole role{.service = !selection.is_worker(),
                           .bulk_worker = selection.is_worker() ? selection.worker == "bulk" : config.catalog.bulk_worker};
    catalog = wire_catalog(public_router, workers, config, stores->of("catalog"), broker, messaging->outbox(), leases, clock, random,
                           metrics, shared_redis.get(), role);
    catalog::add_internal_stock_routes(internal_router, catalog->stock());
  }
  std::unique_ptr<OrdersComponent> orders;
  if (selection.has("orders") && !selection.is_worker()) {
    try {
      auto& stock = catalog ? catalog->stock() : remote->stock();
      auto& payer = payments ? *payments->service : remote->payments();
      auth::UserDirectory& users = local_users ? static_cast<auth::UserDirectory&>(*local_users) : remote->users();
      orders = wire_orders(public_router, config, stores->of("orders"), clock, random,
                           {stock, payer, users, messaging->outbox(), leases, metrics});
    } catch (const core::ConfigError& error) {
      std::cerr << "orderly: orders: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
  }

  // Scale-out: the outbox the modules above write to, relayed to RabbitMQ by
  // one process of the service at a time.
  if (!selection.is_worker()) {
    if (auto relay = messaging->relay(leases)) workers.add(std::move(*relay));
  }

  // Users' tokens: verified with auth's key ring here, or with the keys auth
  // publishes (followed from its internal API).
  std::unique_ptr<auth::TokenVerifier> followed_verifier;
  std::shared_ptr<net::Middleware> authenticate;
  // Every 2 s until auth answered once (it may start after this process),
  // then every 30 s: a key auth rotates in is trusted from the next refresh.
  int jwks_ticks = 0;
  lock::PeriodicJob jwks_refresh("auth.jwks_refresh", std::chrono::seconds(2),
                                 [&remote, &jwks_ticks]() -> boost::asio::awaitable<void> {
                                   const bool due = remote->jwks().key_count() == 0 || ++jwks_ticks % 15 == 0;
                                   if (due) (void)co_await remote->jwks().refresh();
                                 });
  if (auth) {
    authenticate = auth->authenticate_middleware();
  } else if (remote) {
    try {
      followed_verifier = std::make_unique<auth::TokenVerifier>(
          remote->jwks(), clock,
          auth::VerifierOptions{config.auth.issuer, config.auth.audience,
                                std::chrono::duration_cast<std::chrono::seconds>(config.auth.leeway)});
    } catch (const core::ConfigError& error) {
      std::cerr << "orderly: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
    // Admin tokens are checked against auth's token version (its internal API).
    authenticate = std::make_shared<auth::AuthenticateMiddleware>(*followed_verifier, metrics, &remote->users());
  }
  // A worker role has no public API (and no token to check).
  std::unique_ptr<PublicPipeline> public_pipeline;
  if (!selection.is_worker()) {
    std::vector<std::shared_ptr<net::Middleware>> inner;
    // Embedded mode serves the web pages itself; in scale-out the gateway does.
    if (!selection.internal_listener && !config.web.root.empty()) {
      inner.push_back(std::make_shared<gateway::WebFilesMiddleware>(
          config.web.root, std::chrono::duration_cast<std::chrono::seconds>(config.web.cache_max_age)));
    }
    inner.push_back(authenticate);
    public_pipeline =
        std::make_unique<PublicPipeline>(public_router, config, metrics, clock, request_ids, std::move(inner));
  }

  // The internal listener admits a service credential for any service hosted here.
  std::vector<std::unique_ptr<auth::TokenVerifier>> internal_verifiers;
  std::unique_ptr<net::Pipeline> internal_pipeline;
  if (selection.internal_listener) {
    const auth::KeySource& keys = auth ? static_cast<const auth::KeySource&>(auth->keys()) : remote->jwks();
    for (const auto& name : selection.names) {
      internal_verifiers.push_back(std::make_unique<auth::TokenVerifier>(
          keys, clock,
          auth::VerifierOptions{config.auth.issuer, name,
                                std::chrono::duration_cast<std::chrono::seconds>(config.auth.leeway)}));
    }
    std::vector<const auth::TokenVerifier*> verifiers;
    for (const auto& verifier : internal_verifiers) verifiers.push_back(verifier.get());
    internal_pipeline = make_internal_pipeline(internal_router, request_ids,
                                               std::make_shared<auth::InternalAuthMiddleware>(verifiers, metrics));
  }

  net::Router ops_router;
  health.install(ops_router);
  add_metrics_endpoint(ops_router, metrics);
  const auto ops_pipeline = make_ops_pipeline(ops_router, request_ids);

  const unsigned threads = config.threads != 0 ? config.threads : std::max(1U, std::thread::hardware_concurrency());
  net::HttpServer server(threads, config.http, metrics, clock);
  try {
    if (public_pipeline) server.add_listener("listen", config.listen, public_pipeline->pipeline, true);
    server.add_listener("ops_listen", config.ops_listen, *ops_pipeline, false);
    if (internal_pipeline) server.add_listener("internal_listen", config.internal_listen, *internal_pipeline, true);
  } catch (const net::BindError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }
  if (auth) auth->start_key_reload(server.loop_executor(0));
  // After the listeners bound: a start-up that fails on a taken port must not
  // have created (and shown the password of) an account first.
  if (auth && config.auth.seed_admin) {
    std::optional<std::string> admin_password;
    if (const char* from_environment = std::getenv("ORDERLY_ADMIN_PASSWORD"); from_environment && *from_environment) {
      admin_password = from_environment;
    }
    try {
      core::run_sync(auth->seed_admin(std::move(admin_password)));
    } catch (const std::exception& error) {
      std::cerr << "orderly: auth: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
  }
  server.start();
  if (membership && !selection.is_worker()) {
    try {
      for (const auto& name : selection.names) {
        membership->advertise(registry::Instance{
            name, name + "-" + core::random_hex(random, 8),
            public_pipeline ? RegistryMembership::advertised(config, server.bound_address("listen")) : std::string(),
            internal_pipeline ? RegistryMembership::advertised(config, server.bound_address("internal_listen"))
                              : std::string(),
            kVersion});
      }
    } catch (const core::ConfigError& error) {
      std::cerr << "orderly: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
    membership->start_advertising();
  }
  if (!auth && remote) jwks_refresh.start(server.loop_executor(0));
  workers.start();
  std::string hosted = selection.is_worker() ? "worker:" + selection.worker : "";
  if (!selection.is_worker()) {
    for (const auto& name : selection.names) hosted += (hosted.empty() ? "" : ",") + name;
  }
  core::log::info("server.started",
                  {{"version", kVersion},
                   {"services", hosted},
                   {"listen", public_pipeline ? server.bound_address("listen").to_string() : std::string("-")},
                   {"queues", messaging->kind()},
                   {"ops_listen", server.bound_address("ops_listen").to_string()},
                   {"internal_listen",
                    internal_pipeline ? server.bound_address("internal_listen").to_string() : std::string("-")},
                   {"threads", threads},
                   {"data_dir", config.data_dir},
                   {"pid", ::getpid()}});
  core::log::flush();

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  core::log::info("server.draining", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
                                      {"grace_ms", config.http.drain_grace.count()}});
  health.set_draining();
  // Out of the registry first, so the gateway and the clients stop sending here.
  if (membership) membership->deregister(config.http.drain_grace);
  if (config.http.drain_delay.count() > 0) {
    // Still serving, but /readyz answers 503 "draining": load balancers that
    // poll it take this instance out before its listeners close.
    std::this_thread::sleep_for(config.http.drain_delay);
  }
  jwks_refresh.stop(config.http.drain_grace);
  const auto unfinished = server.drain(config.http.drain_grace);
  workers.stop(config.http.drain_grace);
  if (unfinished > 0) {
    core::log::warn("server.drain_incomplete", {{"connections_cut", unfinished}});
  }
  if (notify) notify->stop();  // finishes the messages in flight
  orders.reset();  // its saga runner stops before the clients it calls go away
  core::log::info("server.stopped", {{"clean", unfinished == 0}});
  core::log::stop();
  return 0;
}

}  // namespace orderly::app
