#include "queue/rabbitmq/amqp_envelope.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string_view>

namespace orderly::queue::rabbitmq {

namespace {

amqp_bytes_t bytes_of(const std::string& text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // rabbitmq-c only reads it
}

std::string_view view_of(amqp_bytes_t bytes) {
  return bytes.len == 0 ? std::string_view() : std::string_view(static_cast<const char*>(bytes.bytes), bytes.len);
}

amqp_table_entry_t text_entry(const char* key, const std::string& value) {
  amqp_table_entry_t entry{};
  entry.key = amqp_cstring_bytes(key);
  entry.value.kind = AMQP_FIELD_KIND_UTF8;
  entry.value.value.bytes = bytes_of(value);
  return entry;
}

amqp_table_entry_t int_entry(const char* key, int value) {
  amqp_table_entry_t entry{};
  entry.key = amqp_cstring_bytes(key);
  entry.value.kind = AMQP_FIELD_KIND_I32;
  entry.value.value.i32 = value;
  return entry;
}

// An integer header of any integer kind (RabbitMQ sends x-delivery-count as a long).
std::optional<std::int64_t> integer_of(const amqp_field_value_t& value) {
  switch (value.kind) {
    case AMQP_FIELD_KIND_I8:
      return value.value.i8;
    case AMQP_FIELD_KIND_U8:
      return value.value.u8;
    case AMQP_FIELD_KIND_I16:
      return value.value.i16;
    case AMQP_FIELD_KIND_U16:
      return value.value.u16;
    case AMQP_FIELD_KIND_I32:
      return value.value.i32;
    case AMQP_FIELD_KIND_U32:
      return value.value.u32;
    case AMQP_FIELD_KIND_I64:
      return value.value.i64;
    case AMQP_FIELD_KIND_U64:
      return static_cast<std::int64_t>(std::min<std::uint64_t>(value.value.u64, INT64_MAX));
    default:
      return std::nullopt;
  }
}

// The schema version: 0 (no version a consumer knows) when it is not an int,
// rather than the low bits of a larger number (4294967297 is not version 1).
int version_of(const amqp_field_value_t& value) {
  const auto number = integer_of(value);
  return number && *number >= INT_MIN && *number <= INT_MAX ? static_cast<int>(*number) : 0;
}

int count_of(const amqp_field_value_t& value) {
  return static_cast<int>(std::clamp<std::int64_t>(integer_of(value).value_or(0), 0, kMaxAttemptCount));
}

std::string text_of(const amqp_field_value_t& value) {
  if (value.kind == AMQP_FIELD_KIND_UTF8 || value.kind == AMQP_FIELD_KIND_BYTES) {
    return std::string(view_of(value.value.bytes));
  }
  return {};
}

}  // namespace

std::string rfc3339_utc(std::int64_t seconds_since_epoch) {
  const auto seconds = static_cast<std::time_t>(seconds_since_epoch);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr || utc.tm_year < -1900 || utc.tm_year > 9999 - 1900) return {};
  // %04d, not strftime's %Y: the year 881 must read 0881 (RFC 3339 wants four digits).
  char text[80];  // room for any int fields, so GCC sees no truncation
  const auto length = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", utc.tm_year + 1900,
                                    utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return std::string(text, static_cast<std::size_t>(length));
}

OutgoingProperties::OutgoingProperties(const Message& message, int failed_attempts, const std::string& last_error)
    : id_(message.id),
      type_(message.type),
      traceparent_(message.traceparent),
      created_at_(message.created_at),
      last_error_(last_error) {
  std::size_t count = 0;
  headers_[count++] = int_entry(kSchemaVersionHeader, message.schema_version);
  headers_[count++] = text_entry(kTraceparentHeader, traceparent_);
  headers_[count++] = text_entry(kCreatedAtHeader, created_at_);
  headers_[count++] = int_entry(kFailedAttemptsHeader, failed_attempts);
  if (!last_error_.empty()) headers_[count++] = text_entry(kLastErrorHeader, last_error_);

  properties_._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG |
                       AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_HEADERS_FLAG;
  properties_.content_type = amqp_cstring_bytes("application/json");
  properties_.delivery_mode = 2;  // persistent
  properties_.message_id = bytes_of(id_);
  properties_.type = bytes_of(type_);
  properties_.headers = amqp_table_t{static_cast<int>(count), headers_.data()};

  // The AMQP timestamp too, for tools that show it (seconds since the epoch).
  std::tm parsed{};
  if (strptime(created_at_.c_str(), "%Y-%m-%dT%H:%M:%S", &parsed) != nullptr) {
    properties_._flags |= AMQP_BASIC_TIMESTAMP_FLAG;
    properties_.timestamp = static_cast<std::uint64_t>(timegm(&parsed));
  }
}

IncomingMessage decode_message(const amqp_message_t& message) {
  IncomingMessage incoming;
  const auto& properties = message.properties;
  auto& out = incoming.message;
  if ((properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) != 0) out.id = std::string(view_of(properties.message_id));
  if ((properties._flags & AMQP_BASIC_TYPE_FLAG) != 0) out.type = std::string(view_of(properties.type));
  out.payload = std::string(view_of(message.body));
  if ((properties._flags & AMQP_BASIC_HEADERS_FLAG) != 0) {
    for (int i = 0; i < properties.headers.num_entries; ++i) {
      const auto& entry = properties.headers.entries[i];
      const auto key = view_of(entry.key);
      if (key == kSchemaVersionHeader) {
        out.schema_version = version_of(entry.value);
      } else if (key == kTraceparentHeader) {
        out.traceparent = text_of(entry.value);
      } else if (key == kCreatedAtHeader) {
        out.created_at = text_of(entry.value);
      } else if (key == kFailedAttemptsHeader) {
        incoming.failed_attempts = count_of(entry.value);
      } else if (key == kDeliveryCountHeader) {
        incoming.delivery_count = count_of(entry.value);
      } else if (key == kLastErrorHeader) {
        incoming.last_error = text_of(entry.value);
      }
    }
  }
  // An unsigned timestamp past INT64_MAX is no time (as int64 it would read as before 1970).
  if (out.created_at.empty() && (properties._flags & AMQP_BASIC_TIMESTAMP_FLAG) != 0 &&
      properties.timestamp <= static_cast<std::uint64_t>(INT64_MAX)) {
    out.created_at = rfc3339_utc(static_cast<std::int64_t>(properties.timestamp));
  }
  return incoming;
}

}  // namespace orderly::queue::rabbitmq
