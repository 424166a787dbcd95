#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace orderly::core {

// What a call to another service carries from the work that caused it: the
// request id and W3C traceparent for logs and traces, and the deadline by
// which the caller stops waiting. A background job (the saga) passes its own
// or an empty one. Passed by value into coroutines, and never defaulted in
// an interface: GCC 12 frees a defaulted temporary argument inside a
// co_await (docs/coroutines.md), so every caller names the one it passes.
struct CallContext {
  std::string request_id;
  std::string traceparent;
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

}  // namespace orderly::core
