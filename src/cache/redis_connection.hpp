#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

struct redisAsyncContext;  // hiredis: only redis_connection.cpp sees its definition

namespace orderly::cache {

// What Redis answered, in the shapes the cache uses.
struct RedisReply {
  enum class Type { nil, string, status, integer, error, other };
  Type type = Type::nil;
  std::string text;  // a string, status or error reply; on a failed command, why it failed
  long long integer = 0;
  std::vector<std::string> elements;  // Type::other from an array: its string (and status) elements
};

// Who a connection authenticates as; an empty password: no AUTH at all.
struct RedisCredentials {
  std::string username;  // empty: Redis's default user
  std::string password;
};

// One hiredis asynchronous connection, bound for its whole life to one event
// loop: hiredis's event hooks (addRead, delWrite, cleanup, ...) become
// async_wait calls on a posix::stream_descriptor wrapped around hiredis's own
// socket, so the loop's epoll drives hiredis and no extra thread exists.
//
// Not thread-safe: every call, and the completion of every command, happens
// on the loop's thread. Commands pipeline on the one socket in the order they
// were issued. Commands issued while the connection is still being opened wait
// in hiredis's output buffer and go out once it is up.
//
// A connection that fails (refused, reset, closed by the server, or dropped
// after a timeout) is closed for good: it fails its pending and later commands
// at once, and the pool replaces it.
class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
  struct Passkey {};

 public:
  // Completion of a command: an error code (timed_out, not_connected, ...)
  // with a reply whose text says why, or success and Redis's reply (which may
  // itself be an error reply).
  using Signature = void(boost::system::error_code, RedisReply);
  using Handler = boost::asio::any_completion_handler<Signature>;
  enum class State { connecting, connected, closed };

  // Starts a non-blocking connect to `ip` (a numeric address: hiredis would
  // resolve a name with a blocking getaddrinfo on the loop) and returns at
  // once. `address` names the server in logs and errors. With a
  // password, AUTH goes out ahead of every other command (hiredis keeps
  // the order); if Redis refuses it, the connection closes and its commands
  // fail, so nothing runs unauthenticated.
  [[nodiscard]] static std::shared_ptr<RedisConnection> open(boost::asio::any_io_executor loop, const std::string& ip,
                                                             std::uint16_t port, std::string address,
                                                             const RedisCredentials& credentials = {});

  RedisConnection(Passkey, boost::asio::any_io_executor loop, std::string address);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command (binary-safe arguments). The completion handler runs on
  // its own associated executor, always posted, never inline from a hiredis
  // callback. If no reply arrives within `timeout`, the command fails with
  // asio::error::timed_out and the connection is closed: a reply that late
  // means the server or the link is stuck, and the replies of the commands
  // pipelined behind it would be just as late.
  template <class Token>
  auto execute(std::vector<std::string> args, std::chrono::milliseconds timeout, Token&& token) {
    return boost::asio::async_initiate<Token, Signature>(
        [self = shared_from_this()](auto handler, std::vector<std::string> command, std::chrono::milliseconds limit) {
          self->start(std::move(command), limit, Handler(std::move(handler)));
        },
        token, std::move(args), timeout);
  }

  [[nodiscard]] State state() const { return state_; }
  // Why the connection closed (empty while it is open).
  [[nodiscard]] const std::string& close_reason() const { return close_reason_; }

  // Closes now; pending commands fail with not_connected and `reason`.
  void close(const std::string& reason);

 private:
  struct PendingCommand;
  enum Direction { kRead = 0, kWrite = 1 };
  struct Interest {
    bool wanted = false;  // hiredis asked for this readiness (addRead/addWrite)
    bool armed = false;   // an async_wait for it is outstanding
  };

  void start(std::vector<std::string> args, std::chrono::milliseconds timeout, Handler handler);
  void send(const std::shared_ptr<PendingCommand>& command, const std::vector<std::string>& args);
  void fail_waiting(const std::string& why);
  void attach(redisAsyncContext* context);

  // The hiredis event hooks (privdata is the connection).
  static void add_read(void* privdata);
  static void del_read(void* privdata);
  static void add_write(void* privdata);
  static void del_write(void* privdata);
  static void cleanup(void* privdata);
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);
  static void on_auth_reply(redisAsyncContext* context, void* reply, void* privdata);

  void want(Direction direction, bool wanted);
  void arm(Direction direction);
  void on_ready(Direction direction, const boost::system::error_code& ec);
  void detach();
  [[nodiscard]] std::string failure_reason() const;

  boost::asio::any_io_executor loop_;
  std::string address_;
  // Wraps hiredis's socket for readiness only: hiredis reads and writes it,
  // and closes it (release() hands it back first, in the cleanup hook).
  boost::asio::posix::stream_descriptor socket_;
  redisAsyncContext* context_ = nullptr;  // null once hiredis has freed it (or never opened)
  State state_ = State::connecting;
  std::string close_reason_;
  Interest interest_[2];
  // Until Redis accepted the AUTH, commands wait here rather than in
  // hiredis's buffer: sent behind a refused AUTH, they would run as the
  // default user.
  bool authenticating_ = false;
  std::vector<std::pair<std::shared_ptr<PendingCommand>, std::vector<std::string>>> waiting_;
};

}  // namespace orderly::cache
