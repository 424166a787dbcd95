#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/problem.hpp"
#include "net/http_message.hpp"

namespace orderly::net {

// The request body as a JSON object. Throws the 400 ProblemError
// (/problems/malformed-json) for an empty or unparsable body or one that is
// not an object. API.md: unparsable JSON is 400, wrong types are 422.
[[nodiscard]] boost::json::object parse_json_object(const Request& request);

// Reads fields of a JSON object and collects every problem before failing,
// so a client sees all its mistakes at once:
//
//   FieldReader fields(body);
//   auto email = fields.required_string("email", 254);
//   auto name = fields.optional_string("name", 100);
//   fields.throw_if_invalid();  // 422 /problems/validation with errors[]
//
// Unknown fields are ignored. A missing or mistyped field yields an empty
// value and an error; the values are meaningful only after throw_if_invalid().
class FieldReader {
 public:
  explicit FieldReader(const boost::json::object& object) : object_(object) {}

  // A string of 1..max_length bytes (whitespace-only counts as empty).
  std::string required_string(std::string_view field, std::size_t max_length);
  std::optional<std::string> optional_string(std::string_view field, std::size_t max_length);
  std::int64_t required_integer(std::string_view field, std::int64_t min, std::int64_t max);
  std::optional<std::int64_t> optional_integer(std::string_view field, std::int64_t min, std::int64_t max);
  // Present and an array (possibly empty); nullptr and an error otherwise.
  const boost::json::array* required_array(std::string_view field);
  const boost::json::object* required_object(std::string_view field);

  void add_error(std::string field, std::string message);
  [[nodiscard]] bool valid() const { return errors_.empty(); }
  void throw_if_invalid() const;

 private:
  const boost::json::object& object_;
  std::vector<core::Problem::FieldError> errors_;
};

}  // namespace orderly::net
