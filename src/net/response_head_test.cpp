#include "net/response_head.hpp"

#include <gtest/gtest.h>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace orderly::net {
namespace {

const std::string kDate = "Sat, 21 Nov 2026 10:00:00 GMT";

// Parses what we wrote with Beast's own response parser: the strongest check
// that the bytes are valid HTTP/1.1.
boost::beast::http::response<boost::beast::http::string_body> parse(const std::string& wire) {
  boost::beast::http::response_parser<boost::beast::http::string_body> parser;
  boost::beast::error_code ec;
  parser.eager(true);
  parser.put(boost::asio::buffer(wire), ec);
  EXPECT_FALSE(ec) << ec.message() << "\n" << wire;
  EXPECT_TRUE(parser.is_done()) << wire;
  return parser.release();
}

TEST(ResponseHead, ParsesBackWithBeast) {
  auto response = Response::json(201, R"({"id":"7"})");
  response.headers.set("Location", "/api/v1/orders/7");
  const auto head = format_response_head(response, 11, false, kDate);
  const auto message = parse(head.text + response.body);
  EXPECT_EQ(message.result_int(), 201U);
  EXPECT_EQ(message.reason(), "Created");
  EXPECT_EQ(message["Location"], "/api/v1/orders/7");
  EXPECT_EQ(message["Content-Type"], "application/json");
  EXPECT_EQ(message["Date"], kDate);
  EXPECT_EQ(message.body(), R"({"id":"7"})");
  EXPECT_TRUE(message.keep_alive());
}

TEST(ResponseHead, CloseIsAnnounced) {
  const auto head = format_response_head(Response::empty(200), 11, true, kDate);
  EXPECT_FALSE(parse(head.text).keep_alive());
}

TEST(ResponseHead, HeaderInjectionIsDropped) {
  auto response = Response::empty(200);
  response.headers.add("X-Ok", "fine");
  response.headers.add("X-Evil", "a\r\nSet-Cookie: stolen=1");
  response.headers.add("Bad Name", "x");
  response.headers.add("Content-Length", "999");  // the writer's own
  response.headers.add("Transfer-Encoding", "chunked");
  const auto head = format_response_head(response, 11, false, kDate);
  EXPECT_EQ(head.dropped, 2U);
  EXPECT_EQ(head.text.find("stolen"), std::string::npos);
  EXPECT_EQ(head.text.find("999"), std::string::npos);
  EXPECT_EQ(head.text.find("chunked"), std::string::npos);
  EXPECT_EQ(parse(head.text)["X-Ok"], "fine");
}

TEST(ResponseHead, NoContentResponsesDeclareNoLength) {
  for (const int status : {204, 304}) {
    const auto head = format_response_head(Response::empty(status), 11, false, kDate);
    EXPECT_EQ(head.text.find("Content-Length"), std::string::npos) << status;
  }
}

TEST(ResponseHead, UnknownStatusStillFormats) {
  const auto head = format_response_head(Response::empty(299), 11, false, kDate);
  EXPECT_EQ(head.text.rfind("HTTP/1.1 299 ", 0), 0U);
}

}  // namespace
}  // namespace orderly::net
