#include "core/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "core/config_values.hpp"

namespace orderly::core {
namespace {

namespace values = config_values;

// One tunable: its dotted key, what it means, and how to read and print it.
// The table below is the single source for the YAML keys, the ORDERLY_*
// variables, `--set` and `config --print-defaults`.
struct Setting {
  std::string_view key;
  std::string_view help;
  std::function<std::string(const Config&)> print;
  std::function<void(Config&, std::string_view)> parse;  // throws std::invalid_argument
};

// `zero_allowed`: 0 means "off" for this setting rather than "expire at once".
template <class Member>
Setting duration_setting(std::string_view key, std::string_view help, Member member, bool zero_allowed = false,
                         std::chrono::milliseconds max = std::chrono::hours(24)) {
  return {key, help, [member](const Config& c) { return values::format_duration(member(c)); },
          [member, zero_allowed, max](Config& c, std::string_view text) {
            // A day bounds every timeout: larger values would overflow deadline
            // arithmetic (steady_clock nanoseconds), turning "wait very long"
            // into "expire at once". Lifetimes (not timeouts) pass a larger max.
            const auto value = values::parse_duration(text);
            if (value.count() < (zero_allowed ? 0 : 1) || value > max) {
              throw std::invalid_argument(fmt::format("expected a duration from {} to {}, got '{}'",
                                                      zero_allowed ? "0s" : "1ms", values::format_duration(max), text));
            }
            member(c) = value;
          }};
}

template <class Member>
Setting size_setting(std::string_view key, std::string_view help, Member member, std::size_t min, std::size_t max) {
  return {key, help, [member](const Config& c) { return values::format_size(member(c)); },
          [member, min, max](Config& c, std::string_view text) {
            const auto value = values::parse_size(text);
            if (value < min || value > max) {
              throw std::invalid_argument(fmt::format("expected a size from {} to {}, got '{}'",
                                                      values::format_size(min), values::format_size(max), text));
            }
            member(c) = value;
          }};
}

template <class Member>
Setting unsigned_setting(std::string_view key, std::string_view help, Member member, std::uint64_t min,
                         std::uint64_t max) {
  return {key, help, [member](const Config& c) { return fmt::format("{}", member(c)); },
          [member, min, max](Config& c, std::string_view text) {
            using Value = std::remove_reference_t<decltype(member(c))>;
            member(c) = static_cast<Value>(values::parse_unsigned(text, min, max));
          }};
}

// "20/1m": at most 20 per minute.
template <class Member>
Setting rate_setting(std::string_view key, std::string_view help, Member member) {
  return {key, help,
          [member](const Config& c) {
            return fmt::format("{}/{}", member(c).limit, values::format_duration(member(c).window));
          },
          [member](Config& c, std::string_view text) {
            const auto slash = text.find('/');
            if (slash == std::string_view::npos) {
              throw std::invalid_argument(fmt::format("expected count/window such as 20/1m, got '{}'", text));
            }
            RateSetting rate;
            rate.limit = values::parse_unsigned(text.substr(0, slash), 1, 1'000'000'000);
            rate.window = values::parse_duration(text.substr(slash + 1));
            if (rate.window.count() < 1 || rate.window > std::chrono::hours(24)) {
              throw std::invalid_argument(fmt::format("expected a window from 1ms to 24h, got '{}'", text));
            }
            member(c) = rate;
          }};
}

template <class Member>
Setting string_setting(std::string_view key, std::string_view help, Member member, bool empty_allowed) {
  return {key, help, [member](const Config& c) { return member(c); },
          [member, empty_allowed](Config& c, std::string_view text) {
            if (!empty_allowed && text.empty()) throw std::invalid_argument("must not be empty");
            member(c) = std::string(text);
          }};
}

template <class Member>
Setting address_setting(std::string_view key, std::string_view help, Member member) {
  return {key, help, [member](const Config& c) { return member(c).to_string(); },
          [member](Config& c, std::string_view text) { member(c) = HostPort::parse(text); }};
}

// The shape of a PostgreSQL URI only (libpq checks the rest when the store
// opens). The value is never repeated in the message: it may hold a password.
void check_postgres_uri(std::string_view uri) {
  const auto scheme_end = uri.find("://");
  const auto scheme = uri.substr(0, scheme_end);
  if (scheme_end == std::string_view::npos || (scheme != "postgresql" && scheme != "postgres") ||
      uri.size() == scheme_end + 3) {
    throw std::invalid_argument("expected a URI such as postgresql://user@host:5432/database");
  }
  if (std::any_of(uri.begin(), uri.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
    throw std::invalid_argument("a PostgreSQL URI cannot contain spaces (percent-encode them)");
  }
  if (uri.back() == ',') throw std::invalid_argument("a comma must be followed by another postgresql:// URI");
}

// Splits at the commas that start another URI: a comma inside one lists
// several hosts (postgresql://a:5432,b:5432/db).
std::vector<std::string> split_postgres_uris(std::string_view text) {
  std::vector<std::string> uris;
  std::size_t start = 0;
  while (start < text.size()) {  // each turn consumes at least one character
    auto end = text.find(',', start);
    while (end != std::string_view::npos && !text.substr(end + 1).starts_with("postgresql://") &&
           !text.substr(end + 1).starts_with("postgres://")) {
      end = text.find(',', end + 1);
    }
    const auto uri = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    check_postgres_uri(uri);
    uris.emplace_back(uri);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return uris;
}

// A list of HOST:PORT separated by commas (spaces ignored); empty: none.
template <class Member>
Setting instances_setting(std::string_view key, std::string_view help, Member member) {
  return {key, help,
          [member](const Config& c) {
            std::string text;
            for (const auto& address : member(c)) {
              if (!text.empty()) text += ",";
              text += address.to_string();
            }
            return text;
          },
          [member](Config& c, std::string_view text) {
            std::vector<HostPort> addresses;
            std::size_t start = 0;
            while (start <= text.size()) {
              const auto end = std::min(text.find(',', start), text.size());
              auto item = text.substr(start, end - start);
              while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
              while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
              if (!item.empty()) addresses.push_back(HostPort::parse(item));
              start = end + 1;
            }
            member(c) = std::move(addresses);
          }};
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> kSettings = {
      address_setting(
          "listen", "Public HTTP listener (API, health).", [](auto& c) -> auto& { return c.listen; }),
      address_setting(
          "ops_listen", "Operations listener (/metrics, health); keep it off the public network.",
          [](auto& c) -> auto& { return c.ops_listen; }),
      address_setting(
          "internal_listen",
          "`orderly service`: the listener of /internal/v1 (other services only, with a service credential).",
          [](auto& c) -> auto& { return c.internal_listen; }),
      {"data_dir", "Folder for embedded-mode data (SQLite file, queue, maildir).",
       [](const Config& c) { return c.data_dir; },
       [](Config& c, std::string_view text) {
         if (text.empty()) throw std::invalid_argument("must not be empty");
         c.data_dir = std::string(text);
       }},
      unsigned_setting(
          "threads", "Event loops (one per core when 0).", [](auto& c) -> auto& { return c.threads; }, 0, 256),
      {"log.level", "Lowest level logged: debug, info, warn or error.", [](const Config& c) { return c.log.level; },
       [](Config& c, std::string_view text) {
         if (text != "debug" && text != "info" && text != "warn" && text != "error") {
           throw std::invalid_argument(fmt::format("expected debug, info, warn or error, got '{}'", text));
         }
         c.log.level = std::string(text);
       }},
      {"log.access_log", "Log one event per HTTP request.",
       [](const Config& c) { return std::string(c.log.access_log ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.log.access_log = values::parse_bool(text); }},
      size_setting(
          "http.header_limit", "Largest request line + headers; larger requests get 431.",
          [](auto& c) -> auto& { return c.http.header_limit_bytes; }, 1024, 1024 * 1024),
      size_setting(
          "http.body_limit", "Default largest request body (routes may set their own); larger gets 413.",
          [](auto& c) -> auto& { return c.http.body_limit_bytes; }, 0, 1024ULL * 1024 * 1024),
      duration_setting(
          "http.header_timeout", "Time a client has to send a whole request header (ends slowloris).",
          [](auto& c) -> auto& { return c.http.header_timeout; }),
      duration_setting(
          "http.idle_timeout", "Time a keep-alive connection may wait for its next request.",
          [](auto& c) -> auto& { return c.http.idle_timeout; }),
      duration_setting(
          "http.body_timeout", "Time a client has to send a request body.",
          [](auto& c) -> auto& { return c.http.body_timeout; }),
      duration_setting(
          "http.write_timeout", "Time a client has to read a response.",
          [](auto& c) -> auto& { return c.http.write_timeout; }),
      unsigned_setting(
          "http.max_pipelined_requests",
          "Requests answered from one burst of pipelined data before the connection is closed.",
          [](auto& c) -> auto& { return c.http.max_pipelined_requests; }, 1, 1024),
      unsigned_setting(
          "http.max_connections", "Open client connections; more are closed at once.",
          [](auto& c) -> auto& { return c.http.max_connections; }, 1, 1'000'000),
      unsigned_setting(
          "http.max_inflight_requests", "Requests being handled at once; more get 503.",
          [](auto& c) -> auto& { return c.http.max_inflight_requests; }, 1, 1'000'000),
      duration_setting(
          "http.drain_grace", "On SIGTERM, how long in-flight requests may take to finish.",
          [](auto& c) -> auto& { return c.http.drain_grace; }),
      duration_setting(
          "http.drain_delay",
          "On SIGTERM, how long to keep serving while /readyz says draining, so load balancers stop "
          "sending first (0s: stop accepting at once).",
          [](auto& c) -> auto& { return c.http.drain_delay; }, true),
      {"store.sqlite_path", "Embedded database file; empty means <data_dir>/orderly.db.",
       [](const Config& c) { return c.store.sqlite_path; },
       [](Config& c, std::string_view text) { c.store.sqlite_path = std::string(text); }},
      unsigned_setting("store.readers", "SQLite reader connections, each on its own thread.",
                       [](auto& c) -> auto& { return c.store.readers; }, 1, 64),
      duration_setting("store.busy_timeout", "How long SQLite waits for a lock held by another process.",
                       [](auto& c) -> auto& { return c.store.busy_timeout; }),
      {"store.driver", "Database: sqlite (embedded, one file) or postgres (a primary and streaming replicas).",
       [](const Config& c) { return std::string(c.store.driver == StoreDriver::postgres ? "postgres" : "sqlite"); },
       [](Config& c, std::string_view text) {
         if (text == "sqlite") {
           c.store.driver = StoreDriver::sqlite;
         } else if (text == "postgres") {
           c.store.driver = StoreDriver::postgres;
         } else {
           throw std::invalid_argument(fmt::format("expected sqlite or postgres, got '{}'", text));
         }
       }},
      {"store.postgres_primary",
       "PostgreSQL primary, as postgresql://user[:password]@host[:port]/database (needed when store.driver is "
       "postgres).",
       [](const Config& c) { return c.store.postgres_primary; },
       [](Config& c, std::string_view text) {
         if (!text.empty()) check_postgres_uri(text);
         c.store.postgres_primary = std::string(text);
       }},
      {"store.postgres_replicas",
       "PostgreSQL streaming replicas that serve reads: postgresql:// URIs separated by commas; empty: none.",
       [](const Config& c) { return fmt::format("{}", fmt::join(c.store.postgres_replicas, ",")); },
       [](Config& c, std::string_view text) { c.store.postgres_replicas = split_postgres_uris(text); }},
      instances_setting("store.patroni",
                        "HOST:PORT of the Patroni REST API of each host of store.postgres_primary, in the same "
                        "order; the store sends its writes to the host whose Patroni says it leads. Empty: none.",
                        [](auto& c) -> auto& { return c.store.patroni; }),
      unsigned_setting(
          "store.postgres_pool_size", "PostgreSQL connections per event loop, to each server.",
          [](auto& c) -> auto& { return c.store.postgres_pool_size; }, 1, 1024),
      duration_setting(
          "store.postgres_connect_timeout", "Time to open a PostgreSQL connection.",
          [](auto& c) -> auto& { return c.store.postgres_connect_timeout; }),
      duration_setting(
          "store.postgres_statement_timeout", "Longest a PostgreSQL statement may run before the server cancels it.",
          [](auto& c) -> auto& { return c.store.postgres_statement_timeout; }),
      duration_setting(
          "store.postgres_acquire_timeout",
          "How long a call waits for a free PostgreSQL connection when the pool is full (then 503).",
          [](auto& c) -> auto& { return c.store.postgres_acquire_timeout; }),
      {"http.trusted_proxies",
       "Comma-separated IP addresses of proxies whose X-Forwarded-For names the client (for per-address limits).",
       [](const Config& c) { return fmt::format("{}", fmt::join(c.http.trusted_proxies, ",")); },
       [](Config& c, std::string_view text) {
         std::vector<std::string> addresses;
         while (!text.empty()) {
           const auto comma = text.find(',');
           auto address = text.substr(0, comma);
           while (!address.empty() && address.front() == ' ') address.remove_prefix(1);
           while (!address.empty() && address.back() == ' ') address.remove_suffix(1);
           in_addr v4{};
           in6_addr v6{};
           const std::string value(address);
           if (inet_pton(AF_INET, value.c_str(), &v4) != 1 && inet_pton(AF_INET6, value.c_str(), &v6) != 1) {
             throw std::invalid_argument(fmt::format("'{}' is not an IP address", value));
           }
           addresses.push_back(value);
           if (comma == std::string_view::npos) break;
           text.remove_prefix(comma + 1);
         }
         c.http.trusted_proxies = std::move(addresses);
       }},
      // auth
      string_setting("auth.issuer", "iss claim of access tokens.", [](auto& c) -> auto& { return c.auth.issuer; },
                     false),
      string_setting("auth.audience", "aud claim of access tokens.", [](auto& c) -> auto& { return c.auth.audience; },
                     false),
      duration_setting("auth.access_token_ttl", "Lifetime of an access token.",
                       [](auto& c) -> auto& { return c.auth.access_token_ttl; }),
      duration_setting(
          "auth.refresh_token_ttl", "Lifetime of a refresh token (each use issues a new one).",
          [](auto& c) -> auto& { return c.auth.refresh_token_ttl; }, false, std::chrono::hours(24 * 365)),
      duration_setting(
          "auth.leeway", "Clock skew accepted on a token's exp and nbf (at most 60s).",
          [](auto& c) -> auto& { return c.auth.leeway; }, true, std::chrono::seconds(60)),
      unsigned_setting(
          "auth.argon2_memory_kib", "Argon2id memory per password hash, KiB (at least 19456).",
          [](auto& c) -> auto& { return c.auth.argon2_memory_kib; }, 19456, 4 * 1024 * 1024),
      unsigned_setting(
          "auth.argon2_iterations", "Argon2id passes per password hash (at least 2).",
          [](auto& c) -> auto& { return c.auth.argon2_iterations; }, 2, 64),
      unsigned_setting(
          "auth.hash_threads", "Threads hashing passwords (each hash holds argon2_memory_kib).",
          [](auto& c) -> auto& { return c.auth.hash_threads; }, 1, 64),
      unsigned_setting(
          "auth.hash_queue", "Password hashes that may wait for a thread; beyond it logins get 503.",
          [](auto& c) -> auto& { return c.auth.hash_queue; }, 0, 100'000),
      string_setting(
          "auth.key_file",
          "File with the key sealing the token-signing keys (made, mode 0600, on first start); "
          "empty means <data_dir>/auth.key. ORDERLY_AUTH_KEY overrides it.",
          [](auto& c) -> auto& { return c.auth.key_file; }, true),
      duration_setting("auth.key_reload_interval", "How often signing keys are reread (to see a rotation).",
                       [](auto& c) -> auto& { return c.auth.key_reload_interval; }),
      rate_setting("auth.login_per_address", "Login attempts allowed per client address.",
                   [](auto& c) -> auto& { return c.auth.login_per_address; }),
      rate_setting("auth.login_per_account_and_address", "Login attempts at one account from one address.",
                   [](auto& c) -> auto& { return c.auth.login_per_account_and_address; }),
      rate_setting("auth.login_per_account", "Login attempts at one account from all addresses together.",
                   [](auto& c) -> auto& { return c.auth.login_per_account; }),
      unsigned_setting(
          "auth.signup_hash_threads", "Threads hashing signup passwords (apart from the login threads).",
          [](auto& c) -> auto& { return c.auth.signup_hash_threads; }, 1, 64),
      unsigned_setting(
          "auth.signup_hash_queue", "Signup hashes that may wait for a thread; beyond it signups get 503.",
          [](auto& c) -> auto& { return c.auth.signup_hash_queue; }, 0, 100'000),
      rate_setting("auth.signup_per_address", "Signups allowed per client address (also slows e-mail probing).",
                   [](auto& c) -> auto& { return c.auth.signup_per_address; }),
      rate_setting("auth.reset_per_address", "Password-reset requests and confirmations per client address.",
                   [](auto& c) -> auto& { return c.auth.reset_per_address; }),
      rate_setting("auth.reset_per_account", "Password-reset mails per account (beyond it: 202, no mail).",
                   [](auto& c) -> auto& { return c.auth.reset_per_account; }),
      string_setting("auth.public_url", "Base URL of the links in account mails (no trailing slash).",
                     [](auto& c) -> auto& { return c.auth.public_url; }, false),
      duration_setting("auth.verification_ttl", "How long an e-mail verification link works.",
                       [](auto& c) -> auto& { return c.auth.verification_ttl; }),
      rate_setting("auth.verification_resend_per_account", "Verification mails a user may ask for again.",
                   [](auto& c) -> auto& { return c.auth.verification_resend_per_account; }),
      {"auth.seed_admin", "Embedded mode: create admin@orderly.local on first start.",
       [](const Config& c) { return std::string(c.auth.seed_admin ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.auth.seed_admin = values::parse_bool(text); }},
      {"auth.require_mfa_for_admin",
       "Admin routes refuse (403 /problems/mfa-required) an admin whose login had no second factor (TOTP).",
       [](const Config& c) { return std::string(c.auth.require_mfa_for_admin ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.auth.require_mfa_for_admin = values::parse_bool(text); }},
      duration_setting("auth.mfa_challenge_ttl", "How long a login may wait for its second factor (TOTP code).",
                       [](auto& c) -> auto& { return c.auth.mfa_challenge_ttl; }),
      string_setting("auth.totp_issuer", "Issuer name in otpauth:// enrolment URIs (shown by authenticator apps).",
                     [](auto& c) -> auto& { return c.auth.totp_issuer; }, false),
      // notify (src/notify) and the embedded broker that `orderly serve` creates for it and the others
      duration_setting(
          "queue.visibility_timeout", "How long a received queue message stays hidden before it is delivered again.",
          [](auto& c) -> auto& { return c.queue.visibility_timeout; }),
      unsigned_setting(
          "queue.delivery_limit", "Deliveries of a failing queue message before it moves to the dead-letter queue.",
          [](auto& c) -> auto& { return c.queue.delivery_limit; }, 1, 1000),
      duration_setting(
          "queue.retry_base_delay", "Back-off ceiling after a message's first failure (doubles each time, with jitter).",
          [](auto& c) -> auto& { return c.queue.retry_base_delay; }, true),
      duration_setting(
          "queue.retry_max_delay", "Largest back-off between two deliveries of a failing message.",
          [](auto& c) -> auto& { return c.queue.retry_max_delay; }, true),
      {"queue.rabbitmq_uri",
       "Scale-out: RabbitMQ as amqp://user:password@host:port/vhost (%2f is /); events then leave through each "
       "service's outbox and relay. Empty: queues live in the store. ORDERLY_QUEUE_RABBITMQ_URI sets it too.",
       [](const Config& c) { return c.queue.rabbitmq_uri; },
       [](Config& c, std::string_view text) {
         // Never echo the text: it holds a password. The broker parses it fully.
         for (std::size_t start = 0; !text.empty();) {
           const auto comma = text.find(',', start);
           if (!text.substr(start).starts_with("amqp://")) {
             throw std::invalid_argument("expected amqp:// URIs separated by commas");
           }
           if (comma == std::string_view::npos) break;
           start = comma + 1;
         }
         c.queue.rabbitmq_uri = std::string(text);
       }},
      duration_setting(
          "queue.rabbitmq_confirm_timeout",
          "Scale-out: longest wait for RabbitMQ to confirm a publish, retries on other nodes included; then the "
          "publish fails and the outbox keeps the event for a later try.",
          [](auto& c) -> auto& { return c.queue.rabbitmq_confirm_timeout; }),
      {"queue.rabbitmq_queues",
       "Scale-out: the queues this process declares on each connection to RabbitMQ (comma-separated); empty: "
       "every platform queue. For a RabbitMQ user allowed only its own queues.",
       [](const Config& c) {
         std::string text;
         for (const auto& queue : c.queue.rabbitmq_queues) text += (text.empty() ? "" : ",") + queue;
         return text;
       },
       [](Config& c, std::string_view text) {
         std::vector<std::string> queues;
         for (std::size_t start = 0; start < text.size();) {
           const auto comma = std::min(text.find(',', start), text.size());
           const auto queue = text.substr(start, comma - start);
           if (queue.empty() || queue.size() > 200 ||
               queue.find_first_of(" \t\r\n") != std::string_view::npos) {
             throw std::invalid_argument("expected queue names (1 to 200 characters) separated by commas");
           }
           queues.emplace_back(queue);
           start = comma + 1;
         }
         c.queue.rabbitmq_queues = std::move(queues);
       }},
      {"cache.redis",
       "Scale-out: HOST:PORT of the Redis shared by every instance for the product cache and the login limits "
       "(password in ORDERLY_REDIS_PASSWORD). Empty: both stay in the process.",
       [](const Config& c) { return c.cache.redis; },
       [](Config& c, std::string_view text) {
         if (!text.empty()) (void)HostPort::parse(text);
         c.cache.redis = std::string(text);
       }},
      instances_setting("cache.redis_sentinels",
                        "High availability: HOST:PORT,... of the Redis Sentinels; the client asks them for the "
                        "primary (SENTINEL get-master-addr-by-name) and again after a failover. Replaces cache.redis "
                        "(password in ORDERLY_REDIS_SENTINEL_PASSWORD).",
                        [](auto& c) -> auto& { return c.cache.redis_sentinels; }),
      {"cache.redis_master", "High availability: the name the Sentinels monitor the Redis primary under.",
       [](const Config& c) { return c.cache.redis_master; },
       [](Config& c, std::string_view text) {
         if (text.empty() || text.size() > 64 ||
             text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                 std::string_view::npos) {
           throw std::invalid_argument("expected a name of letters, digits, '.', '_' or '-'");
         }
         c.cache.redis_master = std::string(text);
       }},
      {"cache.redis_user",
       "The Redis ACL user this process authenticates as (its password in ORDERLY_REDIS_PASSWORD); empty: the "
       "default user.",
       [](const Config& c) { return c.cache.redis_user; },
       [](Config& c, std::string_view text) {
         if (text.size() > 64 || text.find_first_of(" \t\r\n") != std::string_view::npos) {
           throw std::invalid_argument("expected a user name without spaces");
         }
         c.cache.redis_user = std::string(text);
       }},
      {"registry.etcd",
       "Scale-out: HOST:PORT of etcd, or of several members separated by commas. Instances register there (with "
       "a lease of registry.ttl) and the gateway and service clients follow it. Empty: the static instance lists "
       "only.",
       [](const Config& c) { return c.registry.etcd; },
       [](Config& c, std::string_view text) {
         RegistryConfig candidate;
         candidate.etcd = std::string(text);
         (void)candidate.etcd_endpoints();
         c.registry.etcd = std::string(text);
       }},
      {"registry.prefix", "The prefix of every key this platform writes to etcd; starts and ends with /.",
       [](const Config& c) { return c.registry.prefix; },
       [](Config& c, std::string_view text) {
         if (text.size() < 2 || text.front() != '/' || text.back() != '/') {
           throw std::invalid_argument("expected a prefix such as /orderly/");
         }
         c.registry.prefix = std::string(text);
       }},
      duration_setting(
          "registry.ttl", "How long a killed instance stays registered after its last keep-alive (at least 2s).",
          [](auto& c) -> auto& { return c.registry.ttl; }),
      duration_setting(
          "registry.poll_interval", "How often the gateway and the service clients read the registry.",
          [](auto& c) -> auto& { return c.registry.poll_interval; }),
      {"registry.advertise_host",
       "The address other processes reach this one at, as registered. Empty: the host of each listen address.",
       [](const Config& c) { return c.registry.advertise_host; },
       [](Config& c, std::string_view text) {
         if (!text.empty()) (void)HostPort::parse(std::string(text) + ":1");
         c.registry.advertise_host = std::string(text);
       }},
      {"notify.email_worker", "Run the email worker in the process hosting notify (orderly serve, service notify).",
       [](const Config& c) { return std::string(c.notify.email_worker ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.notify.email_worker = values::parse_bool(text); }},
      unsigned_setting(
          "notify.worker_concurrency", "Notification messages the email worker handles at once.",
          [](auto& c) -> auto& { return c.notify.worker_concurrency; }, 1, 64),
      duration_setting(
          "notify.poll_interval", "How long the email worker waits after finding its queue empty.",
          [](auto& c) -> auto& { return c.notify.poll_interval; }),
      {"notify.channel", "Where emails go: maildir (<data_dir>/maildir) or smtp (notify.smtp_host).",
       [](const Config& c) { return std::string(c.notify.channel == EmailChannelKind::smtp ? "smtp" : "maildir"); },
       [](Config& c, std::string_view text) {
         if (text == "maildir") {
           c.notify.channel = EmailChannelKind::maildir;
         } else if (text == "smtp") {
           c.notify.channel = EmailChannelKind::smtp;
         } else {
           throw std::invalid_argument(fmt::format("expected maildir or smtp, got '{}'", text));
         }
       }},
      {"notify.from_address", "Sender address of notification emails (user@host).",
       [](const Config& c) { return c.notify.from_address; },
       [](Config& c, std::string_view text) {
         const auto at = text.find('@');
         if (at == std::string_view::npos || at == 0 || at + 1 == text.size() ||
             text.find_first_of(" \t\r\n<>\",;:") != std::string_view::npos) {
           throw std::invalid_argument("expected a plain address such as orders@example.com");
         }
         c.notify.from_address = std::string(text);
       }},
      {"notify.from_name", "Sender name shown on notification emails.",
       [](const Config& c) { return c.notify.from_name; },
       [](Config& c, std::string_view text) {
         if (text.find_first_of("\r\n") != std::string_view::npos) throw std::invalid_argument("must be one line");
         c.notify.from_name = std::string(text);
       }},
      {"notify.smtp_host", "SMTP server for notify.channel smtp.", [](const Config& c) { return c.notify.smtp_host; },
       [](Config& c, std::string_view text) {
         if (text.empty() || text.find_first_of(" /\r\n") != std::string_view::npos) {
           throw std::invalid_argument("expected a host name or address");
         }
         c.notify.smtp_host = std::string(text);
       }},
      unsigned_setting(
          "notify.smtp_port", "SMTP server port.", [](auto& c) -> auto& { return c.notify.smtp_port; }, 1, 65535),
      duration_setting(
          "notify.smtp_connect_timeout", "Time to connect to the SMTP server.",
          [](auto& c) -> auto& { return c.notify.smtp_connect_timeout; }),
      duration_setting(
          "notify.smtp_timeout", "Longest one SMTP delivery may take, connection included.",
          [](auto& c) -> auto& { return c.notify.smtp_timeout; }),
      // catalog
      duration_setting(
          "catalog.cache_ttl",
          "How long a product read stays cached; updates invalidate at once, this bounds a missed invalidation.",
          [](auto& c) -> auto& { return c.catalog.cache_ttl; }),
      size_setting(
          "catalog.cache_bytes", "Memory for cached products (embedded mode).",
          [](auto& c) -> auto& { return c.catalog.cache_bytes; }, 64 * 1024, 4ULL * 1024 * 1024 * 1024),
      {"catalog.seed_sample_products", "Add sample products when serve starts on a fresh database (once).",
       [](const Config& c) { return std::string(c.catalog.seed_sample_products ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.catalog.seed_sample_products = values::parse_bool(text); }},
      size_setting(
          "catalog.import_body_limit", "Largest CSV body POST /api/v1/products/import accepts; larger gets 413.",
          [](auto& c) -> auto& { return c.catalog.import_body_limit_bytes; }, 1024, 1024ULL * 1024 * 1024),
      unsigned_setting(
          "catalog.import_batch_size", "CSV records imported per transaction; progress is saved after each.",
          [](auto& c) -> auto& { return c.catalog.import_batch_size; }, 1, 100'000),
      unsigned_setting(
          "catalog.import_max_errors", "Per-line errors an import job keeps (every failed line is still counted).",
          [](auto& c) -> auto& { return c.catalog.import_max_errors; }, 1, 1'000'000),
      duration_setting(
          "catalog.worker_poll_interval", "How long the bulk worker waits before asking an empty queue again.",
          [](auto& c) -> auto& { return c.catalog.worker_poll_interval; }),
      {"catalog.bulk_worker", "Run the bulk (CSV import) worker in the process hosting catalog.",
       [](const Config& c) { return std::string(c.catalog.bulk_worker ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.catalog.bulk_worker = values::parse_bool(text); }},
      duration_setting(
          "catalog.reservation_sweep_interval",
          "How often stock reservations past their expiry (their order was never placed or paid) are released.",
          [](auto& c) -> auto& { return c.catalog.reservation_sweep_interval; }),
      // payments
      {"payments.vault_key_file",
       "Card vault key ring (keep it off the database host's backups); empty means <data_dir>/vault.keys. "
       "The environment variable ORDERLY_VAULT_KEYS, when set, is used instead.",
       [](const Config& c) { return c.payments.vault_key_file; },
       [](Config& c, std::string_view text) { c.payments.vault_key_file = std::string(text); }},
      duration_setting(
          "payments.vault_key_recheck",
          "How often a running server looks at the key file for a key added by `orderly vault rotate`.",
          [](auto& c) -> auto& { return c.payments.vault_key_recheck; }),
      unsigned_setting(
          "payments.rotate_batch_size", "Cards re-encrypted per transaction by `orderly vault rotate`.",
          [](auto& c) -> auto& { return c.payments.rotate_batch_size; }, 1, 100'000),
      duration_setting(
          "payments.provider_timeout",
          "Longest a call to the payment provider may take; then it counts as unavailable and is retried "
          "later with the same idempotency key.",
          [](auto& c) -> auto& { return c.payments.provider_timeout; }),
      duration_setting(
          "payments.simulator_slow_answer",
          "How long the simulated provider takes to answer the first call for the slow test card (…3220).",
          [](auto& c) -> auto& { return c.payments.simulator_slow_answer; }, true),
      unsigned_setting(
          "payments.simulator_transient_failures",
          "Calls per idempotency key that fail before the transient test card (…0119) is approved.",
          [](auto& c) -> auto& { return c.payments.simulator_transient_failures; }, 0, 100),
      {"payments.provider",
       "The payment provider: empty for the in-process simulator, or HOST:PORT of an `orderly provider-sim`.",
       [](const Config& c) { return c.payments.provider; },
       [](Config& c, std::string_view text) {
         if (!text.empty()) (void)HostPort::parse(text);
         c.payments.provider = std::string(text);
       }},
      unsigned_setting(
          "payments.provider_attempts",
          "Tries per call to a remote provider (the first included), each with the same idempotency key.",
          [](auto& c) -> auto& { return c.payments.provider_attempts; }, 1, 10),
      unsigned_setting(
          "payments.provider_breaker_failures", "Failed calls in a row that open the remote provider's circuit breaker.",
          [](auto& c) -> auto& { return c.payments.provider_breaker_failures; }, 1, 1000),
      duration_setting(
          "payments.provider_breaker_cool_down", "How long the provider's breaker stays open before it lets a probe through.",
          [](auto& c) -> auto& { return c.payments.provider_breaker_cool_down; }),
      {"payments.simulator_journal",
       "The simulated provider's journal of answers, replayed at start-up so authorizations and idempotent "
       "answers survive a restart; empty means <data_dir>/provider-sim/ledger.jsonl, \"off\" keeps them in "
       "memory only.",
       [](const Config& c) { return c.payments.simulator_journal; },
       [](Config& c, std::string_view text) { c.payments.simulator_journal = std::string(text); }},
      // orders (src/orders/)
      duration_setting(
          "orders.idempotency_retention",
          "How long an Idempotency-Key and its recorded answer are kept (at least 24h per the API).",
          [](auto& c) -> auto& { return c.orders.idempotency_retention; }, false, std::chrono::hours(24 * 365)),
      duration_setting(
          "orders.idempotency_lease",
          "An Idempotency-Key still in progress after this long (its request crashed) may be retaken by a retry.",
          [](auto& c) -> auto& { return c.orders.idempotency_lease; }),
      duration_setting(
          "orders.reservation_timeout",
          "Orders still pending_payment after this long are cancelled (reservation_expired) and their stock "
          "released. The catalog holds an order's stock twice as long, so a reservation whose order was never "
          "created (a crash in between) is released after that.",
          [](auto& c) -> auto& { return c.orders.reservation_timeout; }),
      duration_setting(
          "orders.maintenance_interval", "How often the reservation expiry and idempotency clean-up jobs run.",
          [](auto& c) -> auto& { return c.orders.maintenance_interval; }),
      unsigned_setting(
          "orders.saga_max_attempts",
          "Transient payment provider errors tolerated per checkout step before the order fails (payment_failed).",
          [](auto& c) -> auto& { return c.orders.saga_max_attempts; }, 1, 1000),
      duration_setting(
          "orders.saga_backoff_base", "First retry delay of a checkout step (doubles per attempt, full jitter).",
          [](auto& c) -> auto& { return c.orders.saga_backoff_base; }),
      duration_setting(
          "orders.saga_backoff_max", "Longest retry delay of a checkout step.",
          [](auto& c) -> auto& { return c.orders.saga_backoff_max; }),
      duration_setting(
          "orders.saga_lease",
          "How long a process owns a claimed checkout saga; another process takes it over after that (keep it "
          "above the payment provider timeout).",
          [](auto& c) -> auto& { return c.orders.saga_lease; }),
      duration_setting(
          "orders.saga_poll_interval", "How often the saga runner looks for due sagas when not woken.",
          [](auto& c) -> auto& { return c.orders.saga_poll_interval; }),
      unsigned_setting(
          "orders.saga_concurrency", "Checkout sagas one process runs at once.",
          [](auto& c) -> auto& { return c.orders.saga_concurrency; }, 1, 10'000),
      {"orders.require_verified_email",
       "Checkout refuses (403) an account whose e-mail address is not verified yet.",
       [](const Config& c) { return std::string(c.orders.require_verified_email ? "true" : "false"); },
       [](Config& c, std::string_view text) { c.orders.require_verified_email = values::parse_bool(text); }},
      duration_setting(
          "orders.events_heartbeat",
          "A live order status stream (GET /api/v1/orders/{id}/events) sends a comment line when it sent nothing "
          "for this long, so proxies keep it open and a vanished client is noticed.",
          [](auto& c) -> auto& { return c.orders.events_heartbeat; }),
      duration_setting(
          "orders.events_poll_interval", "How often an open live order status stream reads its order.",
          [](auto& c) -> auto& { return c.orders.events_poll_interval; }),
      unsigned_setting(
          "orders.events_max_streams",
          "Live order status streams one process keeps open at once; beyond it the route answers 503 and the "
          "page polls instead.",
          [](auto& c) -> auto& { return c.orders.events_max_streams; }, 1, 100'000),
      // services (scale-out)
      instances_setting("services.auth", "Internal listeners of the auth service (HOST:PORT,...); empty: in-process.",
                        [](auto& c) -> auto& { return c.services.auth; }),
      instances_setting("services.catalog",
                        "Internal listeners of the catalog service (HOST:PORT,...); empty: in-process.",
                        [](auto& c) -> auto& { return c.services.catalog; }),
      instances_setting("services.payments",
                        "Internal listeners of the payments service (HOST:PORT,...); empty: in-process.",
                        [](auto& c) -> auto& { return c.services.payments; }),
      {"services.secret_file",
       "The secret services show auth for their credentials; empty: <data_dir>/internal.secret. "
       "The environment variable ORDERLY_INTERNAL_SECRET, when set, is used instead.",
       [](const Config& c) { return c.services.secret_file; },
       [](Config& c, std::string_view text) { c.services.secret_file = std::string(text); }},
      duration_setting(
          "services.call_timeout", "Each try of a call to another service's internal API.",
          [](auto& c) -> auto& { return c.services.call_timeout; }),
      // web pages (embedded mode)
      {"web.root", "Folder of the web pages served at / by `orderly serve` (the storefront); empty: none.",
       [](const Config& c) { return c.web.root; },
       [](Config& c, std::string_view text) { c.web.root = std::string(text); }},
      duration_setting(
          "web.cache_max_age", "Browser cache lifetime of web assets without a content hash in their name.",
          [](auto& c) -> auto& { return c.web.cache_max_age; }, true, std::chrono::hours(24 * 365)),
  };
  return kSettings;
}

const Setting* find_setting(std::string_view key) {
  const auto& all = settings();
  const auto it = std::find_if(all.begin(), all.end(), [&](const Setting& s) { return s.key == key; });
  return it == all.end() ? nullptr : &*it;
}

void apply(Config& config, std::string_view key, std::string_view value, std::string_view source) {
  const auto* setting = find_setting(key);
  if (setting == nullptr) throw ConfigError(fmt::format("{}: unknown key '{}'", source, key));
  try {
    setting->parse(config, value);
  } catch (const std::invalid_argument& error) {
    throw ConfigError(fmt::format("{}: {}: {}", source, key, error.what()));
  }
}

void apply_yaml(Config& config, const YAML::Node& node, const std::string& prefix, const std::string& source) {
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      throw ConfigError(fmt::format("{}:{}: keys must be plain names", source, entry.first.Mark().line + 1));
    }
    const auto name = entry.first.Scalar();
    const auto key = prefix.empty() ? name : prefix + "." + name;
    const auto& value = entry.second;
    const auto where = fmt::format("{}:{}", source, entry.first.Mark().line + 1);
    if (value.IsMap()) {
      apply_yaml(config, value, key, source);
    } else if (value.IsScalar()) {
      apply(config, key, value.Scalar(), where);
    } else {
      throw ConfigError(fmt::format("{}: {}: expected a single value", where, key));
    }
  }
}

// The YAML text of the file `path` (also what the fuzz target feeds).
void apply_text(Config& config, std::string_view yaml, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("config file {}:{}: {}", path, error.mark.line + 1, error.msg));
  }
  if (root.IsNull()) return;  // an empty file means "all defaults"
  if (!root.IsMap()) throw ConfigError(fmt::format("config file {}: expected a mapping of keys to values", path));
  apply_yaml(config, root, "", "config file " + path);
}

void apply_file(Config& config, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw ConfigError(fmt::format("config file {}: not a readable file", path));
  }
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("config file {}: cannot be read", path));
  std::stringstream text;
  text << in.rdbuf();
  apply_text(config, text.str(), path);
}

// A value as a YAML double-quoted scalar that loads back to the same bytes:
// `"` and `\` escaped, control characters as \xNN (in YAML the code point
// U+00NN, the same byte below 0x80); other bytes as they are.
std::string yaml_quoted(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// The environment, then the flags: each wins over what came before.
void apply_overrides(Config& config, const std::vector<ConfigOverride>& environment,
                     const std::vector<ConfigOverride>& flags) {
  for (const auto& entry : environment) apply(config, entry.key, entry.value, entry.source);
  for (const auto& entry : flags) apply(config, entry.key, entry.value, entry.source);
}

}  // namespace

std::string HostPort::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

HostPort HostPort::parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    throw std::invalid_argument(fmt::format("expected HOST:PORT such as 127.0.0.1:8080, got '{}'", text));
  }
  auto host = std::string(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  unsigned char buffer[sizeof(in6_addr)];
  const bool is_ip = inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
  if (host == "localhost")
    host = "127.0.0.1";
  else if (!is_ip)
    throw std::invalid_argument(fmt::format("'{}' is not an IP address (or localhost)", host));
  const auto port_text = text.substr(colon + 1);
  std::uint64_t port = 0;
  try {
    port = values::parse_unsigned(port_text, 0, 65535);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(fmt::format("port must be 0 to 65535, got '{}'", port_text));
  }
  return HostPort{host, static_cast<std::uint16_t>(port)};
}

std::vector<HostPort> RegistryConfig::etcd_endpoints() const {
  std::vector<HostPort> endpoints;
  std::size_t start = 0;
  while (start < etcd.size()) {  // each turn consumes at least one character
    const auto end = std::min(etcd.find(',', start), etcd.size());
    auto item = std::string_view(etcd).substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) throw std::invalid_argument("an empty member between two commas");
    endpoints.push_back(HostPort::parse(item));
    start = end + 1;
    if (end + 1 == etcd.size()) throw std::invalid_argument("a comma must be followed by another HOST:PORT");
  }
  return endpoints;
}

std::string environment_name(std::string_view key) {
  std::string name = "ORDERLY_";
  for (const char c : key) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

Config load_config(const std::optional<std::string>& file, const std::vector<ConfigOverride>& environment,
                   const std::vector<ConfigOverride>& flags) {
  Config config;
  if (file) apply_file(config, *file);
  apply_overrides(config, environment, flags);
  return config;
}

Config load_config_text(std::string_view yaml, const std::string& source,
                        const std::vector<ConfigOverride>& environment, const std::vector<ConfigOverride>& flags) {
  Config config;
  apply_text(config, yaml, source);
  apply_overrides(config, environment, flags);
  return config;
}

EnvironmentSettings environment_overrides(char** environ) {
  EnvironmentSettings result;
  auto& overrides = result.overrides;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with("ORDERLY_")) continue;
    const auto equals = text.find('=');
    const auto name = text.substr(0, equals);
    const auto value = equals == std::string_view::npos ? std::string_view() : text.substr(equals + 1);
    if (name == "ORDERLY_CONFIG" || name == "ORDERLY_ADMIN_PASSWORD" || name == "ORDERLY_AUTH_KEY" ||
        name == "ORDERLY_VAULT_KEYS" || name == "ORDERLY_REDIS_PASSWORD") {
      continue;
    }
    const auto& all = settings();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const Setting& s) { return environment_name(s.key) == name; });
    if (it == all.end()) {
      result.ignored.emplace_back(name);
      continue;
    }
    overrides.push_back({std::string(it->key), std::string(value), fmt::format("environment {}", name)});
  }
  return result;
}

ConfigOverride parse_set_flag(std::string_view text) {
  const auto equals = text.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw ConfigError(fmt::format("flag --set: expected KEY=VALUE, got '{}'", text));
  }
  const auto key = text.substr(0, equals);
  return {std::string(key), std::string(text.substr(equals + 1)), fmt::format("flag --set {}", key)};
}

std::string render_config(const Config& config) {
  std::ostringstream out;
  out << "# Orderly configuration. Each key can also be set by an environment variable\n"
         "# (ORDERLY_ + the key in capitals, dots as underscores: ORDERLY_HTTP_IDLE_TIMEOUT)\n"
         "# or by a flag (--set http.idle_timeout=30s); flags win over the environment,\n"
         "# which wins over this file.\n";
  std::string section;
  for (const auto& setting : settings()) {
    const auto dot = setting.key.find('.');
    const auto this_section = dot == std::string_view::npos ? std::string() : std::string(setting.key.substr(0, dot));
    const auto name = dot == std::string_view::npos ? setting.key : setting.key.substr(dot + 1);
    if (this_section != section) {
      section = this_section;
      out << "\n" << section << ":\n";
    }
    const auto indent = section.empty() ? "" : "  ";
    out << indent << "# " << setting.help << "\n";
    out << indent << name << ": " << yaml_quoted(setting.print(config)) << "\n";
  }
  return out.str();
}

}  // namespace orderly::core
