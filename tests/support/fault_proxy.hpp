#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace orderly::testing {

// A TCP relay in front of an upstream, for fault tests: it listens on a free
// loopback port and pipes every connection to 127.0.0.1:target_port, holding
// each chunk the upstream sends back for `latency` (0 at first). Runs on its
// own thread (Asio); stops and closes every connection when destroyed.
class FaultProxy {
 public:
  explicit FaultProxy(std::uint16_t target_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void set_latency(std::chrono::milliseconds latency);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::testing
