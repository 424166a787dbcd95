#include "queue/rabbitmq/amqp_connection.hpp"

#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <algorithm>

namespace orderly::queue::rabbitmq {

namespace {

using SteadyClock = std::chrono::steady_clock;

timeval to_timeval(std::chrono::microseconds duration) {
  const auto micros = std::max<std::int64_t>(0, duration.count());
  return timeval{static_cast<time_t>(micros / 1'000'000), static_cast<suseconds_t>(micros % 1'000'000)};
}

std::string text_of(amqp_bytes_t bytes) {
  return bytes.len == 0 ? std::string() : std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

amqp_bytes_t bytes_of(const std::string& text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};  // rabbitmq-c only reads it
}

// "406 PRECONDITION_FAILED - ..." from a channel.close or connection.close.
std::string close_reason(const amqp_method_t& method) {
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_channel_close_t*>(method.decoded);
    return "the server closed the channel: " + std::to_string(close->reply_code) + " " + text_of(close->reply_text);
  }
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_connection_close_t*>(method.decoded);
    return "the server closed the connection: " + std::to_string(close->reply_code) + " " + text_of(close->reply_text);
  }
  return "unexpected method " + std::to_string(method.id);
}

}  // namespace

AmqpConnection::AmqpConnection(const AmqpConnectionSettings& settings) {
  state_ = amqp_new_connection();
  if (state_ == nullptr) throw AmqpConnectionError("cannot allocate a rabbitmq-c connection");
  try {
    auto* socket = amqp_tcp_socket_new(state_);
    if (socket == nullptr) throw AmqpConnectionError("cannot allocate a rabbitmq-c socket");
    auto call_timeout = to_timeval(settings.call_timeout);
    amqp_set_handshake_timeout(state_, &call_timeout);
    amqp_set_rpc_timeout(state_, &call_timeout);
    const auto& uri = settings.uri;
    const auto opened = amqp_socket_open_noblock(socket, uri.host.c_str(), uri.port, &call_timeout);
    if (opened != AMQP_STATUS_OK) fail("connecting to " + uri.host + ":" + std::to_string(uri.port), opened);
    const auto login =
        amqp_login(state_, uri.vhost.c_str(), 0, AMQP_DEFAULT_FRAME_SIZE, static_cast<int>(settings.heartbeat.count()),
                   AMQP_SASL_METHOD_PLAIN, uri.user.c_str(), uri.password.c_str());
    check_reply("logging in as " + uri.user + " to vhost " + uri.vhost, login);
    healthy_ = true;
    amqp_channel_open(state_, kWorkChannel);
    check_reply("channel.open");
    amqp_confirm_select(state_, kWorkChannel);
    check_reply("confirm.select");
    amqp_channel_open(state_, kBrowseChannel);
    check_reply("channel.open");
  } catch (const AmqpConnectionError&) {
    amqp_destroy_connection(state_);
    throw;
  }
}

AmqpConnection::~AmqpConnection() {
  // A polite close (bounded by the RPC timeout) tells the broker at once
  // that this connection's unacked deliveries go back to their queues.
  if (healthy_) amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(state_);
}

void AmqpConnection::fail(const std::string& what, int status) {
  healthy_ = false;
  throw AmqpConnectionError(what + ": " + amqp_error_string2(status));
}

void AmqpConnection::check_reply(const std::string& what) {
  check_reply(what, amqp_get_rpc_reply(state_));
}

void AmqpConnection::check_reply(const std::string& what, const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      fail(what, reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      // After a connection.close the socket is done; after a channel.close
      // the connection still takes a polite connection.close.
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) healthy_ = false;
      throw AmqpConnectionError(what + ": " + close_reason(reply.reply));
    case AMQP_RESPONSE_NONE:
      break;
  }
  healthy_ = false;
  throw AmqpConnectionError(what + ": no reply");
}

void AmqpConnection::check_unsolicited(const amqp_frame_t& frame) {
  const auto id = frame.payload.method.id;
  if (id == AMQP_CHANNEL_CLOSE_METHOD || id == AMQP_CONNECTION_CLOSE_METHOD) {
    if (id == AMQP_CONNECTION_CLOSE_METHOD) healthy_ = false;
    throw AmqpConnectionError(close_reason(frame.payload.method));
  }
}

void AmqpConnection::declare_queue(const std::string& name, const std::vector<QueueArgument>& arguments) {
  amqp_maybe_release_buffers(state_);
  std::vector<amqp_table_entry_t> entries(arguments.size());
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    entries[i].key = bytes_of(arguments[i].key);
    if (const auto* text = std::get_if<std::string>(&arguments[i].value)) {
      entries[i].value.kind = AMQP_FIELD_KIND_UTF8;
      entries[i].value.value.bytes = bytes_of(*text);
    } else {
      entries[i].value.kind = AMQP_FIELD_KIND_I64;
      entries[i].value.value.i64 = std::get<std::int64_t>(arguments[i].value);
    }
  }
  const amqp_table_t table{static_cast<int>(entries.size()), entries.data()};
  amqp_queue_declare(state_, kWorkChannel, bytes_of(name), /*passive=*/0, /*durable=*/1, /*exclusive=*/0,
                     /*auto_delete=*/0, table);
  check_reply("declaring queue " + name);
}

void AmqpConnection::publish(const std::string& queue, const OutgoingProperties& properties, const std::string& body,
                             SteadyClock::time_point deadline) {
  amqp_maybe_release_buffers(state_);
  const auto tag = next_publish_tag_;
  const auto sent = amqp_basic_publish(state_, kWorkChannel, amqp_empty_bytes, bytes_of(queue), /*mandatory=*/1,
                                       /*immediate=*/0, properties.get(), bytes_of(body));
  if (sent != AMQP_STATUS_OK) fail("publishing to " + queue, sent);
  ++next_publish_tag_;

  // One publish at a time waits for its confirm, so a confirm for another
  // tag is one whose publisher gave up already (the connection was dropped
  // then, so in practice none arrives). A basic.return (mandatory, no queue)
  // comes just before the confirm of the same message.
  bool returned = false;
  for (;;) {
    const auto now = SteadyClock::now();
    auto remaining = to_timeval(std::chrono::duration_cast<std::chrono::microseconds>(deadline - now));
    amqp_frame_t frame;
    const int status = now >= deadline ? static_cast<int>(AMQP_STATUS_TIMEOUT)
                                       : amqp_simple_wait_frame_noblock(state_, &frame, &remaining);
    // On a timeout too the connection is done: whether the broker took the
    // message is unknown, and its late confirm would be mistaken for another's.
    if (status != AMQP_STATUS_OK) fail("waiting for the publisher confirm of a message to " + queue, status);
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;  // the content of a returned message
    if (frame.channel != kWorkChannel) {
      check_unsolicited(frame);
      continue;
    }
    switch (frame.payload.method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
        if (ack->delivery_tag == tag || (ack->multiple != 0 && ack->delivery_tag > tag)) {
          if (returned) throw AmqpPublishError("no queue named " + queue + " took the message (returned)");
          return;
        }
        returned = false;  // that return was for the acked, earlier message
        break;
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
        if (nack->delivery_tag == tag || (nack->multiple != 0 && nack->delivery_tag > tag)) {
          throw AmqpPublishError("the broker refused the message to " + queue + " (nack)", /*nacked=*/true);
        }
        returned = false;
        break;
      }
      case AMQP_BASIC_RETURN_METHOD:
        returned = true;
        break;
      default:
        check_unsolicited(frame);
    }
  }
}

std::optional<GotMessage> AmqpConnection::get(amqp_channel_t channel, const std::string& queue) {
  amqp_maybe_release_buffers(state_);
  const auto reply = amqp_basic_get(state_, channel, bytes_of(queue), /*no_ack=*/0);
  check_reply("basic.get from " + queue, reply);
  if (reply.reply.id != AMQP_BASIC_GET_OK_METHOD) return std::nullopt;  // basic.get-empty
  GotMessage got;
  got.delivery_tag = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded)->delivery_tag;
  amqp_message_t message{};
  const auto read = amqp_read_message(state_, channel, &message, 0);
  check_reply("reading a message from " + queue, read);
  got.incoming = decode_message(message);
  amqp_destroy_message(&message);
  return got;
}

void AmqpConnection::ack(amqp_channel_t channel, std::uint64_t delivery_tag) {
  const auto sent = amqp_basic_ack(state_, channel, delivery_tag, /*multiple=*/0);
  if (sent != AMQP_STATUS_OK) fail("basic.ack", sent);
}

void AmqpConnection::requeue(amqp_channel_t channel, std::uint64_t delivery_tag) {
  const auto sent = amqp_basic_nack(state_, channel, delivery_tag, /*multiple=*/0, /*requeue=*/1);
  if (sent != AMQP_STATUS_OK) fail("basic.nack", sent);
}

std::chrono::seconds AmqpConnection::heartbeat() const {
  return std::chrono::seconds(amqp_get_heartbeat(state_));
}

void AmqpConnection::keep_alive() {
  amqp_maybe_release_buffers(state_);
  // Bounded: a connection that keeps sending is handled again on the next tick.
  for (int frames = 0; frames < 64; ++frames) {
    timeval immediately{0, 0};
    amqp_frame_t frame;
    const auto status = amqp_simple_wait_frame_noblock(state_, &frame, &immediately);
    if (status == AMQP_STATUS_TIMEOUT) return;
    if (status != AMQP_STATUS_OK) fail("keep-alive", status);
    if (frame.frame_type == AMQP_FRAME_METHOD) check_unsolicited(frame);
  }
}

}  // namespace orderly::queue::rabbitmq
