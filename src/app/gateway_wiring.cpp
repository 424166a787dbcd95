#include "app/gateway_wiring.hpp"

#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "app/http_stack.hpp"
#include "app/registry_membership.hpp"
#include "app/registry_upstreams.hpp"
#include "app/shared_redis.hpp"
#include "app/version.hpp"
#include "auth/access.hpp"
#include "auth/authenticate_middleware.hpp"
#include "cache/redis_client.hpp"
#include "core/logging.hpp"
#include "core/process_metrics.hpp"
#include "gateway/gateway.hpp"
#include "gateway/health_checker.hpp"
#include "gateway/https_redirect.hpp"
#include "net/health.hpp"
#include "net/http_server.hpp"

namespace orderly::app {
namespace {

constexpr int kStartupError = 2;

net::Handler upstreams_handler(const gateway::Gateway& gateway) {
  return [&gateway](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
    co_return net::Response::json(200, boost::json::serialize(gateway.describe_upstreams()));
  };
}

void add_metrics_endpoint(net::Router& router, const core::metrics::Registry& metrics) {
  router.add("GET", "/metrics",
             [&metrics](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
               co_return net::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
             });
}

sigset_t gateway_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  return signals;
}

// The gateway's own background work (active health checks) on one small loop
// of its own, so it never competes with a request loop.
class ControlLoop {
 public:
  explicit ControlLoop(gateway::Gateway& gateway) {
    boost::asio::co_spawn(context_, gateway::run_health_checks(gateway), boost::asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  ~ControlLoop() {
    context_.stop();
    thread_.join();
  }
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

 private:
  boost::asio::io_context context_{1};
  std::thread thread_;
};

}  // namespace

int run_gateway(const std::string& gateway_file, const core::Config& settings) {
  const auto signals = gateway_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  gateway::GatewayConfig config;
  try {
    config = gateway::load_gateway_config(gateway_file);
  } catch (const core::ConfigError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
    return kStartupError;
  }

  core::log::start(core::log::parse_level(settings.log.level));
  core::SystemClock clock;
  core::FastRandom random;
  core::metrics::Registry metrics;
  core::metrics::register_process_metrics(metrics);
  metrics.gauge("orderly_build_info", "Always 1; the version is a label.", {"version"}).with_labels({kVersion}).set(1);

  const auto listeners = config.listeners;
  const auto ops_listen = config.ops_listen;
  const unsigned threads = settings.threads != 0   ? settings.threads
                           : config.threads != 0 ? config.threads
                                                 : std::max(1U, std::thread::hardware_concurrency());
  // Rate limits shared between gateway replicas live in this Redis.
  std::unique_ptr<cache::RedisClient> redis;
  if (config.redis) {
    try {
      redis = std::make_unique<cache::RedisClient>(redis_options(*config.redis), clock);
    } catch (const std::invalid_argument& error) {
      std::cerr << "orderly: " << gateway_file << ": redis: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
  }
  std::unique_ptr<gateway::Gateway> gateway_holder;
  try {
    gateway_holder = std::make_unique<gateway::Gateway>(
        std::move(config),
        gateway::GatewayDependencies{clock, random, metrics, redis.get(),
                                     auth::VerifierOptions{settings.auth.issuer, settings.auth.audience,
                                                           std::chrono::duration_cast<std::chrono::seconds>(
                                                               settings.auth.leeway)}});
  } catch (const core::ConfigError& error) {
    std::cerr << "orderly: " << gateway_file << ": " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }
  auto& gateway = *gateway_holder;
  // Upstreams with `registry: SERVICE` follow etcd (registry.etcd).
  std::unique_ptr<RegistryUpstreams> registry_upstreams;
  std::unique_ptr<RegistryMembership> membership;
  if (RegistryUpstreams::any(gateway.snapshot()->config)) {
    try {
      membership = RegistryMembership::from_config(settings, clock);
    } catch (const core::ConfigError& error) {
      std::cerr << "orderly: " << error.what() << "\n";
      core::log::stop();
      return kStartupError;
    }
    if (!membership) {
      std::cerr << "orderly: " << gateway_file << ": an upstream follows the registry, but registry.etcd is not set\n";
      core::log::stop();
      return kStartupError;
    }
    registry_upstreams = std::make_unique<RegistryUpstreams>(gateway, gateway.snapshot()->config);
    membership->follow([&registry_upstreams](const registry::Directory& directory) {
      registry_upstreams->on_directory(directory);
    });
    if (!membership->start_following(std::chrono::seconds(3))) {
      core::log::warn("registry.not_read_yet", {{"etcd", settings.registry.etcd}});
    }
  }

  net::HealthRegistry health;
  net::Router public_router;
  health.install(public_router);
  // The public pipeline verifies no token itself (proxied routes are checked
  // by the gateway middleware), so this route does.
  public_router.add("GET", "/api/v1/admin/upstreams",
                    auth::authenticated(std::make_shared<auth::AuthenticateMiddleware>(gateway.verifier(), metrics),
                                        auth::require_role("admin", upstreams_handler(gateway))));
  // TLS and plaintext listeners share the pipeline (context.secure tells them apart).
  PublicPipeline public_pipeline(public_router, settings, metrics, clock, random);
  public_pipeline.pipeline.use(std::make_shared<gateway::GatewayMiddleware>(gateway));
  std::unique_ptr<net::Pipeline> redirect_pipeline;

  net::Router ops_router;
  health.install(ops_router);
  add_metrics_endpoint(ops_router, metrics);
  // The operations listener is on loopback by default: no token needed there.
  ops_router.add("GET", "/api/v1/admin/upstreams", upstreams_handler(gateway));
  const auto ops_pipeline = make_ops_pipeline(ops_router, random);

  net::HttpServer server(threads, settings.http, metrics, clock);
  try {
    // TLS listeners first: a redirecting plaintext listener needs their port.
    std::uint16_t https_port = 0;
    for (const auto& listener : listeners) {
      if (!listener.tls) continue;
      const net::TlsFiles files{listener.tls->certificate_file, listener.tls->private_key_file};
      server.add_listener(listener.name, listener.address, public_pipeline.pipeline, true, &files);
      if (https_port == 0) https_port = server.bound_address(listener.name).port;
    }
    for (const auto& listener : listeners) {
      if (listener.tls) continue;
      if (listener.redirect_to_https) {
        if (https_port == 0) {
          std::cerr << "orderly: " << gateway_file << ": listener " << listener.name
                    << ": redirect_to_https needs a TLS listener\n";
          core::log::stop();
          return kStartupError;
        }
        if (!redirect_pipeline) {
          redirect_pipeline = make_ops_pipeline(public_router, random);  // ids and tracing, then the redirect
          redirect_pipeline->use(std::make_shared<gateway::HttpsRedirectMiddleware>(https_port));
        }
        server.add_listener(listener.name, listener.address, *redirect_pipeline, true);
      } else {
        server.add_listener(listener.name, listener.address, public_pipeline.pipeline, true);
      }
    }
    server.add_listener("ops_listen", ops_listen, *ops_pipeline, false);
  } catch (const net::BindError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
    core::log::stop();
    return kStartupError;
  }
  server.start();
  ControlLoop control(gateway);
  boost::json::object listening;
  for (const auto& listener : listeners) listening[listener.name] = server.bound_address(listener.name).to_string();
  core::log::info("server.started", {{"version", kVersion},
                                     {"mode", "gateway"},
                                     {"listen", server.bound_address(listeners.front().name).to_string()},
                                     {"listeners", std::move(listening)},
                                     {"ops_listen", server.bound_address("ops_listen").to_string()},
                                     {"threads", threads},
                                     {"config", gateway_file},
                                     {"pid", ::getpid()}});
  core::log::flush();

  int signal_number = 0;
  while (true) {
    sigwait(&signals, &signal_number);
    if (signal_number != SIGHUP) break;
    try {
      auto reloaded = gateway::load_gateway_config(gateway_file);
      if (registry_upstreams) {
        registry_upstreams->on_reload(std::move(reloaded));
      } else {
        gateway.apply(std::move(reloaded));
      }
      core::log::info("gateway.reloaded", {{"config", gateway_file}});
    } catch (const core::ConfigError& error) {
      core::log::error("gateway.reload_refused", {{"config", gateway_file}, {"error", error.what()}});
    }
    core::log::flush();
  }
  core::log::info("server.draining", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
                                      {"grace_ms", settings.http.drain_grace.count()}});
  health.set_draining();
  const auto unfinished = server.drain(settings.http.drain_grace);
  core::log::info("server.stopped", {{"clean", unfinished == 0}});
  core::log::stop();
  return 0;
}

}  // namespace orderly::app
