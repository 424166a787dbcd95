// decode_message on hostile header values (fuzz/README.md, amqp_envelope).
#include "queue/rabbitmq/amqp_envelope.hpp"

#include <array>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace orderly::queue::rabbitmq {
namespace {

amqp_table_entry_t integer_entry(const char* key, std::uint8_t kind, std::uint64_t bits) {
  amqp_table_entry_t entry{};
  entry.key = amqp_cstring_bytes(key);
  entry.value.kind = kind;
  entry.value.value.u64 = bits;
  return entry;
}

IncomingMessage decode_headers(std::array<amqp_table_entry_t, 3> headers, std::uint64_t timestamp = 0) {
  amqp_message_t message{};
  message.properties._flags = AMQP_BASIC_HEADERS_FLAG | (timestamp != 0 ? AMQP_BASIC_TIMESTAMP_FLAG : 0);
  message.properties.headers = amqp_table_t{static_cast<int>(headers.size()), headers.data()};
  message.properties.timestamp = timestamp;
  return decode_message(message);
}

// Before the clamp: INT32_MAX + INT32_MAX + 1 in the session overflowed
// (UB), a negative count postponed the dead-letter queue, and a u64 schema
// version 2^32 + 1 read as version 1.
TEST(AmqpEnvelope, CountsAreClampedAndVersionsAreNotTruncated) {
  const auto huge = decode_headers({integer_entry(kFailedAttemptsHeader, AMQP_FIELD_KIND_I32, INT32_MAX),
                                    integer_entry(kDeliveryCountHeader, AMQP_FIELD_KIND_U64, UINT64_MAX),
                                    integer_entry(kSchemaVersionHeader, AMQP_FIELD_KIND_U64, (1ULL << 32) + 1)});
  EXPECT_EQ(huge.failed_attempts, kMaxAttemptCount);
  EXPECT_EQ(huge.delivery_count, kMaxAttemptCount);
  EXPECT_EQ(huge.message.schema_version, 0);
  const auto negative = decode_headers({integer_entry(kFailedAttemptsHeader, AMQP_FIELD_KIND_I64, static_cast<std::uint64_t>(-5)),
                                        integer_entry(kDeliveryCountHeader, AMQP_FIELD_KIND_I8, 3),
                                        integer_entry(kSchemaVersionHeader, AMQP_FIELD_KIND_U8, 2)});
  EXPECT_EQ(negative.failed_attempts, 0);
  EXPECT_EQ(negative.delivery_count, 3);
  EXPECT_EQ(negative.message.schema_version, 2);
}

TEST(AmqpEnvelope, ATimestampOutsideTheYears0To9999GivesNoCreatedAt) {
  EXPECT_EQ(rfc3339_utc(1765147994), "2025-12-07T22:53:14Z");
  EXPECT_EQ(rfc3339_utc(INT64_MAX), "");
  EXPECT_EQ(rfc3339_utc(253402300800), "");  // 10000-01-01
  EXPECT_EQ(rfc3339_utc(-34359803137), "0881-03-07T02:14:23Z");  // strftime's %Y wrote 881 (the fuzz target)
  const auto late = decode_headers({integer_entry("x-other", AMQP_FIELD_KIND_I8, 0), integer_entry("x-b", AMQP_FIELD_KIND_I8, 0),
                                    integer_entry("x-c", AMQP_FIELD_KIND_I8, 0)},
                                   UINT64_MAX);
  EXPECT_EQ(late.message.created_at, "");
}

}  // namespace
}  // namespace orderly::queue::rabbitmq
