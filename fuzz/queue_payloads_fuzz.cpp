// The JSON payloads the notifications worker reads from its queue (stored
// in the outbox table, relayed through the broker): notify::
// order_event_from_json (order.paid, order.cancelled, ...) and auth::
// account_event_from_json (password reset, email verification), which
// notify::EmailWorker calls on every message.
// Properties: only InvalidOrderEvent / InvalidAccountEvent escape (the
// worker dead-letters those; anything else would crash it); an accepted
// event has its required fields, and what the producer writes for it
// (notify::to_json, auth::account_event_message) reads back equal.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/api/account_events.hpp"
#include "notify/order_events.hpp"
#include "property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orderly;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  try {
    const auto event = notify::order_event_from_json(payload);
    FUZZ_PROPERTY(!event.order_id.empty() && !event.user_id.empty());
    FUZZ_PROPERTY(notify::order_event_from_json(notify::to_json(event)) == event);
  } catch (const notify::InvalidOrderEvent&) {
  }
  try {
    const auto event = auth::account_event_from_json(payload);
    FUZZ_PROPERTY(!event.user_id.empty() && !event.email.empty() && !event.link.empty());
    const auto message = auth::account_event_message(auth::AccountEventType::password_reset, event);
    const auto back = auth::account_event_from_json(message.payload);
    FUZZ_PROPERTY(back.user_id == event.user_id && back.email == event.email && back.name == event.name &&
                  back.link == event.link);
  } catch (const auth::InvalidAccountEvent&) {
  }
  return 0;
}
