#include "core/process_metrics.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace orderly::core::metrics {
namespace {

// Field `index` (1-based, as in proc(5)) of /proc/self/stat.
double stat_field(int index) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  // The command name (field 2) may contain spaces; it ends at the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string value;
  for (int field = 3; field <= index && rest >> value; ++field) {
  }
  return value.empty() ? 0 : std::stod(value);
}

}  // namespace

void register_process_metrics(Registry& registry) {
  const auto page_size = static_cast<double>(sysconf(_SC_PAGESIZE));
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  registry.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes.", [page_size] {
    std::ifstream in("/proc/self/statm");
    double size = 0;
    double resident = 0;
    in >> size >> resident;
    return resident * page_size;
  });
  registry.gauge_callback("process_open_fds", "Open file descriptors.", [] {
    std::error_code ec;
    double count = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++count;
    return count;
  });
  registry.gauge_callback("process_cpu_seconds", "User and system CPU time spent, in seconds.",
                          [ticks] { return (stat_field(14) + stat_field(15)) / ticks; });
  const auto start = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  registry.gauge_callback("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.",
                          [start] { return start; });
}

}  // namespace orderly::core::metrics
