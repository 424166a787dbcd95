#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace orderly::core {

// Another service (or the engine behind it) cannot answer now: it is down,
// timed out, its breaker is open, or it said 503. The request boundary turns
// it into 503 with Retry-After, never 500 and never a hang; a background job
// (the checkout saga) retries later. `what()` names the service and the
// operation, never a payload.
class ServiceUnavailable : public std::runtime_error {
 public:
  ServiceUnavailable(std::string service, const std::string& what,
                     std::chrono::seconds retry_after = std::chrono::seconds(1))
      : std::runtime_error(what), service_(std::move(service)), retry_after_(retry_after) {}

  [[nodiscard]] const std::string& service() const { return service_; }
  [[nodiscard]] std::chrono::seconds retry_after() const { return retry_after_; }

 private:
  std::string service_;
  std::chrono::seconds retry_after_;
};

}  // namespace orderly::core
