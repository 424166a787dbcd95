#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "store/store.hpp"

namespace orderly::queue {

// Exactly-once effects from at-least-once delivery: a consumer calls
// first_delivery() inside the transaction that makes its effect. The first
// call for a (message id, consumer) pair records it and returns true; a
// redelivered message finds the record and returns false, and the consumer
// skips the effect. The record commits or rolls back with the effect.
boost::asio::awaitable<bool> first_delivery(store::Transaction& tx, std::string message_id, std::string consumer);

// Whether `consumer` already committed its effect for `message_id` (read on
// the primary). For consumers whose effect leaves the database (an email):
// they check this before acting and record first_delivery() in the
// transaction that marks the effect done.
boost::asio::awaitable<bool> already_processed(store::Store& store, std::string message_id, std::string consumer);

}  // namespace orderly::queue
