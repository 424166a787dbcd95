#include "core/logging.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

namespace orderly::core::log {
namespace {

constexpr std::size_t kQueueSize = 64 * 1024;

constexpr std::size_t kBatchBytes = 16 * 1024;

// The loggers of the process (spdlog keeps its own registry; holding the
// pointers here avoids a registry lookup per event). Set once by start()
// before any other thread runs, reset by stop() after they have ended.
std::shared_ptr<spdlog::async_logger>& logger() {
  static std::shared_ptr<spdlog::async_logger> instance;
  return instance;
}

// Writes pre-formatted blocks of lines as they are, through the same writer
// thread and sink as logger(), so the two keep their order.
std::shared_ptr<spdlog::async_logger>& block_logger() {
  static std::shared_ptr<spdlog::async_logger> instance;
  return instance;
}

// The calling thread's batched lines, each ending in '\n'.
std::string& thread_batch() {
  thread_local std::string batch;
  return batch;
}

// "2026-11-21T10:00:00.123456Z", the same format as the pattern in start().
void append_timestamp(std::string& out) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto seconds = time_point_cast<std::chrono::seconds>(now);
  thread_local sys_seconds cached_second{};
  thread_local std::string cached_prefix;
  if (seconds != cached_second) {
    const std::time_t t = system_clock::to_time_t(seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char text[32];
    const auto length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_prefix.assign(text, length);
    cached_second = seconds;
  }
  out += cached_prefix;
  char micros[16];
  std::snprintf(micros, sizeof micros, ".%06ldZ",
                static_cast<long>(duration_cast<microseconds>(now - seconds).count()));
  out += micros;
}

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warning";
    case Level::error:
      return "error";
  }
  return "info";
}

// `"event":"name",` + the fields' serialization without its "{" (no copy of
// the fields into a second object: this runs once per request).
void append_event(std::string& out, std::string_view event, const boost::json::object& fields) {
  out += "\"event\":";
  out += boost::json::serialize(boost::json::string_view(event));
  const auto rest = boost::json::serialize(fields);
  if (rest.size() > 2) out += ',';
  out.append(rest, 1);
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

Level parse_level(std::string_view text) {
  if (text == "debug") return Level::debug;
  if (text == "warn") return Level::warn;
  if (text == "error") return Level::error;
  return Level::info;
}

void start(Level level) {
  spdlog::init_thread_pool(kQueueSize, 1);
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto instance = std::make_shared<spdlog::async_logger>("orderly", std::move(sink), spdlog::thread_pool(),
                                                         spdlog::async_overflow_policy::overrun_oldest);
  // The message is a JSON object without its opening brace; the pattern adds
  // the timestamp and level in front, formatted on the writer thread.
  instance->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v)", spdlog::pattern_time_type::utc);
  instance->set_level(to_spdlog(level));
  logger() = std::move(instance);
  // A sink of its own: spdlog sets a logger's pattern on its sinks. Both sinks
  // are driven by the one writer thread, so their lines do not interleave.
  auto blocks =
      std::make_shared<spdlog::async_logger>("orderly.blocks", std::make_shared<spdlog::sinks::stdout_sink_mt>(),
                                             spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
  blocks->set_pattern("%v");
  blocks->set_level(spdlog::level::trace);  // the level was checked when the event was batched
  block_logger() = std::move(blocks);
  // No flush_every: spdlog's stdout sink flushes after every message (a line,
  // or a block of batched lines), so output reaches a pipe as it is written.
}

void stop() {
  flush_batch();
  if (block_logger()) block_logger()->flush();
  if (logger()) logger()->flush();
  block_logger().reset();
  logger().reset();
  spdlog::shutdown();
}

void flush() {
  if (logger()) logger()->flush();
}

bool enabled(Level level) {
  return logger() && logger()->should_log(to_spdlog(level));
}

void write(Level level, std::string_view event, const boost::json::object& fields) {
  if (!enabled(level)) return;
  std::string text;
  append_event(text, event, fields);
  logger()->log(to_spdlog(level), text);
}

void write_batched(Level level, std::string_view event, const boost::json::object& fields) {
  if (!enabled(level)) return;
  auto& batch = thread_batch();
  batch += "{\"ts\":\"";
  append_timestamp(batch);
  batch += "\",\"level\":\"";
  batch += level_name(level);
  batch += "\",";
  append_event(batch, event, fields);
  batch += '\n';
  if (batch.size() >= kBatchBytes) flush_batch();
}

void flush_batch() {
  auto& batch = thread_batch();
  if (batch.empty() || !block_logger()) return;
  batch.pop_back();  // the sink ends the block with its own newline
  block_logger()->log(spdlog::level::info, batch);
  batch.clear();
}

std::size_t dropped_count() {
  return logger() ? spdlog::thread_pool()->overrun_counter() : 0;
}

}  // namespace orderly::core::log
