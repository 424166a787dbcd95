#include "cache/redis_primary.hpp"

#include <charconv>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace orderly::cache {
namespace asio = boost::asio;

namespace {

std::string address_of(const std::string& ip, std::uint16_t port) { return ip + ":" + std::to_string(port); }

}  // namespace

RedisPrimary::RedisPrimary(std::string ip, std::uint16_t port) : stale_(false) {
  target_ = Target{ip, port, address_of(ip, port), 1};
}

RedisPrimary::RedisPrimary(SentinelSettings sentinel) : sentinel_(std::move(sentinel)) {
  target_.address = "the primary named by Redis Sentinel (not known yet)";
}

RedisPrimary::Target RedisPrimary::current() const {
  const std::lock_guard lock(mutex_);
  return target_;
}

bool RedisPrimary::needs_refresh() const {
  if (!follows_sentinel()) return false;
  const std::lock_guard lock(mutex_);
  return (target_.epoch == 0 || stale_) && !refreshing_ &&
         std::chrono::steady_clock::now() >= last_refresh_ + sentinel_.min_interval;
}

void RedisPrimary::mark_stale(std::uint64_t epoch) {
  if (!follows_sentinel()) return;
  const std::lock_guard lock(mutex_);
  if (target_.epoch == epoch) stale_ = true;
}

asio::awaitable<std::string> RedisPrimary::refresh(asio::any_io_executor loop) {
  {
    const std::lock_guard lock(mutex_);
    if (refreshing_) co_return std::string{};
    refreshing_ = true;
    last_refresh_ = std::chrono::steady_clock::now();
  }
  struct Done {
    RedisPrimary& self;
    ~Done() {
      const std::lock_guard lock(self.mutex_);
      self.refreshing_ = false;
    }
  } done{*this};

  std::string failure("no Sentinel configured");
  for (const auto& sentinel : sentinel_.sentinels) {
    auto connection = RedisConnection::open(loop, sentinel.host, sentinel.port, sentinel.to_string(),
                                            sentinel_.credentials);
    std::vector<std::string> lookup{std::string("SENTINEL"), std::string("get-master-addr-by-name"),
                                    sentinel_.master_name};
    auto [ec, reply] =
        co_await connection->execute(std::move(lookup), sentinel_.timeout, asio::as_tuple(asio::use_awaitable));
    connection->close("lookup done");
    std::uint16_t port = 0;
    if (ec || reply.type == RedisReply::Type::error) {
      failure = "Sentinel " + sentinel.to_string() + ": " + reply.text;
      continue;
    }
    const auto& parts = reply.elements;
    if (parts.size() != 2 ||
        std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), port).ec != std::errc() || port == 0) {
      failure = "Sentinel " + sentinel.to_string() + " knows no primary named " + sentinel_.master_name;
      continue;
    }
    const std::lock_guard lock(mutex_);
    stale_ = false;
    if (target_.ip != parts[0] || target_.port != port) {
      const auto old = target_.address;
      target_ = Target{parts[0], port, address_of(parts[0], port), target_.epoch + 1};
      core::log::info("cache.redis.primary_changed",
                      {{"master", sentinel_.master_name}, {"from", old}, {"to", target_.address},
                       {"sentinel", sentinel.to_string()}});
    }
    co_return std::string();
  }
  core::log::warn("cache.redis.sentinel_lookup_failed", {{"master", sentinel_.master_name}, {"error", failure}});
  co_return failure;
}

}  // namespace orderly::cache
