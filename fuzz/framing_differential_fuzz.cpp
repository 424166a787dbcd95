// Differential framing: a byte stream of pipelined requests read the way
// net/session.cpp reads it (Beast's parser fed until done, then
// net::transfer_encoding_problem and the one-Host rule) and by Node's
// http-parser (Debian's libhttp-parser-dev, 2.9), the parser of many proxies.
// A proxy desynchronises from Orderly when both take a request but end it at
// different bytes or with different bodies, or when one has a whole request
// where the other still waits for bytes that the first reads as the next
// request and that side then takes the next request's bytes as part of
// this one. Those fail; a refusal on either side is safe (Orderly answers 400
// and closes, a proxy does not forward), see fuzz/README.md.
#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/request_framing.hpp"
#include "property.hpp"

namespace {

namespace http = boost::beast::http;

// How one parser framed the request at the front of a stream.
struct Framing {
  enum class Outcome { complete, incomplete, refused } outcome = Outcome::refused;
  std::size_t end = 0;  // bytes of the stream the request takes, when complete
  std::string body;
};

constexpr std::uint64_t kBodyLimit = 1024 * 1024;  // the default http.body_limit_bytes

// The session's reading: Beast fed through net::RequestReader until the head
// is done, the framing checks, then fed until the message is done
// (session.cpp parse_until and serve_one).
Framing orderly_framing(std::string_view stream) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);  // the default http.header_limit_bytes
  parser.body_limit(boost::none);
  orderly::net::RequestReader reader(parser);  // what the session feeds the parser through
  Framing framing;
  std::size_t used = 0;
  bool checked = false;
  while (!parser.is_done()) {
    if (used == stream.size()) {  // the session would read more bytes
      framing.outcome = Framing::Outcome::incomplete;
      return framing;
    }
    boost::beast::error_code error;
    used += reader.put(stream.substr(used), error);
    if (error == http::error::need_more) {  // the session would read more bytes
      framing.outcome = Framing::Outcome::incomplete;
      return framing;
    }
    if (error) {
      return framing;  // refused (400)
    }
    if (parser.is_header_done() && !checked) {
      checked = true;
      const auto& message = parser.get();
      if (orderly::net::transfer_encoding_problem(message) ||
          (message.count(http::field::transfer_encoding) > 0 && !parser.chunked())) {
        return framing;
      }
      const auto hosts = message.count(http::field::host);
      if (hosts > 1 || (hosts == 0 && message.version() >= 11)) return framing;
      // The session's body limit: a larger Content-Length is a 413 before
      // any body byte is read, a larger chunked body a 413 on the way.
      if (const auto length = parser.content_length(); length && *length > kBodyLimit) return framing;
      parser.body_limit(kBodyLimit);
    }
  }
  framing.outcome = Framing::Outcome::complete;
  framing.end = used;
  framing.body = parser.get().body();
  return framing;
}

struct PeerState {
  Framing* framing;
  bool upgrade = false;
};

int on_body(http_parser* parser, const char* at, std::size_t length) {
  static_cast<PeerState*>(parser->data)->framing->body.append(at, length);
  return 0;
}

int on_message_complete(http_parser* parser) {
  http_parser_pause(parser, 1);  // stop at this request's last byte
  return 0;
}

// http-parser's reading of the same bytes; nullopt when it hands the
// connection over (an upgrade or CONNECT), where framing ends for a proxy.
std::optional<Framing> peer_framing(std::string_view stream) {
  Framing framing;
  PeerState state{&framing};
  http_parser parser;
  http_parser_init(&parser, HTTP_REQUEST);
  parser.data = &state;
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_body = on_body;
  settings.on_message_complete = on_message_complete;
  const auto used = http_parser_execute(&parser, &settings, stream.data(), stream.size());
  if (parser.upgrade != 0) return std::nullopt;
  const auto error = HTTP_PARSER_ERRNO(&parser);
  if (error == HPE_PAUSED) {
    framing.outcome = Framing::Outcome::complete;
    framing.end = used;
  } else if (error == HPE_OK) {
    framing.outcome = Framing::Outcome::incomplete;
  }
  return framing;
}

}  // namespace

constexpr std::string_view kNextRequest = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  using Outcome = Framing::Outcome;
  for (int request = 0; request < 4 && !stream.empty(); ++request) {
    const auto ours = orderly_framing(stream);
    const auto theirs = peer_framing(stream);
    if (!theirs || ours.outcome == Outcome::refused || theirs->outcome == Outcome::refused) return 0;
    // Both still waiting for bytes: nothing forwarded yet, nothing to compare.
    if (ours.outcome == Outcome::incomplete && theirs->outcome == Outcome::incomplete) return 0;
    if (ours.outcome != theirs->outcome) {
      // One side has a whole request, the other waits. Send it the next
      // request the first side would forward: the waiting side must refuse
      // the stream then (a 400 and a close, or no forwarding), not take the
      // next request's bytes as part of this one.
      const auto next = std::string(stream) + std::string(kNextRequest);
      std::fprintf(stderr, "request %d: orderly %d, http-parser %d (0 complete, 1 incomplete) at %zu\n", request,
                   static_cast<int>(ours.outcome), static_cast<int>(theirs->outcome), theirs->end);
      if (ours.outcome == Outcome::incomplete) {
        FUZZ_PROPERTY(orderly_framing(next).outcome == Outcome::refused);
      } else {
        const auto peer = peer_framing(next);
        FUZZ_PROPERTY(!peer || peer->outcome == Outcome::refused);
      }
      return 0;
    }
    if (ours.end != theirs->end) {
      std::fprintf(stderr, "request %d: orderly ends at %zu, http-parser at %zu\n", request, ours.end, theirs->end);
    }
    FUZZ_PROPERTY(ours.end == theirs->end);
    FUZZ_PROPERTY(ours.body == theirs->body);
    stream.remove_prefix(ours.end);
  }
  return 0;
}
