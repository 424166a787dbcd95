#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "app/component.hpp"
#include "app/shared_redis.hpp"
#include "auth/audit_log.hpp"
#include "auth/auth_service.hpp"
#include "auth/email_verifications.hpp"
#include "auth/key_ring.hpp"
#include "auth/login_throttle.hpp"
#include "auth/mfa_challenges.hpp"
#include "auth/mfa_service.hpp"
#include "auth/password_hasher.hpp"
#include "auth/password_resets.hpp"
#include "auth/password_service.hpp"
#include "auth/refresh_tokens.hpp"
#include "auth/service_tokens.hpp"
#include "auth/sessions.hpp"
#include "auth/store_user_directory.hpp"
#include "auth/token_issuer.hpp"
#include "auth/token_verifier.hpp"
#include "auth/totp_factors.hpp"
#include "auth/user_store.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/blocking_pool.hpp"
#include "net/pipeline.hpp"
#include "net/router.hpp"
#include "queue/event_outbox.hpp"
#include "resilience/rate_limiter.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The sealing key of the token-signing keys: ORDERLY_AUTH_KEY when set,
// else auth.key_file (default <data_dir>/auth.key), made on first use when
// `create_file`. Throws core::SecretFileError or std::invalid_argument.
[[nodiscard]] std::string load_auth_sealing_key(const core::Config& config, bool create_file);

// Auth for one process, built in dependency order from its config section
// (members are destroyed in reverse). Other modules see only what it hands
// out: the verifier and the middleware that fills context.principal.
class AuthComponent final : public Component {
 public:
  // With `shared_redis` (scale-out), the login limits are counted in Redis,
  // so every auth instance sees the same attempts; else in this process.
  // `outbox`: where account mails (password reset, e-mail verification) are
  // written, in the transaction of their token.
  AuthComponent(const core::Config& config, store::Store& store, const core::Clock& clock, core::Random& random,
                core::metrics::Registry& metrics, SharedRedis* shared_redis,
                std::shared_ptr<queue::EventOutbox> outbox);
  // Loads (or makes) the signing keys, before anything verifies or signs a
  // token. Throws std::runtime_error when the keys cannot be unsealed.
  boost::asio::awaitable<void> load_keys();
  // Scale-out: auth also issues the other services' credentials on its
  // internal API. Before the component is added.
  void issue_service_tokens(const auth::ServiceTokens& tokens) { service_tokens_ = &tokens; }

  [[nodiscard]] std::string_view name() const override { return "auth"; }
  // Public: the Auth and Accounts rows of API.md; internal: users and
  // token versions (and service credentials when issued here).
  void add_routes(Routes& routes) override;
  // Rereads the keys every auth.key_reload_interval (a rotation made by
  // `orderly keys rotate` or another instance is seen) and, with
  // auth.seed_admin, creates admin@orderly.local once (its generated
  // password shown once, on stderr, never in the log). After the listeners
  // bound: a start that fails on a taken port must not have made an account.
  void start(net::HttpServer& server) override;

  [[nodiscard]] std::shared_ptr<net::Middleware> authenticate_middleware();
  [[nodiscard]] const auth::TokenVerifier& verifier() const { return verifier_; }
  [[nodiscard]] const auth::KeyRing& keys() const { return keys_; }
  // Embedded mode: the orders module's directory of users, in-process.
  [[nodiscard]] auth::UserDirectory& users() { return token_versions_; }

 private:
  boost::asio::awaitable<void> seed_admin(std::optional<std::string> configured_password);
  void start_key_reload(boost::asio::any_io_executor loop);

  const core::Config& config_;
  store::Store& store_;
  const core::Clock& clock_;
  core::metrics::Registry& metrics_;
  net::BlockingPool hash_pool_;
  auth::PasswordHasher hasher_;
  net::BlockingPool signup_hash_pool_;  // signup's own threads: a flood of it cannot take the login threads
  auth::PasswordHasher signup_hasher_;
  auth::KeyRing keys_;
  auth::TokenIssuer issuer_;
  auth::TokenVerifier verifier_;
  auth::UserStore users_;
  auth::RefreshTokens refresh_tokens_;
  auth::Sessions sessions_;
  auth::StoreUserDirectory token_versions_;
  auth::AuthService service_;
  auth::TotpFactors mfa_factors_;
  auth::MfaChallenges mfa_challenges_;
  auth::MfaService mfa_;
  std::unique_ptr<resilience::RateLimiter> login_per_address_;
  std::unique_ptr<resilience::RateLimiter> login_per_account_and_address_;
  std::unique_ptr<resilience::RateLimiter> login_per_account_;
  auth::LoginThrottle throttle_;
  std::unique_ptr<resilience::RateLimiter> signup_per_address_;
  std::unique_ptr<resilience::RateLimiter> reset_per_address_;
  std::unique_ptr<resilience::RateLimiter> reset_per_account_;
  std::unique_ptr<resilience::RateLimiter> verification_resend_per_account_;
  auth::AuditLog audit_;
  std::shared_ptr<queue::EventOutbox> outbox_;
  const auth::ServiceTokens* service_tokens_ = nullptr;
  std::unique_ptr<auth::PasswordResets> password_resets_;  // made with the routes (they need the outbox)
  std::unique_ptr<auth::PasswordService> passwords_;
  std::unique_ptr<auth::EmailVerifications> verifications_;  // made with the routes (they need the outbox)
};

}  // namespace orderly::app
