#include "queue/event_outbox.hpp"

#include <utility>

#include "queue/embedded/embedded_broker.hpp"
#include "queue/outbox.hpp"

namespace orderly::queue {

boost::asio::awaitable<void> EmbeddedEventOutbox::write(store::Transaction& tx, Message message) {
  co_await broker_.enqueue(tx, std::move(message));
}

boost::asio::awaitable<void> RelayedEventOutbox::write(store::Transaction& tx, Message message) {
  co_await add_to_outbox(tx, std::move(message), clock_, random_);
}

}  // namespace orderly::queue
