#pragma once

#include <string_view>

namespace orderly::rpc {

// Whether `id` may go into an internal API path as one segment as it is:
// the platform's ids are [A-Za-z0-9_-]. Anything else would be a forged path
// (a '/', '..', '%'), so a client refuses it before sending.
[[nodiscard]] inline bool is_safe_path_segment(std::string_view id) {
  if (id.empty()) return false;
  for (const char c : id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_';
    if (!safe) return false;
  }
  return true;
}

}  // namespace orderly::rpc
