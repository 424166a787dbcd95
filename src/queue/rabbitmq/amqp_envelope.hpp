#pragma once

#include <amqp.h>

#include <array>
#include <cstdint>
#include <string>

#include "queue/message.hpp"

namespace orderly::queue::rabbitmq {

// How a Message travels on RabbitMQ: id in the message_id property, type in
// type, created_at both as the AMQP timestamp (seconds) and, exactly, in a
// header; schema version, traceparent, the count of failed attempts and the
// last failure reason in headers; the payload as the body. Persistent
// (delivery mode 2).
inline constexpr const char* kSchemaVersionHeader = "x-orderly-schema-version";
inline constexpr const char* kTraceparentHeader = "traceparent";
inline constexpr const char* kCreatedAtHeader = "x-orderly-created-at";
inline constexpr const char* kFailedAttemptsHeader = "x-orderly-failed-attempts";
inline constexpr const char* kLastErrorHeader = "x-orderly-last-error";
// Set by quorum queues on a redelivery (the previous delivery was returned:
// the consumer's channel closed without an ack). Starts again from zero when
// a message is republished, which is why failed attempts have a header of ours.
inline constexpr const char* kDeliveryCountHeader = "x-delivery-count";

// The AMQP properties of one outgoing message. They point into this object,
// so it is neither copied nor moved; keep it alive until the publish call returns.
class OutgoingProperties {
 public:
  OutgoingProperties(const Message& message, int failed_attempts, const std::string& last_error);
  OutgoingProperties(const OutgoingProperties&) = delete;
  OutgoingProperties& operator=(const OutgoingProperties&) = delete;

  [[nodiscard]] const amqp_basic_properties_t* get() const { return &properties_; }

 private:
  std::string id_;
  std::string type_;
  std::string traceparent_;
  std::string created_at_;
  std::string last_error_;
  std::array<amqp_table_entry_t, 5> headers_{};
  amqp_basic_properties_t properties_{};
};

// The most failed attempts or deliveries decode_message reports: a count
// header out of [0, this] (a negative or huge value from a corrupt message
// or another producer) is clamped, so the session's `failed + delivered + 1`
// cannot overflow and a negative count cannot postpone the dead-letter queue.
inline constexpr int kMaxAttemptCount = 1'000'000;

// What a delivery carried.
struct IncomingMessage {
  Message message;          // `queue` is left empty: the caller knows where it read it from
  int failed_attempts = 0;  // from our header
  int delivery_count = 0;   // from the quorum queue's header
  std::string last_error;
};

[[nodiscard]] IncomingMessage decode_message(const amqp_message_t& message);

// RFC 3339 UTC with second precision, as the embedded broker writes created_at;
// empty for a time outside the years 0000-9999.
[[nodiscard]] std::string rfc3339_utc(std::int64_t seconds_since_epoch);

}  // namespace orderly::queue::rabbitmq
