#include "gateway/gateway_config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/config_values.hpp"

namespace orderly::gateway {
namespace {

namespace values = core::config_values;

// Reads one YAML mapping, remembering where it is ("routes[2].match") for
// errors, and refusing keys it was not asked about (a typo must not be
// silently ignored in a file that decides where traffic goes).
class Section {
 public:
  Section(YAML::Node node, std::string where, const std::string& source)
      : node_(std::move(node)), where_(std::move(where)), source_(source) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) fail("expected a mapping");
  }

  bool has(const char* key) {
    known_.insert(key);
    return node_ && node_.IsMap() && node_[key] && !node_[key].IsNull();
  }

  std::string text(const char* key, std::string fallback = {}) {
    if (!has(key)) return fallback;
    const auto value = node_[key];
    if (!value.IsScalar()) fail(key, "expected a single value");
    return value.as<std::string>();
  }

  template <class Parse>
  auto parsed(const char* key, Parse parse, decltype(parse(std::string_view())) fallback) {
    if (!has(key)) return fallback;
    const auto raw = text(key);
    try {
      return parse(raw);
    } catch (const std::invalid_argument& error) {
      fail(key, error.what());
    }
  }

  std::chrono::milliseconds duration(const char* key, std::chrono::milliseconds fallback) {
    return parsed(key, [](std::string_view t) { return values::parse_duration(t); }, fallback);
  }
  std::size_t size(const char* key, std::size_t fallback) {
    return parsed(key, [](std::string_view t) { return values::parse_size(t); }, fallback);
  }
  unsigned number(const char* key, unsigned fallback, unsigned min, unsigned max) {
    return parsed(
        key, [&](std::string_view t) { return static_cast<unsigned>(values::parse_unsigned(t, min, max)); }, fallback);
  }
  bool flag(const char* key, bool fallback) {
    return parsed(key, [](std::string_view t) { return values::parse_bool(t); }, fallback);
  }
  core::HostPort address(const char* key, core::HostPort fallback) {
    return parsed(key, [](std::string_view t) { return core::HostPort::parse(t); }, fallback);
  }
  std::vector<std::string> list(const char* key) {
    std::vector<std::string> out;
    if (!has(key)) return out;
    const auto value = node_[key];
    if (value.IsScalar()) return {value.as<std::string>()};
    if (!value.IsSequence()) fail(key, "expected a list");
    for (const auto& item : value) {
      if (!item.IsScalar()) fail(key, "expected a list of values");
      out.push_back(item.as<std::string>());
    }
    return out;
  }
  Section child(const char* key) {
    has(key);
    return Section(node_[key], where_ + (where_.empty() ? "" : ".") + key, source_);
  }
  YAML::Node raw(const char* key) {
    has(key);
    return node_[key];
  }

  // Call after reading every key: an unknown one is an error.
  void done() {
    if (!node_ || !node_.IsMap()) return;
    for (const auto& entry : node_) {
      const auto key = key_text(entry.first);
      if (!known_.contains(key)) fail(key.c_str(), "unknown key");
    }
  }

  // A mapping key as text. YAML allows a list or a mapping as a key
  // (`[a, b]: 1`, `? {x: 1}`), where as<std::string>() throws past
  // ConfigError and the gateway ended in std::terminate (fuzz/README.md).
  std::string key_text(const YAML::Node& key) const {
    if (!key.IsScalar()) fail("keys must be plain names, not lists or mappings");
    return key.Scalar();
  }

  [[noreturn]] void fail(const char* key, std::string_view message) const {
    throw core::ConfigError(
        fmt::format("{}: {}{}{}: {}", source_, where_, where_.empty() ? "" : ".", key, message));
  }
  [[noreturn]] void fail(std::string_view message) const {
    throw core::ConfigError(fmt::format("{}: {}: {}", source_, where_.empty() ? "(top)" : where_, message));
  }
  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  YAML::Node node_;
  std::string where_;
  const std::string& source_;
  std::set<std::string> known_;
};

Balance parse_balance(std::string_view text) {
  if (text == "round_robin") return Balance::round_robin;
  if (text == "least_request") return Balance::least_request;
  if (text == "consistent_hash") return Balance::consistent_hash;
  throw std::invalid_argument(fmt::format("expected round_robin, least_request or consistent_hash, got '{}'", text));
}

UpstreamConfig parse_upstream(std::string name, Section section) {
  UpstreamConfig upstream;
  upstream.name = std::move(name);
  for (const auto& instance : section.list("instances")) {
    try {
      upstream.instances.push_back(core::HostPort::parse(instance));
    } catch (const std::invalid_argument& error) {
      section.fail("instances", error.what());
    }
  }
  upstream.registry_service = section.text("registry", "");
  if (upstream.instances.empty() && upstream.registry_service.empty()) {
    section.fail("instances", "an upstream needs at least one host:port, or registry: SERVICE");
  }
  upstream.balance = section.parsed("balance", parse_balance, upstream.balance);
  upstream.hash_on = section.text("hash_on", upstream.hash_on);
  if (upstream.hash_on != "user" && !(upstream.hash_on.starts_with("header:") && upstream.hash_on.size() > 7)) {
    section.fail("hash_on", "expected 'user' or 'header:NAME'");
  }
  upstream.virtual_nodes = section.number("virtual_nodes", upstream.virtual_nodes, 1, 10'000);

  auto timeouts = section.child("timeouts");
  upstream.connect_timeout = timeouts.duration("connect", upstream.connect_timeout);
  upstream.try_timeout = timeouts.duration("try", upstream.try_timeout);
  upstream.request_timeout = timeouts.duration("request", upstream.request_timeout);
  timeouts.done();

  auto limits = section.child("limits");
  upstream.max_inflight = limits.size("max_inflight", upstream.max_inflight);
  upstream.max_pending = limits.size("max_pending", upstream.max_pending);
  upstream.max_wait = limits.duration("max_wait", upstream.max_wait);
  upstream.max_connections_per_instance =
      limits.size("max_connections_per_instance", upstream.max_connections_per_instance);
  upstream.max_idle_per_instance = limits.size("max_idle_per_instance", upstream.max_idle_per_instance);
  upstream.response_body_limit = limits.size("response_body_limit", upstream.response_body_limit);
  limits.done();
  if (upstream.max_connections_per_instance == 0) limits.fail("max_connections_per_instance", "must be at least 1");

  auto health = section.child("health");
  upstream.health.enabled = health.flag("enabled", upstream.health.enabled);
  upstream.health.path = health.text("path", upstream.health.path);
  upstream.health.interval = health.duration("interval", upstream.health.interval);
  upstream.health.timeout = health.duration("timeout", upstream.health.timeout);
  upstream.health.healthy_threshold = health.number("healthy_threshold", upstream.health.healthy_threshold, 1, 100);
  upstream.health.unhealthy_threshold =
      health.number("unhealthy_threshold", upstream.health.unhealthy_threshold, 1, 100);
  health.done();
  if (!upstream.health.path.starts_with('/')) health.fail("path", "must start with /");

  auto outlier = section.child("outlier");
  upstream.outlier.consecutive_5xx = outlier.number("consecutive_5xx", upstream.outlier.consecutive_5xx, 0, 10'000);
  upstream.outlier.consecutive_connect_failures =
      outlier.number("consecutive_connect_failures", upstream.outlier.consecutive_connect_failures, 0, 10'000);
  upstream.outlier.base_ejection = outlier.duration("base_ejection", upstream.outlier.base_ejection);
  upstream.outlier.max_ejection = outlier.duration("max_ejection", upstream.outlier.max_ejection);
  upstream.outlier.max_ejection_percent =
      outlier.number("max_ejection_percent", upstream.outlier.max_ejection_percent, 0, 100);
  outlier.done();

  auto breaker = section.child("breaker");
  upstream.breaker.enabled = breaker.flag("enabled", upstream.breaker.enabled);
  upstream.breaker.consecutive_failures =
      breaker.number("consecutive_failures", upstream.breaker.consecutive_failures, 1, 10'000);
  upstream.breaker.open_for = breaker.duration("open_for", upstream.breaker.open_for);
  upstream.breaker.half_open_probes = breaker.number("half_open_probes", upstream.breaker.half_open_probes, 1, 1'000);
  upstream.breaker.failure_rate =
      breaker.number("failure_percent", static_cast<unsigned>(upstream.breaker.failure_rate * 100), 1, 100) / 100.0;
  upstream.breaker.minimum_calls = breaker.number("minimum_calls", upstream.breaker.minimum_calls, 0, 1'000'000);
  upstream.breaker.window = breaker.duration("window", upstream.breaker.window);
  upstream.breaker.success_threshold =
      breaker.number("success_threshold", upstream.breaker.success_threshold, 1, 1'000);
  breaker.done();
  if (upstream.breaker.window < std::chrono::milliseconds(1)) breaker.fail("window", "must be at least 1ms");
  if (upstream.breaker.open_for < std::chrono::milliseconds(1)) breaker.fail("open_for", "must be at least 1ms");

  auto retry = section.child("retry");
  upstream.retry.max_retries = retry.number("max_retries", upstream.retry.max_retries, 0, 10);
  upstream.retry.base_backoff = retry.duration("base_backoff", upstream.retry.base_backoff);
  upstream.retry.max_backoff = retry.duration("max_backoff", upstream.retry.max_backoff);
  upstream.retry.budget_ratio =
      retry.number("budget_percent", static_cast<unsigned>(upstream.retry.budget_ratio * 100), 0, 100) / 100.0;
  upstream.retry.budget_min_per_second =
      retry.number("budget_min_per_second", upstream.retry.budget_min_per_second, 0, 100'000);
  upstream.retry.budget_window = retry.duration("budget_window", upstream.retry.budget_window);
  retry.done();
  if (upstream.retry.budget_window < std::chrono::milliseconds(1)) retry.fail("budget_window", "must be at least 1ms");
  section.done();
  return upstream;
}

RateLimitConfig parse_rate_limit(Section section, const GatewayConfig& config, const std::string& route) {
  RateLimitConfig limit;
  limit.name = section.text("name", route);
  limit.limit = section.number("limit", 0, 1, 100'000'000);
  if (limit.limit == 0) section.fail("limit", "required (requests per window)");
  limit.window = section.duration("window", limit.window);
  const auto key = section.text("key", "client");
  if (key == "client") {
    limit.key = RateLimitConfig::Key::client;
  } else if (key == "user") {
    limit.key = RateLimitConfig::Key::user;
  } else if (key == "route") {
    limit.key = RateLimitConfig::Key::route;
  } else {
    section.fail("key", "expected client, user or route");
  }
  const auto algorithm = section.text("algorithm", "token_bucket");
  if (algorithm == "token_bucket") {
    limit.algorithm = RateLimitConfig::Algorithm::token_bucket;
  } else if (algorithm == "sliding_window") {
    limit.algorithm = RateLimitConfig::Algorithm::sliding_window;
  } else {
    section.fail("algorithm", "expected token_bucket or sliding_window");
  }
  const auto store = section.text("store", "local");
  if (store != "local" && store != "redis") section.fail("store", "expected local or redis");
  limit.shared = store == "redis";
  const auto failure_mode = section.text("failure_mode", "open");
  if (failure_mode != "open" && failure_mode != "closed") section.fail("failure_mode", "expected open or closed");
  limit.fail_closed = failure_mode == "closed";
  section.done();
  if (limit.shared && !config.has_redis()) {
    section.fail("store", "store: redis needs redis: HOST:PORT or redis_sentinel: at the top of the file");
  }
  if (limit.shared && limit.algorithm != RateLimitConfig::Algorithm::token_bucket) {
    section.fail("algorithm", "the Redis limiter is a token bucket");
  }
  return limit;
}

RouteConfig parse_route(Section section, const GatewayConfig& config) {
  RouteConfig route;
  route.name = section.text("name", section.where());
  auto match = section.child("match");
  route.methods = match.list("methods");
  for (auto& method : route.methods) {
    for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  route.host = match.text("host");
  route.path_prefix = match.text("prefix");
  route.path_template = match.text("path");
  match.done();
  if (route.path_prefix.empty() == route.path_template.empty()) {
    section.fail("match", "give exactly one of prefix and path");
  }
  if (!(route.path_prefix + route.path_template).starts_with('/')) section.fail("match", "a path must start with /");

  const auto type = section.text("type", "proxy");
  if (type == "proxy") {
    route.type = RouteType::proxy;
  } else if (type == "static") {
    route.type = RouteType::static_files;
  } else {
    section.fail("type", "expected proxy or static");
  }
  route.upstream = section.text("upstream");
  route.strip_prefix = section.text("strip_prefix");
  const auto auth = section.text("auth", "none");
  if (auth != "none" && auth != "required") section.fail("auth", "expected none or required");
  route.auth_required = auth == "required";
  route.static_root = section.text("root");
  route.cache_max_age = std::chrono::duration_cast<std::chrono::seconds>(
      section.duration("cache_max_age", std::chrono::duration_cast<std::chrono::milliseconds>(route.cache_max_age)));
  if (section.has("rate_limit")) route.rate_limit = parse_rate_limit(section.child("rate_limit"), config, route.name);
  section.done();
  if (route.auth_required && config.auth.jwks_upstream.empty()) {
    section.fail("auth", "auth: required needs auth.jwks_upstream at the top of the file");
  }

  if (route.type == RouteType::proxy && config.upstream(route.upstream) == nullptr) {
    section.fail("upstream", fmt::format("no upstream called '{}'", route.upstream));
  }
  if (route.type == RouteType::static_files && route.static_root.empty()) {
    section.fail("root", "a static route needs a root folder");
  }
  return route;
}

}  // namespace

const UpstreamConfig* GatewayConfig::upstream(std::string_view name) const {
  for (const auto& candidate : upstreams) {
    if (candidate.name == name) return &candidate;
  }
  return nullptr;
}

GatewayConfig parse_gateway_config(std::string_view yaml, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& error) {
    throw core::ConfigError(fmt::format("{}: not valid YAML: {}", source, error.what()));
  }
  Section top(root, "", source);
  GatewayConfig config;
  config.ops_listen = top.address("ops_listen", config.ops_listen);
  config.threads = top.number("threads", config.threads, 0, 1'024);

  const auto listeners = top.raw("listeners");
  if (!listeners || !listeners.IsSequence() || listeners.size() == 0) top.fail("listeners", "expected a list of listeners");
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    Section section(listeners[i], fmt::format("listeners[{}]", i), source);
    ListenerConfig listener;
    listener.name = section.text("name", fmt::format("listener{}", i));
    if (!section.has("address")) section.fail("address", "required");
    listener.address = section.address("address", {});
    if (section.has("tls")) {
      auto tls = section.child("tls");
      listener.tls = TlsConfig{tls.text("certificate"), tls.text("private_key")};
      tls.done();
      if (listener.tls->certificate_file.empty() || listener.tls->private_key_file.empty()) {
        tls.fail("a TLS listener needs certificate and private_key files");
      }
    }
    listener.redirect_to_https = section.flag("redirect_to_https", false);
    section.done();
    config.listeners.push_back(std::move(listener));
  }

  if (top.has("redis")) config.redis = top.address("redis", {});
  if (top.has("redis_sentinel")) {
    auto sentinel = top.child("redis_sentinel");
    GatewayConfig::RedisSentinel settings;
    for (const auto& address : sentinel.list("sentinels")) {
      try {
        settings.sentinels.push_back(core::HostPort::parse(address));
      } catch (const std::invalid_argument& error) {
        sentinel.fail("sentinels", error.what());
      }
    }
    if (settings.sentinels.empty()) sentinel.fail("sentinels", "a list of at least one HOST:PORT");
    settings.master = sentinel.text("master", settings.master);
    settings.user = sentinel.text("user");
    sentinel.done();
    if (config.redis) top.fail("redis_sentinel", "give redis: or redis_sentinel:, not both");
    config.redis_sentinel = std::move(settings);
  }
  auto auth = top.child("auth");
  config.auth.jwks_upstream = auth.text("jwks_upstream");
  config.auth.jwks_path = auth.text("jwks_path", config.auth.jwks_path);
  config.auth.refresh_interval = auth.duration("refresh_interval", config.auth.refresh_interval);
  config.auth.min_refetch_interval = auth.duration("min_refetch_interval", config.auth.min_refetch_interval);
  auth.done();

  const auto upstreams = top.raw("upstreams");
  if (upstreams && !upstreams.IsMap()) top.fail("upstreams", "expected a mapping of name: upstream");
  if (upstreams) {
    const Section names(upstreams, "upstreams", source);
    for (const auto& entry : upstreams) {
      const auto name = names.key_text(entry.first);
      config.upstreams.push_back(parse_upstream(name, Section(entry.second, "upstreams." + name, source)));
    }
  }

  if (!config.auth.jwks_upstream.empty() && config.upstream(config.auth.jwks_upstream) == nullptr) {
    auth.fail("jwks_upstream", fmt::format("no upstream called '{}'", config.auth.jwks_upstream));
  }
  const auto routes = top.raw("routes");
  if (!routes || !routes.IsSequence()) top.fail("routes", "expected a list of routes");
  for (std::size_t i = 0; i < routes.size(); ++i) {
    config.routes.push_back(parse_route(Section(routes[i], fmt::format("routes[{}]", i), source), config));
  }
  top.done();
  return config;
}

GatewayConfig load_gateway_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::ConfigError(fmt::format("{}: cannot read the file", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_gateway_config(text.str(), path);
}

}  // namespace orderly::gateway
