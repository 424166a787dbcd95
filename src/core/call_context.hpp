#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace orderly::core {

// What a call to another service carries from the work that caused it: the
// request id and W3C traceparent for logs and traces, and the deadline by
// which the caller stops waiting. A background job (the saga) passes its own
// or none. Passed by value into coroutines (never by reference: see
// docs/coroutines.md).
struct CallContext {
  std::string request_id;
  std::string traceparent;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

}  // namespace orderly::core
