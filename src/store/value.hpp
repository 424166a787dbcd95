#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace orderly::store {

// Bytes that must be stored as a BLOB / bytea, not as text.
struct Blob {
  std::string bytes;
  friend bool operator==(const Blob&, const Blob&) = default;
};

// One SQL value: NULL, integer, real, text or blob. Both dialects map onto
// these five (booleans are integers 0/1, timestamps are RFC 3339 text).
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

// A statement parameter. Converting constructors keep call sites short and
// unambiguous: {email, 5, std::nullopt} binds text, integer, NULL.
class Param {
 public:
  Param(std::nullptr_t) {}                  // NOLINT(google-explicit-constructor)
  Param(std::nullopt_t) {}                  // NOLINT(google-explicit-constructor)
  Param(bool value) : value_(std::int64_t{value}) {}  // NOLINT(google-explicit-constructor)
  template <class Integer, std::enable_if_t<std::is_integral_v<Integer> && !std::is_same_v<Integer, bool>, int> = 0>
  Param(Integer value) : value_(static_cast<std::int64_t>(value)) {}  // NOLINT(google-explicit-constructor)
  Param(double value) : value_(value) {}                               // NOLINT(google-explicit-constructor)
  Param(std::string value) : value_(std::move(value)) {}              // NOLINT(google-explicit-constructor)
  Param(std::string_view value) : value_(std::string(value)) {}       // NOLINT(google-explicit-constructor)
  Param(const char* value) : value_(std::string(value)) {}            // NOLINT(google-explicit-constructor)
  Param(Blob value) : value_(std::move(value)) {}                     // NOLINT(google-explicit-constructor)
  template <class T>
  Param(const std::optional<T>& value) {  // NOLINT(google-explicit-constructor)
    if (value) value_ = Param(*value).value_;
  }

  [[nodiscard]] const Value& value() const { return value_; }

 private:
  Value value_;
};

using Params = std::vector<Param>;

// Builds Params: co_await tx.execute(kFindUser, params(email)). Use it rather
// than a braced list inside co_await, which GCC 12 fails to compile
// ("array used as initializer").
template <class... Values>
[[nodiscard]] Params params(Values&&... values) {
  Params out;
  out.reserve(sizeof...(Values));
  (out.emplace_back(std::forward<Values>(values)), ...);
  return out;
}

}  // namespace orderly::store
