#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace orderly::testing {

// Runs the real `orderly` binary (path from E2E_ORDERLY_BINARY) as a child
// process with its own temporary data folder and free ports, and collects its
// stdout (JSON log lines) and stderr on background threads, so a test can wait
// for a log event instead of sleeping.
class OrderlyProcess {
 public:
  struct Options {
    // Arguments after the binary. Empty means
    // serve --listen 127.0.0.1:0 --ops-listen 127.0.0.1:0 --data-dir <temp> --threads 2 + extra_args.
    std::vector<std::string> args = {};
    std::vector<std::string> extra_args = {};
    std::vector<std::string> environment = {};  // NAME=value, added to a minimal environment
    std::optional<std::uint64_t> max_open_files = {};
    bool wait_until_started = true;
  };

  explicit OrderlyProcess(Options options);
  OrderlyProcess() : OrderlyProcess(Options{}) {}
  ~OrderlyProcess();
  OrderlyProcess(const OrderlyProcess&) = delete;
  OrderlyProcess& operator=(const OrderlyProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::uint16_t ops_port() const { return ops_port_; }
  [[nodiscard]] const std::string& data_dir() const { return data_dir_; }
  [[nodiscard]] pid_t pid() const { return pid_; }

  void send_signal(int signal) const;

  // The exit code, or nullopt if the process did not exit within `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  // The first stdout line (a whole JSON log line) containing `needle`, waiting
  // up to `timeout` for it to appear.
  std::optional<std::string> wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);

  [[nodiscard]] std::string stderr_text();
  [[nodiscard]] std::vector<std::string> stdout_lines();

 private:
  void read_stream(int fd, bool is_stdout);
  void stop_and_clean_up();

  std::string data_dir_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::uint16_t port_ = 0;
  std::uint16_t ops_port_ = 0;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  std::string stderr_;
  std::thread stdout_reader_;
  std::thread stderr_reader_;
};

}  // namespace orderly::testing
