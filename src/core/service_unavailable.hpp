#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

namespace orderly::core {

// Marks an error of a lower layer (the store: the database is unreachable or
// failing over) as "cannot answer now, retry": the request boundary answers
// 503 with Retry-After for it, as for ServiceUnavailable. Not an exception of
// its own (the error derives from its layer's exception type and this), so
// catching std::exception still catches it.
class TemporarilyUnavailable {
 public:
  virtual ~TemporarilyUnavailable() = default;
  [[nodiscard]] virtual std::chrono::seconds retry_after() const { return std::chrono::seconds(1); }
  // What cannot answer, for the log (never in a response body).
  [[nodiscard]] virtual const char* dependency() const = 0;

 protected:
  TemporarilyUnavailable() = default;
  TemporarilyUnavailable(const TemporarilyUnavailable&) = default;
  TemporarilyUnavailable& operator=(const TemporarilyUnavailable&) = default;
};

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
