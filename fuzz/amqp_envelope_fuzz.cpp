// The RabbitMQ message envelope: queue::rabbitmq::decode_message (what the
// session reads from every delivery: id, type, body, and the headers
// schema version, traceparent, created_at, failed attempts, quorum
// delivery count, last error) on hostile AMQP properties, and
// OutgoingProperties (how a message is published) for the round trip.
// The bytes build the properties: flags, id, type, timestamp, then up to 12
// header entries (a key, known or not, of any field kind), the rest the body.
// Properties: the two counts are in [0, kMaxAttemptCount], so the session's
// `failed + delivered + 1` cannot overflow; a created_at made from the AMQP
// timestamp is RFC 3339 (YYYY-MM-DDTHH:MM:SSZ) or empty; and
// decode(publish(m)) gives m back (id, type, payload, schema version,
// traceparent, created_at, failed attempts, last error).
#include <amqp.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "property.hpp"
#include "queue/rabbitmq/amqp_envelope.hpp"

namespace {

using namespace orderly::queue;
using namespace orderly::queue::rabbitmq;

// Reads the fuzz input front to back; past the end, zeros and empty strings.
class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  std::uint8_t byte() {
    if (data_.empty()) return 0;
    const auto value = static_cast<std::uint8_t>(data_.front());
    data_.remove_prefix(1);
    return value;
  }
  std::uint64_t number(std::size_t width) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | byte();
    return value;
  }
  std::string text() {  // a length byte, then that many bytes
    const auto length = std::min<std::size_t>(byte(), data_.size());
    std::string value(data_.substr(0, length));
    data_.remove_prefix(length);
    return value;
  }
  std::string rest() {
    std::string value(data_);
    data_ = {};
    return value;
  }

 private:
  std::string_view data_;
};

amqp_bytes_t bytes_of(std::string& text) { return amqp_bytes_t{text.size(), text.data()}; }

constexpr std::array<const char*, 7> kKeys = {kSchemaVersionHeader, kTraceparentHeader,   kCreatedAtHeader,
                                              kFailedAttemptsHeader, kDeliveryCountHeader, kLastErrorHeader,
                                              "x-other"};
constexpr std::array<std::uint8_t, 13> kKinds = {
    AMQP_FIELD_KIND_I8,  AMQP_FIELD_KIND_U8,  AMQP_FIELD_KIND_I16,     AMQP_FIELD_KIND_U16,  AMQP_FIELD_KIND_I32,
    AMQP_FIELD_KIND_U32, AMQP_FIELD_KIND_I64, AMQP_FIELD_KIND_U64,     AMQP_FIELD_KIND_UTF8, AMQP_FIELD_KIND_BYTES,
    AMQP_FIELD_KIND_F64, AMQP_FIELD_KIND_BOOLEAN, AMQP_FIELD_KIND_VOID};

bool is_rfc3339_seconds(std::string_view text) {
  constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(text[i])) : text[i] != shape[i]) return false;
  }
  return true;
}

void check_decode(Bytes& in) {
  amqp_message_t message{};
  auto& properties = message.properties;
  properties._flags = static_cast<amqp_flags_t>(in.number(2));
  std::string id = in.text(), type = in.text();
  properties.message_id = bytes_of(id);
  properties.type = bytes_of(type);
  properties.timestamp = in.number(8);
  const std::size_t count = in.byte() % 13;
  std::array<std::string, 12> keys, texts;
  std::array<amqp_table_entry_t, 12> entries{};
  for (std::size_t i = 0; i < count; ++i) {
    const auto key = in.byte();
    keys[i] = key < 128 ? kKeys[key % kKeys.size()] : in.text();
    entries[i].key = bytes_of(keys[i]);
    auto& value = entries[i].value;
    value.kind = kKinds[in.byte() % kKinds.size()];
    if (value.kind == AMQP_FIELD_KIND_UTF8 || value.kind == AMQP_FIELD_KIND_BYTES) {
      texts[i] = in.text();
      value.value.bytes = bytes_of(texts[i]);
    } else {
      const auto bits = in.number(8);
      std::memcpy(&value.value.u64, &bits, sizeof bits);  // every integer member aliases its low bytes
    }
  }
  properties.headers = amqp_table_t{static_cast<int>(count), entries.data()};
  std::string body = in.rest();
  message.body = bytes_of(body);

  const auto incoming = decode_message(message);
  FUZZ_PROPERTY(incoming.failed_attempts >= 0 && incoming.failed_attempts <= kMaxAttemptCount);
  FUZZ_PROPERTY(incoming.delivery_count >= 0 && incoming.delivery_count <= kMaxAttemptCount);
  FUZZ_PROPERTY(incoming.message.payload == body);
  bool created_header = false;
  for (std::size_t i = 0; i < count; ++i) created_header |= keys[i] == kCreatedAtHeader;
  if (!created_header && (properties._flags & AMQP_BASIC_TIMESTAMP_FLAG) != 0) {
    const auto& created = incoming.message.created_at;
    FUZZ_PROPERTY(created.empty() || is_rfc3339_seconds(created));
  }
}

void check_round_trip(Bytes& in) {
  Message message;
  message.id = in.text();
  message.type = in.text();
  message.schema_version = static_cast<int>(in.number(4));
  message.traceparent = in.text();
  message.created_at = in.text();
  const auto failed = static_cast<int>(in.number(3) % (kMaxAttemptCount + 1));
  const auto last_error = in.text();
  message.payload = in.rest();
  const OutgoingProperties outgoing(message, failed, last_error);
  amqp_message_t delivered{};
  delivered.properties = *outgoing.get();
  delivered.body = amqp_bytes_t{message.payload.size(), message.payload.data()};
  const auto back = decode_message(delivered);
  FUZZ_PROPERTY(back.message.id == message.id && back.message.type == message.type);
  FUZZ_PROPERTY(back.message.payload == message.payload);
  FUZZ_PROPERTY(back.message.schema_version == message.schema_version);
  FUZZ_PROPERTY(back.message.traceparent == message.traceparent);
  FUZZ_PROPERTY(back.message.created_at == message.created_at || (message.created_at.empty() && is_rfc3339_seconds(back.message.created_at)));
  FUZZ_PROPERTY(back.failed_attempts == failed && back.delivery_count == 0);
  FUZZ_PROPERTY(back.last_error == last_error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  Bytes in(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  if (data[0] % 2 == 0) {
    check_decode(in);
  } else {
    check_round_trip(in);
  }
  return 0;
}
