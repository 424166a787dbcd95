#pragma once

#include <boost/asio/awaitable.hpp>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "queue/message.hpp"
#include "store/store.hpp"

namespace orderly::queue {

// The transactional outbox (scale-out mode): writes `message` into the outbox
// table as part of `tx`, so it is sent if and only if the state change it
// belongs to commits. The outbox relay (queue/outbox_relay.hpp) publishes it
// later, at least once. An empty id is replaced with 16 random bytes as hex
// from `random`, an empty created_at with `clock`'s now (RFC 3339 UTC, in
// milliseconds, which orders the relay's sends). Nothing is sent and nothing
// leaves the process here; `clock` and `random` are used before the first
// suspension, so the caller may pass temporaries only if it awaits at once.
boost::asio::awaitable<void> add_to_outbox(store::Transaction& tx, Message message, const core::Clock& clock,
                                           core::Random& random);

}  // namespace orderly::queue
