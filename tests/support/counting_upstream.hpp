#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace orderly::testing {

// An HTTP/1.1 upstream for gateway tests that counts every request it
// receives: it listens on `listeners` free loopback ports (the gateway sees
// them as separate instances) and answers 503 to targets starting with
// `failing_prefix`, 200 to everything else, keeping connections alive. Runs
// on its own thread (Asio); stops and closes every connection when destroyed.
class CountingUpstream {
 public:
  CountingUpstream(int listeners, std::string failing_prefix);
  ~CountingUpstream();
  CountingUpstream(const CountingUpstream&) = delete;
  CountingUpstream& operator=(const CountingUpstream&) = delete;

  [[nodiscard]] std::vector<std::uint16_t> ports() const;
  // Requests received on every listener so far, and those answered 503.
  [[nodiscard]] long requests() const;
  [[nodiscard]] long failed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orderly::testing
