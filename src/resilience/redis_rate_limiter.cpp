#include "resilience/redis_rate_limiter.hpp"

#include <openssl/evp.h>

#include <array>
#include <charconv>
#include <optional>

#include "cache/redis_client.hpp"
#include "core/logging.hpp"

namespace orderly::resilience {
namespace {

// KEYS[1]: the bucket (a hash: t = tokens, ts = last refill in µs of Redis time).
// ARGV: limit, window in µs, cost. Returns "allowed remaining reset_us retry_us".
constexpr const char* kTokenBucketScript = R"lua(
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(state[1])
local stamp = tonumber(state[2])
if tokens == nil or stamp == nil then
  tokens = limit
  stamp = now
elseif now > stamp then
  tokens = math.min(limit, tokens + (now - stamp) * limit / window)
  stamp = now
end
local allowed = 0
local retry = 0
if cost <= limit and cost <= tokens then
  tokens = tokens - cost
  allowed = 1
elseif cost <= limit then
  retry = (cost - tokens) * window / limit
else
  retry = window
end
local reset = (limit - tokens) * window / limit
redis.call('HSET', KEYS[1], 't', tokens, 'ts', stamp)
redis.call('PEXPIRE', KEYS[1], math.ceil(reset / 1000) + 1)
return string.format('%d %d %d %d', allowed, math.floor(tokens), math.ceil(reset), math.ceil(retry))
)lua";

std::string sha1_hex(const std::string& text) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    throw std::runtime_error("SHA-1 of the rate limit script failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4U];
    hex += kHex[digest[i] & 0x0fU];
  }
  return hex;
}

std::optional<std::int64_t> next_number(std::string_view& text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{}) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

std::chrono::seconds seconds_up(std::int64_t microseconds) {
  return std::chrono::ceil<std::chrono::seconds>(std::chrono::microseconds(std::max<std::int64_t>(0, microseconds)));
}

constexpr auto kFailureLogInterval = std::chrono::seconds(10);

}  // namespace

const std::string& RedisRateLimiter::script() {
  static const std::string text = kTokenBucketScript;
  return text;
}

const std::string& RedisRateLimiter::script_sha1() {
  static const std::string sha = sha1_hex(script());
  return sha;
}

RedisRateLimiter::RedisRateLimiter(RateLimitPolicy policy, cache::RedisClient& redis, const core::Clock& clock,
                                   core::metrics::Registry& metrics, RedisRateLimiterOptions options)
    : policy_((validate(policy), std::move(policy))),
      redis_(redis),
      clock_(clock),
      metrics_(metrics, policy_.name),
      options_(std::move(options)) {}

boost::asio::awaitable<std::string> RedisRateLimiter::evaluate(std::string redis_key, std::uint64_t cost) {
  const auto window_us = std::chrono::duration_cast<std::chrono::microseconds>(policy_.window).count();
  std::vector<std::string> arguments{"1", redis_key, std::to_string(policy_.limit), std::to_string(window_us),
                                     std::to_string(cost)};
  std::vector<std::string> by_sha{"EVALSHA", script_sha1()};
  by_sha.insert(by_sha.end(), arguments.begin(), arguments.end());
  std::optional<cache::RedisReply> reply;
  try {
    reply = co_await redis_.execute(std::move(by_sha));
  } catch (const cache::RedisUnavailable& error) {
    // Redis forgot its script cache (restart, SCRIPT FLUSH, a failover): send
    // the script itself, which caches it again for the next EVALSHA.
    if (std::string_view(error.what()).find("NOSCRIPT") == std::string_view::npos) throw;
  }
  if (!reply) {
    std::vector<std::string> by_text{"EVAL", script()};
    by_text.insert(by_text.end(), arguments.begin(), arguments.end());
    reply = co_await redis_.execute(std::move(by_text));
  }
  if (reply->type != cache::RedisReply::Type::string) {
    throw cache::RedisUnavailable("rate limit script returned an unexpected reply: " + reply->text);
  }
  co_return std::move(reply->text);
}

boost::asio::awaitable<RateDecision> RedisRateLimiter::acquire(std::string key, std::uint64_t cost) {
  std::string redis_key = options_.key_prefix + policy_.name + ":" + key;
  std::string answer;
  std::string failure;
  try {
    answer = co_await evaluate(std::move(redis_key), cost);
  } catch (const cache::RedisUnavailable& error) {
    failure = error.what();
  }
  if (!failure.empty()) co_return decide_without_redis(failure);

  std::string_view rest(answer);
  const auto allowed = next_number(rest);
  const auto remaining = next_number(rest);
  const auto reset_us = next_number(rest);
  const auto retry_us = next_number(rest);
  if (!allowed || !remaining || !reset_us || !retry_us) {
    co_return decide_without_redis("rate limit script returned " + answer);
  }
  RateDecision decision;
  decision.allowed = *allowed == 1;
  decision.limit = policy_.limit;
  decision.remaining = static_cast<std::uint64_t>(std::max<std::int64_t>(0, *remaining));
  decision.reset = seconds_up(*reset_us);
  if (!decision.allowed) decision.retry_after = std::max(std::chrono::seconds(1), seconds_up(*retry_us));
  (decision.allowed ? metrics_.allowed : metrics_.denied).inc();
  co_return decision;
}

RateDecision RedisRateLimiter::decide_without_redis(const std::string& why) {
  const bool open = options_.failure_mode == FailureMode::open;
  (open ? metrics_.failed_open : metrics_.failed_closed).inc();
  (open ? metrics_.allowed : metrics_.denied).inc();

  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.monotonic().time_since_epoch()).count();
  auto last = last_failure_log_ns_.load(std::memory_order_relaxed);
  if ((last == 0 || now - last >= std::chrono::nanoseconds(kFailureLogInterval).count()) &&
      last_failure_log_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    core::log::warn("rate_limit_backend_failed",
                    {{"policy", policy_.name}, {"mode", open ? "open" : "closed"}, {"error", why}});
  }

  RateDecision decision;
  decision.allowed = open;
  decision.limit = policy_.limit;
  decision.remaining = open ? policy_.limit : 0;
  decision.reset = open ? std::chrono::seconds(0) : std::chrono::seconds(1);
  decision.retry_after = open ? std::chrono::seconds(0) : std::chrono::seconds(1);
  return decision;
}

}  // namespace orderly::resilience
