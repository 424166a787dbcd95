#include "app/gateway_wiring.hpp"

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>

#include "app/http_stack.hpp"
#include "app/process_runner.hpp"
#include "app/registry_membership.hpp"
#include "app/registry_upstreams.hpp"
#include "app/shared_redis.hpp"
#include "auth/access.hpp"
#include "auth/authenticate_middleware.hpp"
#include "cache/redis_client.hpp"
#include "core/logging.hpp"
#include "gateway/gateway.hpp"
#include "gateway/health_checker.hpp"
#include "gateway/https_redirect.hpp"
#include "net/http_server.hpp"

namespace orderly::app {
namespace {

net::Handler upstreams_handler(const gateway::Gateway& gateway) {
  return [&gateway](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
    co_return net::Response::json(200, boost::json::serialize(gateway.describe_upstreams()));
  };
}

// The gateway's own background work (active health checks) on one small loop
// of its own, so it never competes with a request loop.
class ControlLoop final : public Component {
 public:
  explicit ControlLoop(gateway::Gateway& gateway) : gateway_(gateway) {}
  ~ControlLoop() override { ControlLoop::stop(std::chrono::milliseconds(0)); }
  ControlLoop(const ControlLoop&) = delete;
  ControlLoop& operator=(const ControlLoop&) = delete;

  [[nodiscard]] std::string_view name() const override { return "gateway.health_checks"; }
  void start(net::HttpServer& /*server*/) override {
    boost::asio::co_spawn(context_, gateway::run_health_checks(gateway_), boost::asio::detached);
    thread_ = std::thread([this] { context_.run(); });
  }
  void stop(std::chrono::milliseconds /*grace*/) override {
    context_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  gateway::Gateway& gateway_;
  boost::asio::io_context context_{1};
  std::thread thread_;
};

// Upstreams with `registry: SERVICE` follow etcd (registry.etcd).
std::unique_ptr<RegistryMembership> follow_registry(const std::string& gateway_file, const core::Config& settings,
                                                    gateway::Gateway& gateway,
                                                    std::unique_ptr<RegistryUpstreams>& upstreams,
                                                    const core::Clock& clock) {
  if (!RegistryUpstreams::any(gateway.snapshot()->config)) return nullptr;
  auto membership = RegistryMembership::from_config(settings, clock);
  if (!membership) {
    throw StartupError(gateway_file + ": an upstream follows the registry, but registry.etcd is not set");
  }
  upstreams = std::make_unique<RegistryUpstreams>(gateway, gateway.snapshot()->config);
  membership->follow([&upstreams](const registry::Directory& directory) { upstreams->on_directory(directory); });
  if (!membership->start_following(std::chrono::seconds(3))) {
    core::log::warn("registry.not_read_yet", {{"etcd", settings.registry.etcd}});
  }
  return membership;
}

}  // namespace

int run_gateway(const std::string& gateway_file, const core::Config& settings) {
  return run_role([&] {
    auto config = gateway::load_gateway_config(gateway_file);
    ProcessRunner runner(settings, settings.threads != 0 ? settings.threads : config.threads);
    core::FastRandom random;
    auto& metrics = runner.metrics();
    const auto listeners = config.listeners;
    const auto ops_listen = config.ops_listen;
    // Rate limits shared between gateway replicas live in this Redis.
    std::unique_ptr<cache::RedisClient> redis;
    if (config.has_redis()) {
      try {
        auto options = config.redis ? redis_options(*config.redis)
                                    : sentinel_redis_options(config.redis_sentinel->sentinels,
                                                             config.redis_sentinel->master, config.redis_sentinel->user);
        redis = std::make_unique<cache::RedisClient>(std::move(options), runner.clock());
      } catch (const std::invalid_argument& error) {
        throw StartupError(gateway_file + ": redis: " + error.what());
      }
    }
    std::unique_ptr<gateway::Gateway> gateway_holder;
    try {
      gateway_holder = std::make_unique<gateway::Gateway>(
          std::move(config),
          gateway::GatewayDependencies{runner.clock(), random, metrics, redis.get(),
                                       auth::VerifierOptions{settings.auth.issuer, settings.auth.audience,
                                                             std::chrono::duration_cast<std::chrono::seconds>(
                                                                 settings.auth.leeway)}});
    } catch (const core::ConfigError& error) {
      throw StartupError(gateway_file + ": " + error.what());
    }
    auto& gateway = *gateway_holder;
    std::unique_ptr<RegistryUpstreams> registry_upstreams;
    const auto membership = follow_registry(gateway_file, settings, gateway, registry_upstreams, runner.clock());

    auto& public_router = runner.routes().public_api;
    // The public pipeline verifies no token itself (proxied routes are checked
    // by the gateway middleware), so this route does.
    public_router.add("GET", "/api/v1/admin/upstreams",
                      auth::authenticated(std::make_shared<auth::AuthenticateMiddleware>(
                                              gateway.verifier(), metrics, nullptr,
                                              auth::AuthenticateOptions{
                                                  .require_mfa_for_admin = settings.auth.require_mfa_for_admin}),
                                          auth::require_role("admin", upstreams_handler(gateway))));
    // TLS and plaintext listeners share the pipeline (context.secure tells them apart).
    PublicPipeline public_pipeline(public_router, settings, metrics, runner.clock(), runner.request_ids());
    public_pipeline.pipeline.use(std::make_shared<gateway::GatewayMiddleware>(gateway));
    std::unique_ptr<net::Pipeline> redirect_pipeline;

    // The operations listener is on loopback by default: no token needed there.
    runner.ops_router().add("GET", "/api/v1/admin/upstreams", upstreams_handler(gateway));

    // TLS listeners first: a redirecting plaintext listener needs their port.
    std::uint16_t https_port = 0;
    for (const auto& listener : listeners) {
      if (!listener.tls) continue;
      const net::TlsFiles files{listener.tls->certificate_file, listener.tls->private_key_file};
      runner.listen(listener.name, listener.address, public_pipeline.pipeline, true, &files);
      if (https_port == 0) https_port = runner.bound_address(listener.name).port;
    }
    for (const auto& listener : listeners) {
      if (listener.tls) continue;
      if (!listener.redirect_to_https) {
        runner.listen(listener.name, listener.address, public_pipeline.pipeline, true);
        continue;
      }
      if (https_port == 0) {
        throw StartupError(gateway_file + ": listener " + listener.name + ": redirect_to_https needs a TLS listener");
      }
      if (!redirect_pipeline) {
        redirect_pipeline = make_ops_pipeline(public_router, runner.request_ids());  // ids and tracing, then the redirect
        redirect_pipeline->use(std::make_shared<gateway::HttpsRedirectMiddleware>(https_port));
      }
      runner.listen(listener.name, listener.address, *redirect_pipeline, true);
    }
    runner.listen_ops(ops_listen);

    ControlLoop control(gateway);
    runner.add(control);
    runner.on_reload([&] {
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
    });
    boost::json::object listening;
    for (const auto& listener : listeners) listening[listener.name] = runner.bound_address(listener.name).to_string();
    boost::json::object started{{"mode", "gateway"},
                                {"listen", runner.bound_address(listeners.front().name).to_string()},
                                {"listeners", std::move(listening)},
                                {"config", gateway_file}};
    return runner.run(std::move(started));
  });
}

}  // namespace orderly::app
