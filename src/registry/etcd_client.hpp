#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/config.hpp"
#include "net/http_client.hpp"

namespace orderly::registry {

// etcd did not answer, or answered with something other than success.
class EtcdError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KeyValue {
  std::string key;
  std::string value;
};

// What a prefix holds at one revision of the store.
struct RangeResult {
  std::vector<KeyValue> entries;
  std::string revision;  // etcd's 64-bit revision, as the decimal string its JSON gateway sends
};

// The few calls of etcd's v3 API the registry needs, through its JSON gateway
// (POST /v3/...) on the project's HTTP client. Keys and values travel base64
// encoded; lease ids and revisions are 64-bit numbers that the gateway sends
// as JSON strings (they exceed 2^53), so they stay strings here.
//
// Several members of one etcd cluster may be given: a call goes to the
// member that answered last, and when that one is unreachable, times out or
// answers 5xx (no quorum on its side), to the next, each once; the member
// that answers becomes the one later calls start with. Every call to a
// member is bounded by `timeout`; a call throws EtcdError (every member
// unreachable, a non-200 answer or a body that is not what etcd sends).
// Thread-safe as HttpClient is: call from a coroutine on an event loop.
class EtcdClient {
 public:
  EtcdClient(net::HttpClient& http, core::HostPort endpoint, std::chrono::milliseconds timeout);
  // `members` must not be empty.
  EtcdClient(net::HttpClient& http, std::vector<core::HostPort> members, std::chrono::milliseconds timeout);

  // A lease that expires `ttl` after its last keep-alive (etcd's minimum is 2 s).
  boost::asio::awaitable<std::string> grant(std::chrono::seconds ttl);
  // Renews `lease`; false when etcd no longer knows it (it expired, or was revoked).
  boost::asio::awaitable<bool> keep_alive(std::string lease);
  // Ends `lease` now: every key attached to it is deleted.
  boost::asio::awaitable<void> revoke(std::string lease);
  // Sets `key`, attached to `lease` (gone with it) unless `lease` is empty.
  boost::asio::awaitable<void> put(std::string key, std::string value, std::string lease);
  // Every key that starts with `prefix` (not empty), in key order.
  boost::asio::awaitable<RangeResult> range(std::string prefix);

  // The member the next call starts with.
  [[nodiscard]] const core::HostPort& endpoint() const { return members_[current_.load() % members_.size()]; }

 private:
  boost::asio::awaitable<std::string> post(std::string path, std::string body);

  net::HttpClient& http_;
  std::vector<core::HostPort> members_;
  std::atomic<std::size_t> current_{0};
  std::chrono::milliseconds timeout_;
};

// Base64 (RFC 4648, padded) as etcd's JSON gateway wants keys and values.
[[nodiscard]] std::string base64_encode(std::string_view bytes);
// Throws EtcdError on text that is not base64.
[[nodiscard]] std::string base64_decode(std::string_view text);
// The range_end that makes [prefix, range_end) every key starting with `prefix`.
[[nodiscard]] std::string prefix_end(std::string prefix);

}  // namespace orderly::registry
