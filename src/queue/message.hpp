#pragma once

#include <cstdint>
#include <string>

namespace orderly::queue {

// What travels through a queue. Every message carries its id (the inbox
// dedupes on it), its type and schema version (consumers check both before
// reading the payload), the trace context of the request that caused it, and
// when it was created.
struct Message {
  std::string id;
  std::string queue;    // destination, e.g. "notifications"
  std::string type;     // e.g. "order.paid"
  int schema_version = 1;
  std::string payload;  // JSON text
  std::string traceparent;
  std::string created_at;  // RFC 3339 UTC
};

// A message handed to a consumer. `receipt` identifies this delivery: an
// ack or nack with a stale receipt (the lease expired and the message went
// to another consumer) does nothing.
struct Delivery {
  Message message;
  int attempt = 1;  // 1 for the first delivery
  std::string receipt;
};

// A message in a dead-letter queue, with what operators need to judge it:
// how often it was tried and the consumer's last reason for refusing it.
struct DeadLetter {
  Message message;
  int attempts = 0;
  std::string last_error;
};

}  // namespace orderly::queue
