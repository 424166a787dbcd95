#include "app/probe_command.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "core/config.hpp"

namespace orderly::app {
namespace {

using Clock = std::chrono::steady_clock;

struct ProbeTarget {
  core::HostPort address;
  std::string path;
};

ProbeTarget parse_target(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) throw std::invalid_argument("only http:// URLs are probed");
  auto rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  for (const char c : path) {
    // The path goes verbatim into the request line.
    if (c <= ' ' || c == 0x7f) throw std::invalid_argument("the path has a space or a control character");
  }
  return ProbeTarget{core::HostPort::parse(authority), std::move(path)};
}

// A socket closed on every path out.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) throw std::runtime_error("timed out");
  return static_cast<int>(left);
}

void wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd entry{fd, events, 0};
  while (true) {
    const int ready = ::poll(&entry, 1, remaining_ms(deadline));
    if (ready > 0) return;
    if (ready == 0) throw std::runtime_error("timed out");
    if (errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
  }
}

int connect_to(const core::HostPort& address, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const auto port = std::to_string(address.port);
  if (const int rc = ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    throw std::runtime_error(std::string("resolve: ") + ::gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (auto* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    const int fd = ::socket(candidate->ai_family, candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, candidate->ai_addr, candidate->ai_addrlen) == 0 || errno == EINPROGRESS) {
      try {
        wait_for(fd, POLLOUT, deadline);
      } catch (...) {
        ::close(fd);
        ::freeaddrinfo(found);
        throw;
      }
      int error = 0;
      socklen_t length = sizeof(error);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error == 0) {
        ::freeaddrinfo(found);
        return fd;
      }
      last_error = std::strerror(error);
    } else {
      last_error = std::strerror(errno);
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  throw std::runtime_error("connect: " + last_error);
}

// "HTTP/1.1 200 OK" → 200.
int parse_status_line(std::string_view head) {
  if (!head.starts_with("HTTP/1.") || head.size() < 12 || head[8] != ' ') {
    throw std::runtime_error("not an HTTP/1.x answer");
  }
  int status = 0;
  for (std::size_t i = 9; i < 12; ++i) {
    if (head[i] < '0' || head[i] > '9') throw std::runtime_error("not an HTTP/1.x answer");
    status = status * 10 + (head[i] - '0');
  }
  return status;
}

}  // namespace

int probe_status(std::string_view url, std::chrono::milliseconds timeout) {
  const auto target = parse_target(url);
  const auto deadline = Clock::now() + timeout;
  const Socket socket(connect_to(target.address, deadline));
  const std::string request = "GET " + target.path + " HTTP/1.1\r\nHost: " + target.address.to_string() +
                              "\r\nUser-Agent: orderly-probe\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    wait_for(socket.fd(), POLLOUT, deadline);
    const auto n = ::send(socket.fd(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  // Only the status line matters; 12 bytes hold it.
  std::string head;
  char buffer[256];
  while (head.size() < 12) {
    wait_for(socket.fd(), POLLIN, deadline);
    const auto n = ::recv(socket.fd(), buffer, sizeof(buffer), 0);
    if (n == 0) throw std::runtime_error("connection closed before an answer");
    if (n < 0 && errno != EAGAIN && errno != EINTR) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
    if (n > 0) head.append(buffer, static_cast<std::size_t>(n));
  }
  return parse_status_line(head);
}

int probe(std::string_view url, std::chrono::milliseconds timeout) {
  try {
    const int status = probe_status(url, timeout);
    if (status >= 200 && status < 300) return 0;
    std::cerr << "orderly probe: " << url << ": status " << status << "\n";
    return 1;
  } catch (const std::invalid_argument& error) {
    std::cerr << "orderly probe: " << url << ": " << error.what() << "\n";
    return 2;
  } catch (const std::runtime_error& error) {
    std::cerr << "orderly probe: " << url << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace orderly::app
