#pragma once

#include <string_view>

#include <boost/json/object.hpp>

namespace orderly::core::log {

enum class Level { debug, info, warn, error };

// Parses "debug" | "info" | "warn" | "error" (validated earlier by the config).
[[nodiscard]] Level parse_level(std::string_view text);

// Starts the process logger: JSON lines on stdout, written by a background
// thread so an event loop never waits for the terminal or a pipe. When the
// queue is full the oldest lines are dropped (counted by dropped_count()) rather
// than blocking a request. Call once, from main, before any other thread starts.
void start(Level level);

// Flushes and stops the background writer; later events are lost. Call from main at exit.
void stop();

// Asks the writer to flush what it has queued (used after start-up events).
void flush();

[[nodiscard]] bool enabled(Level level);

// Writes one event: {"ts","level","event", ...fields}. Field values are
// escaped by Boost.JSON, so a client-sent value cannot forge a line.
// Never pass a secret, password, card number or token as a field.
void write(Level level, std::string_view event, const boost::json::object& fields);

inline void debug(std::string_view event, const boost::json::object& fields = {}) {
  write(Level::debug, event, fields);
}
inline void info(std::string_view event, const boost::json::object& fields = {}) {
  write(Level::info, event, fields);
}
inline void warn(std::string_view event, const boost::json::object& fields = {}) {
  write(Level::warn, event, fields);
}
inline void error(std::string_view event, const boost::json::object& fields = {}) {
  write(Level::error, event, fields);
}

// For hot paths (the access log): the event is formatted on the calling
// thread, with its own timestamp, and appended to a buffer that thread owns;
// the buffer goes to the writer as one block when it reaches 16 KiB or when
// the thread calls flush_batch(). One hand-off per block instead of one per
// event (each hand-off may wake the writer thread).
void write_batched(Level level, std::string_view event, const boost::json::object& fields);

// Hands the calling thread's batched events to the writer. Event loops call
// it on every deadline sweep (so a line waits at most 250 ms) and when they stop.
void flush_batch();

// Lines dropped because the writer fell behind.
[[nodiscard]] std::size_t dropped_count();

}  // namespace orderly::core::log
