#include "cache/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/append.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/logging.hpp"

namespace orderly::cache {
namespace asio = boost::asio;

namespace {

RedisReply convert(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      out.type = RedisReply::Type::nil;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::other;
      for (std::size_t i = 0; i < reply.elements; ++i) {
        const auto* element = reply.element[i];
        if (element->type == REDIS_REPLY_STRING || element->type == REDIS_REPLY_STATUS) {
          out.elements.emplace_back(element->str, element->len);
        }
      }
      break;
    default:
      out.type = RedisReply::Type::other;
      break;
  }
  return out;
}

RedisReply failure(std::string why) {
  return {.type = RedisReply::Type::error, .text = std::move(why), .integer = 0, .elements = {}};
}

RedisConnection* connection_of(const redisAsyncContext* context) {
  return static_cast<RedisConnection*>(context->data);
}

}  // namespace

// One command in flight. Completed exactly once, by whichever comes first: the
// reply (or hiredis failing it with a null reply), or the deadline.
struct RedisConnection::PendingCommand {
  PendingCommand(const asio::any_io_executor& loop, Handler completion, std::weak_ptr<RedisConnection> owner)
      : handler(std::move(completion)), deadline(loop), connection(std::move(owner)) {}

  void finish(boost::system::error_code ec, RedisReply reply) {
    if (done) return;
    done = true;
    deadline.cancel();
    // Posted, never called inline: the caller's coroutine must not resume
    // inside a hiredis callback (it could issue or drop commands there), and
    // it must resume on its own executor.
    asio::post(deadline.get_executor(), asio::append(std::move(handler), ec, std::move(reply)));
  }

  Handler handler;
  asio::steady_timer deadline;
  std::weak_ptr<RedisConnection> connection;
  bool done = false;
};

std::shared_ptr<RedisConnection> RedisConnection::open(asio::any_io_executor loop, const std::string& ip,
                                                       std::uint16_t port, std::string address,
                                                       const RedisCredentials& credentials) {
  auto connection = std::make_shared<RedisConnection>(Passkey{}, std::move(loop), std::move(address));
  redisAsyncContext* context = redisAsyncConnect(ip.c_str(), port);
  if (context == nullptr) throw std::bad_alloc();
  if (context->err != 0) {  // e.g. a refusal the kernel reported at once
    connection->state_ = State::closed;
    connection->close_reason_ = context->errstr;
    redisAsyncFree(context);
    return connection;
  }
  connection->attach(context);
  if (!credentials.password.empty() && connection->context_ != nullptr) {
    std::vector<const char*> argv{"AUTH"};
    std::vector<std::size_t> lengths{4};
    if (!credentials.username.empty()) {
      argv.push_back(credentials.username.data());
      lengths.push_back(credentials.username.size());
    }
    argv.push_back(credentials.password.data());
    lengths.push_back(credentials.password.size());
    if (redisAsyncCommandArgv(connection->context_, &RedisConnection::on_auth_reply, nullptr,
                              static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
      connection->close("cannot send AUTH");
    } else {
      connection->authenticating_ = true;
    }
  }
  return connection;
}

RedisConnection::RedisConnection(Passkey, asio::any_io_executor loop, std::string address)
    : loop_(std::move(loop)), address_(std::move(address)), socket_(loop_) {}

RedisConnection::~RedisConnection() {
  // Fails what is still pending (hiredis calls each callback with a null
  // reply) and runs the cleanup hook, which hands the socket back to hiredis
  // before it closes it.
  if (context_ != nullptr) {
    close_reason_ = "connection closed";
    redisAsyncFree(context_);
  }
}

void RedisConnection::attach(redisAsyncContext* context) {
  boost::system::error_code ec;
  socket_.assign(context->c.fd, ec);
  if (ec) {
    state_ = State::closed;
    close_reason_ = "cannot watch the socket: " + ec.message();
    redisAsyncFree(context);
    return;
  }
  context_ = context;
  context->data = this;
  context->ev.data = this;
  context->ev.addRead = &RedisConnection::add_read;
  context->ev.delRead = &RedisConnection::del_read;
  context->ev.addWrite = &RedisConnection::add_write;
  context->ev.delWrite = &RedisConnection::del_write;
  context->ev.cleanup = &RedisConnection::cleanup;
  // Also asks for writability: a non-blocking connect is done when the socket
  // turns writable.
  redisAsyncSetConnectCallback(context, &RedisConnection::on_connect);
}

void RedisConnection::start(std::vector<std::string> args, std::chrono::milliseconds timeout, Handler handler) {
  auto command = std::make_shared<PendingCommand>(loop_, std::move(handler), weak_from_this());
  if (context_ == nullptr) {
    command->finish(asio::error::not_connected, failure(failure_reason()));
    return;
  }
  command->deadline.expires_after(timeout);
  command->deadline.async_wait([command, timeout](const boost::system::error_code& ec) {
    if (ec || command->done) return;
    command->finish(asio::error::timed_out, failure("no reply within " + std::to_string(timeout.count()) + " ms"));
    if (auto connection = command->connection.lock()) {
      core::log::warn("cache.redis_command_timeout",
                      {{"address", connection->address_}, {"timeout_ms", timeout.count()}});
      connection->close("dropped after a command timed out");
    }
  });
  if (authenticating_) {
    waiting_.emplace_back(std::move(command), std::move(args));
    return;
  }
  send(command, args);
}

void RedisConnection::send(const std::shared_ptr<PendingCommand>& command, const std::vector<std::string>& args) {
  if (command->done) return;  // timed out while it waited for the AUTH
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // hiredis owns this reference until it calls on_reply, which it does exactly
  // once for every accepted command (with a null reply when the connection goes).
  auto reference = std::make_unique<std::shared_ptr<PendingCommand>>(command);
  if (context_ == nullptr ||
      redisAsyncCommandArgv(context_, &RedisConnection::on_reply, reference.get(), static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    command->finish(asio::error::not_connected, failure("command refused: " + failure_reason()));
    return;
  }
  static_cast<void>(reference.release());
}

void RedisConnection::fail_waiting(const std::string& why) {
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& [command, args] : waiting) command->finish(asio::error::not_connected, failure(why));
}

void RedisConnection::close(const std::string& reason) {
  if (context_ == nullptr) return;
  close_reason_ = reason;
  redisAsyncFree(context_);  // runs cleanup(), which detaches
}

std::string RedisConnection::failure_reason() const {
  if (!close_reason_.empty()) return close_reason_;
  if (context_ != nullptr && context_->err != 0) return context_->errstr;
  return "connection closed";
}

void RedisConnection::add_read(void* privdata) {
  static_cast<RedisConnection*>(privdata)->want(kRead, true);
}
void RedisConnection::del_read(void* privdata) {
  static_cast<RedisConnection*>(privdata)->want(kRead, false);
}
void RedisConnection::add_write(void* privdata) {
  static_cast<RedisConnection*>(privdata)->want(kWrite, true);
}
void RedisConnection::del_write(void* privdata) {
  static_cast<RedisConnection*>(privdata)->want(kWrite, false);
}
void RedisConnection::cleanup(void* privdata) {
  static_cast<RedisConnection*>(privdata)->detach();
}

void RedisConnection::on_connect(const redisAsyncContext* context, int status) {
  auto* connection = connection_of(context);
  if (status == REDIS_OK) {
    connection->state_ = State::connected;
  } else if (connection->close_reason_.empty()) {
    connection->close_reason_ = context->errstr;  // hiredis frees the context next
  }
}

void RedisConnection::on_reply(redisAsyncContext* context, void* reply, void* privdata) {
  const std::unique_ptr<std::shared_ptr<PendingCommand>> reference(
      static_cast<std::shared_ptr<PendingCommand>*>(privdata));
  auto& command = **reference;
  if (reply == nullptr) {
    // The connection is going away: an I/O error (context->err), or close()
    // or the destructor freeing it (close_reason_).
    const auto* connection = connection_of(context);
    std::string why = !connection->close_reason_.empty() ? connection->close_reason_
                      : context->err != 0                ? std::string(context->errstr)
                                                         : std::string("connection closed");
    command.finish(asio::error::not_connected, failure(std::move(why)));
    return;
  }
  command.finish({}, convert(*static_cast<const redisReply*>(reply)));
}

// The reply to the AUTH that open() queued first: the commands that waited
// for it go out, or fail with a reason that names the password without
// showing it.
void RedisConnection::on_auth_reply(redisAsyncContext* context, void* reply, void* /*privdata*/) {
  if (reply == nullptr) return;  // the connection is going away: detach() fails the waiting commands
  auto* connection = connection_of(context);
  connection->authenticating_ = false;
  if (static_cast<const redisReply*>(reply)->type != REDIS_REPLY_ERROR) {
    auto waiting = std::move(connection->waiting_);
    connection->waiting_.clear();
    for (const auto& [command, args] : waiting) connection->send(command, args);
    return;
  }
  core::log::warn("cache.redis_auth_refused", {{"address", connection->address_}});
  connection->close_reason_ = "Redis refused the credentials (check ORDERLY_REDIS_PASSWORD)";
  connection->fail_waiting(connection->close_reason_);
  // Inside a reply callback hiredis defers the free until the callback returns.
  redisAsyncFree(context);
}

// hiredis's hooks are level-triggered interest ("call me while readable");
// each becomes one outstanding async_wait at a time, re-armed after hiredis
// has handled the event if it still wants it. A wait cannot be withdrawn
// alone, so one that completes after del* is simply ignored.
void RedisConnection::want(Direction direction, bool wanted) {
  interest_[direction].wanted = wanted;
  if (wanted && !interest_[direction].armed && context_ != nullptr) arm(direction);
}

void RedisConnection::arm(Direction direction) {
  interest_[direction].armed = true;
  const auto type =
      direction == kRead ? asio::posix::descriptor_base::wait_read : asio::posix::descriptor_base::wait_write;
  // The handler owns the connection, so it is alive while hiredis runs
  // callbacks from inside on_ready.
  socket_.async_wait(type, [self = shared_from_this(), direction](const boost::system::error_code& ec) {
    self->on_ready(direction, ec);
  });
}

void RedisConnection::on_ready(Direction direction, const boost::system::error_code& ec) {
  interest_[direction].armed = false;
  if (ec || context_ == nullptr || !interest_[direction].wanted) return;
  if (direction == kRead) {
    redisAsyncHandleRead(context_);  // may free the context (an error): detach() then ran
  } else {
    redisAsyncHandleWrite(context_);
  }
  if (context_ != nullptr && interest_[direction].wanted && !interest_[direction].armed) arm(direction);
}

// hiredis is about to free the context (an error, close() or the destructor)
// and close its socket; it may call this more than once.
void RedisConnection::detach() {
  if (context_ == nullptr) return;
  if (context_->err != 0) {
    if (close_reason_.empty()) close_reason_ = context_->errstr;
    core::log::warn("cache.redis_connection_failed", {{"address", address_}, {"error", context_->errstr}});
  }
  context_ = nullptr;
  state_ = State::closed;
  if (close_reason_.empty()) close_reason_ = "connection closed";
  authenticating_ = false;
  fail_waiting(close_reason_);
  interest_[kRead] = {};
  interest_[kWrite] = {};
  // Stops watching without closing: the descriptor belongs to hiredis, which
  // closes it right after this hook. Outstanding waits end with operation_aborted.
  static_cast<void>(socket_.release());
}

}  // namespace orderly::cache
