#include "core/trace_context.hpp"

#include <algorithm>

#include "core/ids.hpp"

namespace orderly::core {
namespace {

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::optional<TraceContext> TraceContext::parse(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" trace-flags, e.g.
  // 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
  constexpr std::size_t kLength = 55;
  if (header.size() < kLength || header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  const auto version = header.substr(0, 2);
  const auto trace_id = header.substr(3, 32);
  const auto parent_id = header.substr(36, 16);
  const auto flags = header.substr(53, 2);
  if (!is_lower_hex(version) || version == "ff") return std::nullopt;
  // Version 00 has exactly this length; later versions may append fields.
  if (version == "00" && header.size() != kLength) return std::nullopt;
  if (version != "00" && header.size() > kLength && header[kLength] != '-') return std::nullopt;
  if (!is_lower_hex(trace_id) || is_all_zero(trace_id)) return std::nullopt;
  if (!is_lower_hex(parent_id) || is_all_zero(parent_id)) return std::nullopt;
  if (!is_lower_hex(flags)) return std::nullopt;

  TraceContext context;
  context.trace_id = std::string(trace_id);
  context.span_id = std::string(parent_id);
  context.flags = static_cast<unsigned>(std::stoul(std::string(flags), nullptr, 16));
  return context;
}

TraceContext TraceContext::start(Random& random) {
  TraceContext context;
  do {
    context.trace_id = random_hex(random, 16);
  } while (is_all_zero(context.trace_id));
  do {
    context.span_id = random_hex(random, 8);
  } while (is_all_zero(context.span_id));
  context.flags = 1;
  return context;
}

TraceContext TraceContext::child(Random& random) const {
  TraceContext next;
  next.trace_id = trace_id;
  next.parent_span_id = span_id;
  do {
    next.span_id = random_hex(random, 8);
  } while (is_all_zero(next.span_id) || next.span_id == span_id);
  next.flags = flags;
  return next;
}

std::string TraceContext::traceparent() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  // Built by hand rather than with fmt: this runs on every request (traceresponse).
  std::string out;
  out.reserve(55);
  out += "00-";
  out += trace_id;
  out += '-';
  out += span_id;
  out += '-';
  out += kDigits[(flags >> 4U) & 0xFU];
  out += kDigits[flags & 0xFU];
  return out;
}

}  // namespace orderly::core
