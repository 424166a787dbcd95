#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "cache/redis_connection.hpp"
#include "core/config.hpp"

namespace orderly::cache {

// Where the commands of a Redis client go: one fixed server, or the primary
// that Redis Sentinel names (SENTINEL get-master-addr-by-name), looked up
// again after the client saw it fail. Every change of address gets a new
// epoch, so each loop's pool notices it and drops its connections to the
// old one. Thread-safe: the pools of every loop share one.
class RedisPrimary {
 public:
  struct Target {
    std::string ip;  // numeric
    std::uint16_t port = 0;
    std::string address;  // ip:port, for logs and errors
    std::uint64_t epoch = 0;
  };

  struct SentinelSettings {
    std::vector<core::HostPort> sentinels;  // numeric addresses, asked in order
    std::string master_name;
    RedisCredentials credentials;  // for the Sentinels (requirepass); empty: none
    std::chrono::milliseconds timeout{1000};  // per Sentinel asked
    std::chrono::milliseconds min_interval{100};  // between two lookups, however many commands fail
  };

  // A fixed server.
  RedisPrimary(std::string ip, std::uint16_t port);
  // The primary the Sentinels name; nothing is known until refresh().
  explicit RedisPrimary(SentinelSettings sentinel);

  [[nodiscard]] Target current() const;
  [[nodiscard]] bool follows_sentinel() const { return !sentinel_.sentinels.empty(); }
  // True when the next command should ask the Sentinels first: nothing
  // known yet, or the current primary failed (and the lookup interval passed).
  [[nodiscard]] bool needs_refresh() const;
  // A command to the primary of `epoch` failed in a way that says it may no
  // longer be the primary (a connection error, a READONLY reply).
  void mark_stale(std::uint64_t epoch);

  // Asks the Sentinels in order until one names the primary; at most one
  // lookup runs at a time (another caller returns at once). Returns the
  // Sentinel's error when none answered; never throws for that.
  boost::asio::awaitable<std::string> refresh(boost::asio::any_io_executor loop);

 private:
  SentinelSettings sentinel_;
  mutable std::mutex mutex_;
  Target target_;
  bool stale_ = true;
  bool refreshing_ = false;
  std::chrono::steady_clock::time_point last_refresh_{};
};

}  // namespace orderly::cache
