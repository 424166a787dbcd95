#include "net/json_body.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/parse.hpp>

namespace orderly::net {

boost::json::object parse_json_object(const Request& request) {
  boost::system::error_code error;
  auto value = boost::json::parse(request.body, error);
  if (error) {
    throw core::ProblemError({400, "/problems/malformed-json", "Malformed JSON", "the body is not valid JSON", {}});
  }
  if (!value.is_object()) {
    throw core::ProblemError({400, "/problems/malformed-json", "Malformed JSON", "the body must be a JSON object", {}});
  }
  return std::move(value.as_object());
}

std::optional<std::string> FieldReader::optional_string(std::string_view field, std::size_t max_length) {
  const auto* value = object_.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_string()) {
    add_error(std::string(field), "must be a string");
    return std::nullopt;
  }
  const auto& text = value->as_string();
  if (text.size() > max_length) {
    add_error(std::string(field), "must be at most " + std::to_string(max_length) + " bytes");
    return std::nullopt;
  }
  return std::string(text);
}

std::string FieldReader::required_string(std::string_view field, std::size_t max_length) {
  const bool present = object_.if_contains(field) != nullptr && !object_.at(field).is_null();
  auto text = optional_string(field, max_length);
  if (!text) {
    if (!present) add_error(std::string(field), "is required");
    return {};
  }
  if (std::all_of(text->begin(), text->end(), [](unsigned char c) { return std::isspace(c); })) {
    add_error(std::string(field), "must not be empty");
    return {};
  }
  return *text;
}

std::optional<std::int64_t> FieldReader::optional_integer(std::string_view field, std::int64_t min, std::int64_t max) {
  const auto* value = object_.if_contains(field);
  if (value == nullptr || value->is_null()) return std::nullopt;
  std::optional<std::int64_t> number;
  if (value->is_int64()) number = value->as_int64();
  if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(max)) {
    number = static_cast<std::int64_t>(value->as_uint64());
  }
  if (!number && !value->is_uint64()) {
    add_error(std::string(field), "must be an integer");
    return std::nullopt;
  }
  if (!number || *number < min || *number > max) {
    add_error(std::string(field), "must be from " + std::to_string(min) + " to " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::int64_t FieldReader::required_integer(std::string_view field, std::int64_t min, std::int64_t max) {
  const auto* value = object_.if_contains(field);
  if (value == nullptr || value->is_null()) {
    add_error(std::string(field), "is required");
    return 0;
  }
  return optional_integer(field, min, max).value_or(0);
}

const boost::json::array* FieldReader::required_array(std::string_view field) {
  const auto* value = object_.if_contains(field);
  if (value == nullptr || !value->is_array()) {
    add_error(std::string(field), value == nullptr ? "is required" : "must be an array");
    return nullptr;
  }
  return &value->as_array();
}

const boost::json::object* FieldReader::required_object(std::string_view field) {
  const auto* value = object_.if_contains(field);
  if (value == nullptr || !value->is_object()) {
    add_error(std::string(field), value == nullptr ? "is required" : "must be an object");
    return nullptr;
  }
  return &value->as_object();
}

void FieldReader::add_error(std::string field, std::string message) {
  errors_.push_back({std::move(field), std::move(message)});
}

void FieldReader::throw_if_invalid() const {
  if (errors_.empty()) return;
  throw core::ProblemError({422, "/problems/validation", "Invalid request", "some fields are invalid", errors_});
}

}  // namespace orderly::net
