#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace orderly::core {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  // "host:port", with IPv6 hosts in brackets.
  [[nodiscard]] std::string to_string() const;
  // Accepts "1.2.3.4:80", "[::1]:80" and "localhost:80"; throws std::invalid_argument.
  [[nodiscard]] static HostPort parse(std::string_view text);
};

struct LogConfig {
  std::string level = "info";  // debug | info | warn | error
  bool access_log = true;      // one event per request
};

struct HttpConfig {
  std::size_t header_limit_bytes = 16 * 1024;  // request line + headers; over it: 431
  std::size_t body_limit_bytes = 1024 * 1024;  // default per route; over it: 413
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  unsigned max_pipelined_requests = 16;
  std::size_t max_connections = 10'000;
  std::size_t max_inflight_requests = 4'096;
  std::chrono::milliseconds drain_grace{15'000};
  std::chrono::milliseconds drain_delay{0};
  // Peers whose X-Forwarded-For is believed (the gateway, a load balancer);
  // empty: the peer address is the client address.
  std::vector<std::string> trusted_proxies;
};

enum class StoreDriver { sqlite, postgres };

struct StoreConfig {
  StoreDriver driver = StoreDriver::sqlite;
  std::string sqlite_path;  // empty: <data_dir>/orderly.db
  unsigned readers = 4;     // SQLite reader connections (and threads)
  std::chrono::milliseconds busy_timeout{5'000};
  std::string postgres_primary;                // postgresql:// URI; required when driver is postgres
  std::vector<std::string> postgres_replicas;  // postgresql:// URIs of streaming replicas, for reads
  // HOST:PORT of the Patroni REST API of each host that postgres_primary
  // lists, in the same order: the primary is the host whose Patroni answers
  // GET /primary with 200. Empty: postgres_primary as libpq connects to it.
  std::vector<HostPort> patroni;
  unsigned postgres_pool_size = 4;             // connections per event loop, per server
  std::chrono::milliseconds postgres_connect_timeout{5'000};
  std::chrono::milliseconds postgres_statement_timeout{30'000};
  std::chrono::milliseconds postgres_acquire_timeout{5'000};  // wait for a free connection of a full pool
};

// "`limit` attempts per `window`", written "20/1m" in settings.
struct RateSetting {
  std::uint64_t limit = 0;
  std::chrono::milliseconds window{0};
};

struct AuthConfig {
  std::string issuer = "orderly";           // iss of access tokens
  std::string audience = "orderly-api";     // aud of access tokens
  std::chrono::milliseconds access_token_ttl{15 * 60 * 1000};
  std::chrono::milliseconds refresh_token_ttl{14LL * 24 * 3600 * 1000};
  std::chrono::milliseconds leeway{30'000};  // clock skew accepted on exp/nbf; at most 60 s
  std::uint32_t argon2_memory_kib = 19456;   // OWASP floor; may only go up
  std::uint32_t argon2_iterations = 2;
  unsigned hash_threads = 2;       // Argon2id threads (each hash holds argon2_memory_kib)
  std::size_t hash_queue = 64;     // hashes waiting beyond that: shed with 503
  std::string key_file;            // sealing key of the signing keys; empty: <data_dir>/auth.key
  std::chrono::milliseconds key_reload_interval{30'000};
  RateSetting login_per_address{20, std::chrono::minutes(1)};
  RateSetting login_per_account_and_address{10, std::chrono::minutes(15)};
  RateSetting login_per_account{100, std::chrono::hours(1)};
  // Signup hashes on a pool of its own, so a signup flood never takes the
  // threads that logins hash on; and each address may sign up this often.
  unsigned signup_hash_threads = 1;
  std::size_t signup_hash_queue = 4;
  RateSetting signup_per_address{20, std::chrono::minutes(10)};
  // Password-reset requests and confirmations per address; reset mails per account.
  RateSetting reset_per_address{10, std::chrono::minutes(15)};
  RateSetting reset_per_account{3, std::chrono::hours(1)};
  std::string public_url = "http://localhost:8080";  // where the links in account mails point
  // E-mail verification: how long a mailed link works, and how often a user may ask for another.
  std::chrono::milliseconds verification_ttl{24LL * 3600 * 1000};
  RateSetting verification_resend_per_account{3, std::chrono::hours(1)};
  bool seed_admin = true;  // embedded mode: create admin@orderly.local on first start
  // Multi-factor authentication (TOTP). Off by default so the seeded admin
  // (and existing deployments) keep working until an admin has enrolled.
  bool require_mfa_for_admin = false;  // admin routes refuse (403) an admin token without a second factor
  std::chrono::milliseconds mfa_challenge_ttl{5 * 60 * 1000};  // password matched, code still to come
  std::string totp_issuer = "Orderly";  // the name authenticator apps show
};

// The embedded broker's queues (queue/embedded/embedded_broker.hpp), created
// once by `orderly serve` and shared by every module.
struct QueueConfig {
  std::chrono::milliseconds visibility_timeout{30'000};  // a received message reappears if not acked by then
  unsigned delivery_limit = 5;                           // deliveries before the dead-letter queue
  std::chrono::milliseconds retry_base_delay{500};       // back-off after the first failure, doubling
  std::chrono::milliseconds retry_max_delay{60'000};
  // Scale-out: amqp://user:password@host:port/vhost of RabbitMQ. Events then
  // go through each service's outbox and its relay to RabbitMQ's quorum
  // queues; empty: the queues live in the store (embedded mode). Several
  // nodes of one cluster: their URIs separated by commas (the client moves to
  // another node when its node dies).
  std::string rabbitmq_uri;
  // A publish not confirmed by then (retries on other nodes included) fails;
  // the outbox keeps the event. A lost quorum would otherwise block it.
  std::chrono::milliseconds rabbitmq_confirm_timeout{5'000};
  // The queues this process declares whenever it connects; empty: every
  // platform queue. A RabbitMQ user allowed only its own queues lists them.
  std::vector<std::string> rabbitmq_queues;
};

// Scale-out: the Redis that instances share for the product cache and the
// login limits. Its password is a secret, ORDERLY_REDIS_PASSWORD, not a setting.
struct CacheConfig {
  std::string redis;  // HOST:PORT; empty: in-process cache and limits (embedded mode)
  // High availability: the primary is found through these Sentinels (and
  // found again after a failover) instead of cache.redis. Their password, if
  // any, is ORDERLY_REDIS_SENTINEL_PASSWORD.
  std::vector<HostPort> redis_sentinels;
  std::string redis_master = "orderly";  // the name the Sentinels monitor the primary under
  std::string redis_user;  // ACL user (with ORDERLY_REDIS_PASSWORD); empty: the default user
};

// Scale-out: the etcd where instances register themselves and where the
// gateway and the service clients find them (src/registry).
struct RegistryConfig {
  // HOST:PORT of etcd's client port, or several members' separated by
  // commas (a call moves to the next when one fails); empty: static instance lists only.
  std::string etcd;
  std::string prefix = "/orderly/";  // every key of this platform starts with it
  std::chrono::milliseconds ttl{5'000};  // a killed instance leaves the registry this long after it died
  std::chrono::milliseconds poll_interval{1'000};  // how often followers read the registry
  // The host this process's listeners are reachable at, as registered; empty:
  // the host of each listen address (which must then not be 0.0.0.0 or ::).
  std::string advertise_host;

  // The members listed in `etcd`, in order; throws std::invalid_argument on a bad one.
  [[nodiscard]] std::vector<HostPort> etcd_endpoints() const;
};

enum class EmailChannelKind { maildir, smtp };

// The email worker and its channel (src/notify).
struct NotifyConfig {
  bool email_worker = true;                // run the email worker inside `orderly serve`
  unsigned worker_concurrency = 2;         // messages handled at once
  std::chrono::milliseconds poll_interval{500};
  EmailChannelKind channel = EmailChannelKind::maildir;  // maildir: <data_dir>/maildir; smtp: the server below
  std::string from_address = "orders@orderly.local";
  std::string from_name = "Orderly";
  std::string smtp_host = "localhost";
  std::uint16_t smtp_port = 25;
  std::chrono::milliseconds smtp_connect_timeout{5'000};
  std::chrono::milliseconds smtp_timeout{30'000};
};

struct CatalogConfig {
  std::chrono::milliseconds cache_ttl{60'000};   // a cached product is at most this stale after a missed invalidation
  std::size_t cache_bytes = 16 * 1024 * 1024;    // the embedded product cache's bound
  bool seed_sample_products = true;              // `serve` adds sample products on a fresh database
  std::size_t import_body_limit_bytes = 10 * 1024 * 1024;  // largest CSV accepted by POST /products/import
  unsigned import_batch_size = 200;              // CSV records per transaction (progress is saved per batch)
  unsigned import_max_errors = 1000;             // per-line errors kept per job (all are counted)
  std::chrono::milliseconds worker_poll_interval{250};  // bulk worker's wait when its queue is empty
  bool bulk_worker = true;  // run the bulk (CSV import) worker in the catalog service's process
  std::chrono::milliseconds reservation_sweep_interval{30'000};  // expiry of stock reservations never confirmed
};

struct PaymentsConfig {
  std::string vault_key_file;                            // empty: <data_dir>/vault.keys
  std::chrono::milliseconds vault_key_recheck{10'000};   // how often a server looks for a rotated key file
  unsigned rotate_batch_size = 200;                      // cards re-encrypted per transaction by `vault rotate`
  std::chrono::milliseconds provider_timeout{1'000};     // per call to the payment provider
  std::chrono::milliseconds simulator_slow_answer{3'000};  // the slow test card's first answer
  unsigned simulator_transient_failures = 1;               // failed tries per key of the transient test card
  std::string provider;                       // HOST:PORT of `orderly provider-sim`; empty: the in-process simulator
  unsigned provider_attempts = 3;             // tries per remote call, all with the caller's idempotency key
  unsigned provider_breaker_failures = 5;     // failures in a row that open the provider's circuit breaker
  std::chrono::milliseconds provider_breaker_cool_down{5'000};  // open this long before a probe
  std::string simulator_journal;  // the simulator's answers; empty: <data_dir>/provider-sim/ledger.jsonl, "off": memory
};

// Orders: idempotency keys, the checkout saga and its jobs (src/orders/).
struct OrdersConfig {
  std::chrono::milliseconds idempotency_retention{24 * 3'600'000};  // answers kept at least this long
  std::chrono::milliseconds idempotency_lease{30'000};  // an in-progress key older than this may be retaken
  std::chrono::milliseconds reservation_timeout{15 * 60'000};  // pending_payment longer than this expires
  std::chrono::milliseconds maintenance_interval{30'000};      // expiry and key clean-up sweeps
  unsigned saga_max_attempts = 6;          // transient provider errors per step before payment_failed
  std::chrono::milliseconds saga_backoff_base{200};
  std::chrono::milliseconds saga_backoff_max{30'000};
  std::chrono::milliseconds saga_lease{60'000};  // how long a runner owns a claimed saga without progress
  std::chrono::milliseconds saga_poll_interval{1'000};
  unsigned saga_concurrency = 64;  // sagas run at once by one process
  bool require_verified_email = false;  // checkout refuses (403) an account whose e-mail is not verified
  // GET /api/v1/orders/{id}/events (orders/order_status_stream.hpp)
  std::chrono::milliseconds events_heartbeat{15'000};    // a comment line on an idle stream
  std::chrono::milliseconds events_poll_interval{500};   // how often an open stream reads its order
  unsigned events_max_streams = 256;                     // open at once per process; beyond: 503
};

// Everything a user may tune. Components read their section and hand
// configured objects to the code that uses them (STYLE.md).
// Scale-out: where the other services' internal listeners are, and the
// secret a service shows auth to get its service credentials.
struct ServicesConfig {
  std::vector<HostPort> auth;      // empty: auth runs in this process
  std::vector<HostPort> catalog;
  std::vector<HostPort> payments;
  std::string secret_file;         // empty: <data_dir>/internal.secret (ORDERLY_INTERNAL_SECRET overrides)
  std::chrono::milliseconds call_timeout{2'000};  // each try of an internal call
};

// Embedded mode's web pages (web/), served at / (gateway/web_files_middleware).
struct WebConfig {
  std::string root = "web";                          // relative to the working folder; empty: no pages
  std::chrono::milliseconds cache_max_age{300'000};  // assets without a content hash in their name
};

struct Config {
  HostPort listen{"0.0.0.0", 8080};
  HostPort ops_listen{"127.0.0.1", 9090};
  // `orderly service`: the /internal/v1 API, for other services only.
  HostPort internal_listen{"127.0.0.1", 9091};
  ServicesConfig services;
  std::string data_dir = "./data";
  unsigned threads = 0;  // 0: one event loop per core
  LogConfig log;
  HttpConfig http;
  StoreConfig store;
  AuthConfig auth;
  QueueConfig queue;
  CacheConfig cache;
  RegistryConfig registry;
  NotifyConfig notify;
  CatalogConfig catalog;
  PaymentsConfig payments;
  OrdersConfig orders;
  WebConfig web;
};

// A configuration problem, worded as the one line a user sees before exit 2:
// it names the source (file, environment variable or flag) and the key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One key=value from somewhere other than the file; `source` names it for errors.
struct ConfigOverride {
  std::string key;
  std::string value;
  std::string source;  // e.g. "flag --listen", "environment ORDERLY_LISTEN"
};

// Builds the configuration: defaults, then the YAML file (if any), then the
// environment overrides, then the flags, each overriding the one before.
// Throws ConfigError on an unknown key, a bad value or an unreadable file.
[[nodiscard]] Config load_config(const std::optional<std::string>& file, const std::vector<ConfigOverride>& environment,
                                 const std::vector<ConfigOverride>& flags);

// load_config with the file's YAML text instead of its path (`source` names
// it in errors): what the fuzz target and render/load round trips call.
[[nodiscard]] Config load_config_text(std::string_view yaml, const std::string& source,
                                      const std::vector<ConfigOverride>& environment,
                                      const std::vector<ConfigOverride>& flags);

struct EnvironmentSettings {
  std::vector<ConfigOverride> overrides;
  // ORDERLY_* names that are not settings. Reported, not fatal: Kubernetes
  // injects ORDERLY_SERVICE_HOST, ORDERLY_PORT, ... for a Service named orderly.
  std::vector<std::string> ignored;
};

// ORDERLY_* variables of `environ` as overrides (ORDERLY_HTTP_IDLE_TIMEOUT ->
// http.idle_timeout). ORDERLY_CONFIG (the file) and the secrets
// (ORDERLY_ADMIN_PASSWORD, ORDERLY_AUTH_KEY, ORDERLY_VAULT_KEYS,
// ORDERLY_REDIS_PASSWORD) are not
// settings and are skipped.
[[nodiscard]] EnvironmentSettings environment_overrides(char** environ);

// Parses "key=value" (the --set flag); throws ConfigError.
[[nodiscard]] ConfigOverride parse_set_flag(std::string_view text);

// The defaults as a commented YAML file, loadable by load_config.
[[nodiscard]] std::string render_config(const Config& config);

// The environment variable that sets `key`.
[[nodiscard]] std::string environment_name(std::string_view key);

}  // namespace orderly::core
