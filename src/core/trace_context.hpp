#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/random.hpp"

namespace orderly::core {

// W3C Trace Context (https://www.w3.org/TR/trace-context/), version 00.
//
// Each request gets its own span: when the client sent a valid `traceparent`,
// the request joins that trace and the client's span becomes the parent;
// otherwise a new trace starts. The span id is what outgoing calls and queue
// messages carry on as their parent.
struct TraceContext {
  std::string trace_id;        // 32 lowercase hex digits, not all zero
  std::string span_id;         // 16 lowercase hex digits, this process's span
  std::string parent_span_id;  // the caller's span, empty for a new trace
  unsigned flags = 0;          // bit 0: sampled

  // Parses a `traceparent` header; nullopt when it is malformed (the header is
  // then ignored, as the specification asks).
  [[nodiscard]] static std::optional<TraceContext> parse(std::string_view traceparent);

  // A new trace with a new root span (sampled).
  [[nodiscard]] static TraceContext start(Random& random);

  // A child span of this one: same trace, this span as the parent.
  [[nodiscard]] TraceContext child(Random& random) const;

  // The header value that passes this span on: 00-<trace>-<span>-<flags>.
  [[nodiscard]] std::string traceparent() const;
};

}  // namespace orderly::core
