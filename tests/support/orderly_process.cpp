#include "support/orderly_process.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <boost/json/parse.hpp>

namespace orderly::testing {
namespace {

std::string required_environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    throw std::runtime_error(std::string(name) + " is not set (run through ctest)");
  return value;
}

std::uint16_t port_of(const std::string& address) {
  return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

}  // namespace

OrderlyProcess::OrderlyProcess(Options options) {
  const auto binary = required_environment("E2E_ORDERLY_BINARY");
  char folder[] = "/tmp/orderly-e2e-XXXXXX";
  if (mkdtemp(folder) == nullptr) throw std::runtime_error("mkdtemp failed");
  data_dir_ = folder;

  std::vector<std::string> args{binary};
  if (options.args.empty()) {
    args.insert(args.end(), {"serve", "--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--data-dir",
                             data_dir_ + "/data", "--threads", "2"});
  } else {
    args.insert(args.end(), options.args.begin(), options.args.end());
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<std::string> environment{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  environment.insert(environment.end(), options.environment.begin(), options.environment.end());

  int out[2];
  int err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");

  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    close(err[0]);
    close(err[1]);
    if (options.max_open_files) {
      const rlimit limit{*options.max_open_files, *options.max_open_files};
      setrlimit(RLIMIT_NOFILE, &limit);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  stdout_reader_ = std::thread([this, fd = out[0]] { read_stream(fd, true); });
  stderr_reader_ = std::thread([this, fd = err[0]] { read_stream(fd, false); });

  if (!options.wait_until_started) return;
  try {
    const auto line = wait_for_line("\"event\":\"server.started\"", std::chrono::seconds(20));
    if (!line) throw std::runtime_error("orderly did not start; stderr: " + stderr_text());
    const auto event = boost::json::parse(*line).as_object();
    port_ = port_of(std::string(event.at("listen").as_string()));
    ops_port_ = port_of(std::string(event.at("ops_listen").as_string()));
  } catch (...) {
    // A throwing constructor runs no destructor: stop the child and the
    // readers here, or the test binary would terminate on joinable threads.
    stop_and_clean_up();
    throw;
  }
}

void OrderlyProcess::stop_and_clean_up() {
  if (!exit_code_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = 128 + SIGKILL;
  }
  if (stdout_reader_.joinable()) stdout_reader_.join();
  if (stderr_reader_.joinable()) stderr_reader_.join();
  std::error_code ignored;
  std::filesystem::remove_all(data_dir_, ignored);
}

OrderlyProcess::~OrderlyProcess() {
  stop_and_clean_up();
}

void OrderlyProcess::read_stream(int fd, bool is_stdout) {
  std::string pending;
  char chunk[4096];
  while (true) {
    const auto count = read(fd, chunk, sizeof chunk);
    if (count <= 0) break;
    const std::lock_guard lock(mutex_);
    if (!is_stdout) {
      stderr_.append(chunk, static_cast<std::size_t>(count));
    } else {
      pending.append(chunk, static_cast<std::size_t>(count));
      for (auto newline = pending.find('\n'); newline != std::string::npos; newline = pending.find('\n')) {
        lines_.push_back(pending.substr(0, newline));
        pending.erase(0, newline + 1);
      }
    }
    changed_.notify_all();
  }
  close(fd);
  const std::lock_guard lock(mutex_);
  if (is_stdout && !pending.empty()) lines_.push_back(pending);
  changed_.notify_all();
}

void OrderlyProcess::send_signal(int signal) const {
  kill(pid_, signal);
}

std::optional<int> OrderlyProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // waitpid has no timeout; WNOHANG in a loop paced by the stdout reader's
  // notifications (the child closing its pipes wakes us at exit).
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // The child's pipes are closed now: the readers reach EOF, and after the
      // join every line it wrote is in lines_ and stderr_.
      if (stdout_reader_.joinable()) stdout_reader_.join();
      if (stderr_reader_.joinable()) stderr_reader_.join();
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(20));
  }
}

std::optional<std::string> OrderlyProcess::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<std::string> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const auto& line : lines_) {
      if (line.find(needle) != std::string::npos) {
        found = line;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::string OrderlyProcess::stderr_text() {
  const std::lock_guard lock(mutex_);
  return stderr_;
}

std::vector<std::string> OrderlyProcess::stdout_lines() {
  const std::lock_guard lock(mutex_);
  return lines_;
}

}  // namespace orderly::testing
