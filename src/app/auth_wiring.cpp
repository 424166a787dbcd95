#include "app/auth_wiring.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "auth/admin_seed.hpp"
#include "auth/auth_routes.hpp"
#include "auth/mfa_routes.hpp"
#include "auth/password_routes.hpp"
#include "auth/admin_user_routes.hpp"
#include "auth/audit_routes.hpp"
#include "auth/session_routes.hpp"
#include "auth/verification_routes.hpp"
#include "auth/authenticate_middleware.hpp"
#include "auth/internal_token_routes.hpp"
#include "auth/internal_user_routes.hpp"
#include "core/logging.hpp"
#include "core/run_sync.hpp"
#include "net/http_server.hpp"
#include "core/secret_file.hpp"
#include "resilience/redis_rate_limiter.hpp"
#include "resilience/token_bucket_limiter.hpp"

namespace orderly::app {
namespace {

std::chrono::seconds whole_seconds(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration);
}

// In Redis when the process shares one, so every auth instance counts the
// same attempts (fail closed: while Redis cannot count, attempts are refused
// rather than left unlimited for a guesser), else in this process.
std::unique_ptr<resilience::RateLimiter> auth_limiter(std::string name, const core::RateSetting& rate,
                                                      const core::Clock& clock, core::metrics::Registry& metrics,
                                                      SharedRedis* shared_redis) {
  resilience::RateLimitPolicy policy{std::move(name), rate.limit, rate.window};
  if (shared_redis != nullptr) {
    return std::make_unique<resilience::RedisRateLimiter>(
        std::move(policy), shared_redis->client(), clock, metrics,
        resilience::RedisRateLimiterOptions{.failure_mode = resilience::FailureMode::closed});
  }
  return std::make_unique<resilience::TokenBucketLimiter>(std::move(policy), clock, metrics);
}

}  // namespace

std::string load_auth_sealing_key(const core::Config& config, bool create_file) {
  if (const char* from_environment = std::getenv("ORDERLY_AUTH_KEY"); from_environment && *from_environment) {
    return auth::parse_sealing_key(from_environment);
  }
  const auto path = config.auth.key_file.empty() ? (std::filesystem::path(config.data_dir) / "auth.key").string()
                                                 : config.auth.key_file;
  std::function<std::string()> create;
  if (create_file) create = auth::new_sealing_key_text;
  return auth::parse_sealing_key(core::load_secret_file(path, create));
}

AuthComponent::AuthComponent(const core::Config& config, store::Store& store, const core::Clock& clock,
                             core::Random& random, core::metrics::Registry& metrics, SharedRedis* shared_redis,
                             std::shared_ptr<queue::EventOutbox> outbox)
    : config_(config),
      store_(store),
      clock_(clock),
      metrics_(metrics),
      hash_pool_("password_hash", config.auth.hash_threads, config.auth.hash_queue),
      hasher_(hash_pool_, auth::Argon2Params{config.auth.argon2_memory_kib, config.auth.argon2_iterations}),
      signup_hash_pool_("signup_hash", config.auth.signup_hash_threads, config.auth.signup_hash_queue),
      signup_hasher_(signup_hash_pool_,
                     auth::Argon2Params{config.auth.argon2_memory_kib, config.auth.argon2_iterations}),
      keys_(store, load_auth_sealing_key(config, true), clock),
      issuer_(keys_, clock, {config.auth.issuer, config.auth.audience, whole_seconds(config.auth.access_token_ttl)}),
      verifier_(keys_, clock, {config.auth.issuer, config.auth.audience, whole_seconds(config.auth.leeway)}),
      users_(store, clock),
      refresh_tokens_(store, clock, whole_seconds(config.auth.refresh_token_ttl)),
      sessions_(store, clock),
      token_versions_(store),
      service_(users_, refresh_tokens_, hasher_, signup_hasher_, issuer_, random),
      mfa_factors_(store, clock),
      mfa_challenges_(store, clock, config.auth.mfa_challenge_ttl),
      mfa_(mfa_factors_, mfa_challenges_, refresh_tokens_, keys_, clock, config.auth.totp_issuer),
      login_per_address_(
          auth_limiter("login-per-address", config.auth.login_per_address, clock, metrics, shared_redis)),
      login_per_account_and_address_(auth_limiter("login-per-account-and-address",
                                                  config.auth.login_per_account_and_address, clock, metrics,
                                                  shared_redis)),
      login_per_account_(
          auth_limiter("login-per-account", config.auth.login_per_account, clock, metrics, shared_redis)),
      throttle_(*login_per_address_, *login_per_account_and_address_, *login_per_account_),
      signup_per_address_(
          auth_limiter("signup-per-address", config.auth.signup_per_address, clock, metrics, shared_redis)),
      reset_per_address_(auth_limiter("password-reset-per-address", config.auth.reset_per_address, clock, metrics,
                                      shared_redis)),
      reset_per_account_(auth_limiter("password-reset-per-account", config.auth.reset_per_account, clock, metrics,
                                      shared_redis)),
      verification_resend_per_account_(auth_limiter("verification-resend-per-account",
                                                    config.auth.verification_resend_per_account, clock, metrics,
                                                    shared_redis)),
      audit_(store, clock, metrics),
      outbox_(std::move(outbox)) {
  metrics.gauge_callback("orderly_auth_hash_pool_load", "Password hashes running or waiting.",
                         [this] { return static_cast<double>(hash_pool_.load()); });
}

boost::asio::awaitable<void> AuthComponent::load_keys() {
  co_await keys_.load();
  core::log::info("auth.keys_loaded", {{"signing_kid", keys_.signing_key().kid},
                                       {"verification_keys", keys_.verification_keys().size()}});
}

boost::asio::awaitable<void> AuthComponent::seed_admin(std::optional<std::string> configured_password) {
  const auto generated = co_await auth::seed_admin(service_, std::move(configured_password));
  if (generated) {
    std::cerr << "orderly: created " << auth::kSeedAdminEmail << " with password " << *generated
              << " (shown once; set ORDERLY_ADMIN_PASSWORD to choose it)\n";
    core::log::info("auth.admin_seeded", {{"email", auth::kSeedAdminEmail}, {"password", "generated"}});
  }
}

void AuthComponent::start_key_reload(boost::asio::any_io_executor loop) {
  auto reload = [this, loop]() -> boost::asio::awaitable<void> {
    boost::asio::steady_timer timer(loop);
    for (;;) {
      timer.expires_after(config_.auth.key_reload_interval);
      co_await timer.async_wait(boost::asio::use_awaitable);
      try {
        co_await keys_.load();
      } catch (const std::exception& error) {
        // The snapshot in memory keeps serving; the next turn tries again.
        core::log::error("auth.keys_reload_failed", {{"error", error.what()}});
      }
    }
  };
  boost::asio::co_spawn(loop, std::move(reload), boost::asio::detached);
}

void AuthComponent::start(net::HttpServer& server) {
  start_key_reload(server.loop_executor(0));
  if (!config_.auth.seed_admin) return;
  std::optional<std::string> admin_password;
  if (const char* from_environment = std::getenv("ORDERLY_ADMIN_PASSWORD"); from_environment && *from_environment) {
    admin_password = from_environment;
  }
  core::run_sync(seed_admin(std::move(admin_password)));
}

void AuthComponent::add_routes(Routes& routes) {
  auto& router = routes.public_api;
  auth::add_internal_user_routes(routes.internal, token_versions_);
  if (service_tokens_ != nullptr) auth::add_internal_token_routes(routes.internal, *service_tokens_, keys_);
  verifications_ = std::make_unique<auth::EmailVerifications>(store_, *outbox_, clock_, config_.auth.public_url,
                                                              config_.auth.verification_ttl);
  auth::add_auth_routes(router,
                        {service_, keys_, throttle_, *signup_per_address_, metrics_, *verifications_, audit_, mfa_});
  auth::add_mfa_routes(router, {mfa_, service_, throttle_, metrics_, audit_});
  auth::add_session_routes(router, {sessions_, verifier_, audit_});
  auth::add_verification_routes(router, {*verifications_, users_, *verification_resend_per_account_, metrics_, audit_});
  auth::add_audit_routes(router, audit_);
  auth::add_admin_user_routes(router, store_);
  password_resets_ = std::make_unique<auth::PasswordResets>(store_, *outbox_, clock_, config_.auth.public_url);
  passwords_ = std::make_unique<auth::PasswordService>(users_, refresh_tokens_, *password_resets_, hasher_,
                                                       signup_hasher_);
  auth::add_password_routes(router,
                            {*passwords_, throttle_, *reset_per_address_, *reset_per_account_, metrics_, audit_});
}

std::shared_ptr<net::Middleware> AuthComponent::authenticate_middleware() {
  return std::make_shared<auth::AuthenticateMiddleware>(
      verifier_, metrics_, &token_versions_,
      auth::AuthenticateOptions{.require_mfa_for_admin = config_.auth.require_mfa_for_admin});
}

}  // namespace orderly::app
