#include "net/session.hpp"

#include <array>
#include <optional>
#include <string>

#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/logging.hpp"
#include "net/body_stream.hpp"
#include "net/request_framing.hpp"
#include "net/request_target.hpp"
#include "net/response_head.hpp"

namespace orderly::net::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 4096;
// After an error response, read and drop what the client still sends for at
// most this long / this much, so it sees our answer instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr std::size_t kLingerBytes = 1024 * 1024;

std::string remote_address(const tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string("-") : endpoint.address().to_string();
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::need_more).category();
}

using Parser = http::request_parser<http::string_body>;

}  // namespace

ServerMetrics::ServerMetrics(core::metrics::Registry& registry)
    : connections_accepted(
          registry.counter("orderly_http_connections_accepted_total", "Client connections accepted.").with_labels({})),
      connections_active(
          registry.gauge("orderly_http_connections_active", "Client connections open now.").with_labels({})),
      connections_refused(registry
                              .counter("orderly_http_connections_refused_total",
                                       "Connections closed at once because http.max_connections were open.")
                              .with_labels({})),
      timeouts(registry.counter("orderly_http_timeouts_total",
                                "Connections closed by a deadline, by phase (header, idle, body, write).", {"phase"})),
      protocol_errors(registry.counter("orderly_http_protocol_errors_total",
                                       "Requests refused before routing, by reason.", {"reason"})),
      accept_errors(registry.counter("orderly_http_accept_errors_total",
                                     "Failed accept() calls, by error; the listener backs off on them.", {"error"})) {}

tcp::socket& lowest_layer(tcp::socket& socket) {
  return socket;
}
tcp::socket& lowest_layer(asio::ssl::stream<tcp::socket>& stream) {
  return stream.next_layer();
}

// One connection. Lives in the frame of its coroutine, on one loop's thread,
// so it needs no locks; registers itself with the loop for drain() and the
// deadline sweep. `Stream` is a plain socket or a TLS stream over one: the
// plaintext path compiles to the same code as before TLS existed.
template <class Stream>
class Session final : public SessionBase {
 public:
  Session(Stream stream, const Pipeline& pipeline, LoopState& loop, SessionShared& shared)
      : remote_(remote_address(lowest_layer(stream))),
        socket_(std::move(stream)),
        buffer_(shared.limits.header_limit_bytes + kReadChunk),
        pipeline_(pipeline),
        loop_(loop),
        shared_(shared) {
    loop_.sessions.insert(this);
    shared_.metrics.connections_active.inc();
  }

  ~Session() override {
    loop_.sessions.erase(this);
    shared_.metrics.connections_active.dec();
    if (shared_.connections.fetch_sub(1) == 1) {
      const std::lock_guard lock(shared_.mutex);
      shared_.drained.notify_all();
    }
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::awaitable<void> run() {
    try {
      if (co_await handshake()) {
        while (co_await serve_one()) {
        }
      }
    } catch (const std::exception& error) {
      core::log::error("http.session_failed", {{"remote", remote_}, {"error", error.what()}});
    }
    beast::error_code ignored;
    lowest_layer(socket_).shutdown(tcp::socket::shutdown_both, ignored);
    lowest_layer(socket_).close(ignored);
  }

  // Idle means waiting for a request with none of its bytes received; a
  // request whose first bytes wait in the kernel is in flight and is served.
  void close_if_idle() override {
    if (idle_ && !bytes_waiting()) {
      beast::error_code ignored;
      lowest_layer(socket_).cancel(ignored);
    }
  }

  void expire_if_due(SteadyTime now) override {
    if (now < deadline_) return;
    if (!timed_out_ && deadline_phase_ != nullptr) shared_.metrics.timeouts.with_labels({deadline_phase_}).inc();
    timed_out_ = true;
    beast::error_code ignored;
    lowest_layer(socket_).cancel(ignored);
  }

 private:
  // TLS: the handshake, within the header timeout (a client that connects
  // and stalls is a slowloris too). A plaintext request to a TLS port fails
  // here and the connection is closed without an answer.
  asio::awaitable<bool> handshake() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      co_return true;
    } else {
      set_deadline(shared_.limits.header_timeout, "header");
      auto [ec] = co_await socket_.async_handshake(asio::ssl::stream_base::server, use_nothrow);
      clear_deadline();
      if (ec || timed_out_) {
        shared_.metrics.protocol_errors.with_labels({"tls_handshake"}).inc();
        co_return false;
      }
      co_return true;
    }
  }

  // Reads, handles and answers one request; false when the connection is done.
  asio::awaitable<bool> serve_one() {
    const auto& limits = shared_.limits;

    // Wait for the first byte of the next request. A new connection gets the
    // header timeout for its whole first header (slowloris); a kept-alive one
    // may idle for the idle timeout, then gets the header timeout.
    const bool first = requests_ == 0;
    if (buffer_.size() == 0) {
      if (loop_.draining && !bytes_waiting()) co_return false;
      idle_ = true;
      set_deadline(first ? limits.header_timeout : limits.idle_timeout, first ? "header" : "idle");
      const bool got = co_await read_more();
      idle_ = false;
      if (!got) co_return false;
      burst_ = 1;
    } else {
      ++burst_;  // pipelined: the request was already in our buffer
    }
    ++requests_;
    if (!first) set_deadline(limits.header_timeout, "header");

    context_ = RequestContext{};
    request_ = Request{};
    auto& context = context_;
    auto& request = request_;
    context.started = shared_.clock.monotonic();
    context.secure = !std::is_same_v<Stream, tcp::socket>;
    request.remote_address = remote_;

    auto& parser = parser_.emplace();
    reader_.emplace(parser);
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit_bytes));
    parser.body_limit(boost::none);  // checked below, against the matched route's limit

    const auto header_error = co_await parse_until([&] { return parser.is_header_done(); });
    if (const auto& error = header_error) {
      if (*error == http::error::header_limit || *error == http::error::buffer_overflow) {
        co_return co_await refuse(context, request, 431, "/problems/header-too-large",
                                  "Request Header Fields Too Large", "header_too_large");
      }
      if (is_http_error(*error)) {
        co_return co_await refuse(context, request, 400, "/problems/bad-request", "Bad Request", "malformed_request",
                                  "The request is not valid HTTP/1.1: " + error->message() + ".");
      }
      co_return false;  // the client went away mid-request, or a deadline passed
    }

    auto& message = parser.get();
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
    for (const auto& field : message) request.headers.add(std::string(field.name_string()), std::string(field.value()));

    // Transfer-Encoding without chunked last leaves a request's length unknown
    // (RFC 9112 6.3): refuse it rather than guess, as a proxy in front may have
    // read it differently (request smuggling).
    if (auto problem = transfer_encoding_problem(message); problem || (message.count(http::field::transfer_encoding) > 0 && !parser.chunked())) {
      co_return co_await refuse(context, request, 400, "/problems/bad-request", "Bad Request", "bad_framing",
                                problem.value_or("Transfer-Encoding must be exactly chunked."));
    }

    // RFC 9112 3.2: an HTTP/1.1 request names exactly one Host.
    if (const auto hosts = message.count(http::field::host); hosts > 1 || (hosts == 0 && message.version() >= 11)) {
      co_return co_await refuse(context, request, 400, "/problems/bad-request", "Bad Request", "bad_host",
                                "An HTTP/1.1 request needs exactly one Host header.");
    }

    if (!split_target(request)) {
      co_return co_await refuse(context, request, 400, "/problems/bad-request", "Bad Request", "bad_target",
                                "The request target is not a valid URI path.");
    }

    auto match = pipeline_.router().match(request.method, request.path);
    context.route = match.route;
    context.path_params = std::move(match.params);
    context.allow = std::move(match.allow);

    const auto body_limit = context.route != nullptr && context.route->options.body_limit
                                ? *context.route->options.body_limit
                                : limits.body_limit_bytes;
    if (const auto length = parser.content_length(); length && *length > body_limit) {
      co_return co_await refuse(context, request, 413, "/problems/body-too-large", "Content Too Large",
                                "body_too_large", "The body may be at most " + std::to_string(body_limit) + " bytes.");
    }

    if (!parser.is_done()) {
      // HTTP/1.0 clients do not know 100 Continue; RFC 9110 10.1.1 says to ignore their expectation.
      if (const auto expect = request.headers.get("Expect");
          expect && beast::iequals(*expect, "100-continue") && message.version() >= 11) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        set_deadline(limits.write_timeout, "write");
        auto [ec, bytes] = co_await asio::async_write(socket_, asio::buffer(kContinue), use_nothrow);
        if (ec) co_return false;
      }
      parser.body_limit(body_limit);
      set_deadline(limits.body_timeout, "body");
      const auto body_error = co_await parse_until([&] { return parser.is_done(); });
      if (const auto& error = body_error) {
        if (*error == http::error::body_limit) {
          co_return co_await refuse(context, request, 413, "/problems/body-too-large", "Content Too Large",
                                    "body_too_large",
                                    "The body may be at most " + std::to_string(body_limit) + " bytes.");
        }
        if (is_http_error(*error)) {
          co_return co_await refuse(context, request, 400, "/problems/bad-request", "Bad Request", "bad_framing",
                                    "The request body is malformed: " + error->message() + ".");
        }
        co_return false;
      }
    }
    clear_deadline();  // the handler is not the client's fault; the write gets its own deadline
    request.body = std::move(message.body());
    const bool client_keeps_alive = message.keep_alive();
    const bool head = message.method() == http::verb::head;
    const unsigned version = message.version();

    auto response = co_await pipeline_.run(context, request);
    if (response.stream && !head && !is_bodiless(response.status)) {
      co_await write_stream(response, version);
      co_return false;
    }
    const bool close =
        response.close || !client_keeps_alive || loop_.draining || burst_ >= limits.max_pipelined_requests;
    if (!co_await write(response, version, head, close)) co_return false;
    co_return !close;
  }

  // A streamed response: the head, then every piece as it is produced, each
  // in one chunk written at once (nothing is gathered, so an event reaches
  // the client when it happens). The connection closes after it, and also
  // when the server drains (checked between pieces) or the client is gone
  // (a failed or timed-out write; heartbeats make one happen).
  asio::awaitable<void> write_stream(const Response& response, unsigned version) {
    const bool chunked = version != 10;
    // Locals, not temporaries, in co_await expressions (docs/coroutines.md).
    const auto head = format_response_head(response, version, true, http_date_now());
    if (!co_await write_bytes(head.text)) co_return;
    std::string frame;
    while (!loop_.draining) {
      auto piece = co_await response.stream->next();
      if (!piece) break;
      if (piece->empty()) continue;
      if (!chunked) {
        if (!co_await write_bytes(*piece)) co_return;
        continue;
      }
      frame.clear();
      append_chunk_size(frame, piece->size());
      frame += "\r\n";
      frame += *piece;
      frame += "\r\n";
      if (!co_await write_bytes(frame)) co_return;
    }
    static constexpr std::string_view kLastChunk = "0\r\n\r\n";
    if (chunked) co_await write_bytes(kLastChunk);
  }

  static void append_chunk_size(std::string& out, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    char digits[sizeof(std::size_t) * 2];
    std::size_t count = 0;
    do {
      digits[count++] = kHex[size & 0xF];
      size >>= 4;
    } while (size != 0);
    while (count > 0) out += digits[--count];
  }

  asio::awaitable<bool> write_bytes(std::string_view bytes) {
    set_deadline(shared_.limits.write_timeout, "write");
    auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(bytes), use_nothrow);
    clear_deadline();
    co_return !ec && !timed_out_;
  }

  // Feeds buffered bytes to Beast's parser through reader_ (its chunk-line check), reading more from the socket
  // until `done()`. Returns the parse error, or a transport error (EOF,
  // reset, deadline), or nullopt on success.
  template <class Done>
  asio::awaitable<std::optional<beast::error_code>> parse_until(Done done) {
    while (true) {
      beast::error_code ec;
      if (buffer_.size() > 0) {
        const auto data = buffer_.data();
        const auto used = reader_->put(std::string_view(static_cast<const char*>(data.data()), data.size()), ec);
        buffer_.consume(used);
        if (ec && ec != http::error::need_more) co_return ec;
        if (!ec && done()) co_return std::nullopt;
        if (!ec) continue;  // a part was consumed (a chunk header, say); parse the rest
      }
      if (buffer_.size() >= buffer_.max_size()) co_return beast::error_code(http::error::buffer_overflow);
      if (!co_await read_more()) co_return beast::error_code(asio::error::eof);
    }
  }

  // One read into the buffer; false on EOF, error, drain or deadline.
  asio::awaitable<bool> read_more() {
    const auto room = std::min(kReadChunk, buffer_.max_size() - buffer_.size());
    auto [ec, bytes] = co_await socket_.async_read_some(buffer_.prepare(room), use_nothrow);
    if (ec || timed_out_) co_return false;
    buffer_.commit(bytes);
    co_return true;
  }

  // Answers a request that failed before routing: the pipeline still adds the
  // request id and records it; then the connection is closed, because after a
  // framing error the rest of the stream cannot be trusted.
  asio::awaitable<bool> refuse(RequestContext& context, Request& request, int status, std::string type,
                               std::string title, std::string_view reason, std::string detail = {}) {
    shared_.metrics.protocol_errors.with_labels({std::string(reason)}).inc();
    if (request.method.empty()) request.method = "-";
    context.early_response = Response::problem(status, std::move(type), std::move(title), std::move(detail));
    clear_deadline();
    const auto response = co_await pipeline_.run(context, request);
    if (co_await write(response, 11, false, true)) co_await linger();
    co_return false;
  }

  // One gathered write: the formatted head, then the body (not copied).
  asio::awaitable<bool> write(const Response& response, unsigned version, bool head, bool close) {
    const auto formatted = format_response_head(response, version, close, http_date_now());
    if (formatted.dropped > 0) {
      core::log::error("http.response_header_dropped", {{"count", formatted.dropped}, {"status", response.status}});
    }
    const bool send_body = !head && !is_bodiless(response.status);
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(formatted.text), asio::buffer(send_body ? std::string_view(response.body) : std::string_view())};
    set_deadline(shared_.limits.write_timeout, "write");
    auto [ec, bytes] = co_await asio::async_write(socket_, buffers, use_nothrow);
    clear_deadline();
    co_return !ec && !timed_out_;
  }

  asio::awaitable<void> linger() {
    beast::error_code ignored;
    lowest_layer(socket_).shutdown(tcp::socket::shutdown_send, ignored);
    set_deadline(kLingerTime, nullptr);  // the end of a lingering close is not a client timeout
    std::array<char, kReadChunk> sink{};
    std::size_t discarded = 0;
    while (discarded < kLingerBytes && !timed_out_) {
      auto [ec, bytes] = co_await socket_.async_read_some(asio::buffer(sink), use_nothrow);
      if (ec) break;
      discarded += bytes;
    }
  }

  // `phase` labels orderly_http_timeouts_total when the deadline passes; null: not counted.
  void set_deadline(std::chrono::milliseconds after, const char* phase) {
    deadline_ = shared_.clock.monotonic() + after;
    deadline_phase_ = phase;
  }
  void clear_deadline() { deadline_ = SteadyTime::max(); }

  bool bytes_waiting() {
    beast::error_code ec;
    return lowest_layer(socket_).available(ec) > 0 && !ec;
  }

  std::string remote_;
  Stream socket_;
  // The current request's state, kept out of serve_one's coroutine frame:
  // Asio recycles frames up to about 1 KiB, and a bigger one would cost a
  // malloc and free per request.
  RequestContext context_;
  Request request_;
  std::optional<Parser> parser_;
  std::optional<RequestReader> reader_;  // feeds parser_ (request_framing.hpp: the chunk-line check)
  beast::flat_buffer buffer_;
  const Pipeline& pipeline_;
  LoopState& loop_;
  SessionShared& shared_;
  SteadyTime deadline_ = SteadyTime::max();
  const char* deadline_phase_ = "header";
  bool timed_out_ = false;
  bool idle_ = true;
  std::size_t requests_ = 0;
  unsigned burst_ = 0;  // requests answered from the current burst of pipelined bytes
};

asio::awaitable<void> run_session(tcp::socket socket, const Pipeline& pipeline, LoopState& loop,
                                  SessionShared& shared) {
  Session<tcp::socket> session(std::move(socket), pipeline, loop, shared);
  co_await session.run();
}

asio::awaitable<void> run_tls_session(tcp::socket socket, asio::ssl::context& tls, const Pipeline& pipeline,
                                      LoopState& loop, SessionShared& shared) {
  Session<asio::ssl::stream<tcp::socket>> session(asio::ssl::stream<tcp::socket>(std::move(socket), tls), pipeline,
                                                   loop, shared);
  co_await session.run();
}

void close_idle_sessions(LoopState& loop) {
  for (auto* session : loop.sessions) session->close_if_idle();
}

void expire_sessions(LoopState& loop, SteadyTime now) {
  for (auto* session : loop.sessions) session->expire_if_due(now);
}

}  // namespace orderly::net::detail
