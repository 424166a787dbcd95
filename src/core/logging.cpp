#include "core/logging.hpp"

#include <memory>

#include <boost/json/serialize.hpp>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace orderly::core::log {
namespace {

constexpr std::size_t kQueueSize = 64 * 1024;

// The one logger of the process. spdlog keeps its own registry; holding the
// pointer here avoids a registry lookup per event.
std::shared_ptr<spdlog::async_logger>& logger() {
  static std::shared_ptr<spdlog::async_logger> instance;
  return instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
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
  instance->flush_on(spdlog::level::warn);
  logger() = std::move(instance);
  // Lines reach a pipe (a supervisor, a test) within a second even when quiet.
  spdlog::flush_every(std::chrono::seconds(1));
}

void stop() {
  if (logger()) logger()->flush();
  logger().reset();
  spdlog::shutdown();
}

void flush() {
  if (logger()) logger()->flush();
}

bool enabled(Level level) { return logger() && logger()->should_log(to_spdlog(level)); }

void write(Level level, std::string_view event, const boost::json::object& fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  line.reserve(fields.size() + 1);
  line["event"] = event;
  for (const auto& field : fields) line[field.key()] = field.value();
  auto text = boost::json::serialize(line);
  logger()->log(to_spdlog(level), std::string_view(text).substr(1));
}

std::size_t dropped_count() {
  return logger() ? spdlog::thread_pool()->overrun_counter() : 0;
}

}  // namespace orderly::core::log
