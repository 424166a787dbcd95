// The session's Transfer-Encoding checks, fed through Beast's real parser.
#include "net/request_framing.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <gtest/gtest.h>

namespace orderly::net {
namespace {
namespace http = boost::beast::http;

// The problem for a request head, or "parse error" when Beast refuses it first.
std::string problem_for(std::string_view head) {
  http::request_parser<http::empty_body> parser;
  parser.eager(false);
  boost::beast::error_code error;
  parser.put(boost::asio::buffer(head.data(), head.size()), error);
  if (error && error != http::error::need_more) return "parse error: " + error.message();
  if (!parser.is_header_done()) return "parse error: incomplete head";
  return transfer_encoding_problem(parser.get()).value_or("");
}

TEST(RequestFraming, AcceptsPlainChunkedInAnyCaseAndNoTransferEncoding) {
  EXPECT_EQ(problem_for("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), "");
  EXPECT_EQ(problem_for("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  ChunKed \r\n\r\n"), "");
  EXPECT_EQ(problem_for("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"), "");
}

// Fuzzing edges (issue 18): both were read as chunked by Beast, which only
// looks at the last coding; a proxy in front may frame them otherwise.
TEST(RequestFraming, RefusesIdentityThenChunked) {
  EXPECT_NE(problem_for("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n"), "");
  EXPECT_NE(problem_for("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), "");
  EXPECT_NE(problem_for("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                        "Transfer-Encoding: chunked\r\n\r\n"),
            "");
}

TEST(RequestFraming, RefusesAnObsFoldedTransferEncoding) {
  const auto problem = problem_for("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity,\r\n chunked\r\n\r\n");
  EXPECT_NE(problem, "");
}

// Every regression file the request_framing fuzz target keeps is a request
// head the check must refuse (fuzz/README.md lists them).
TEST(RequestFraming, RefusesEveryRegressionFile) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ORDERLY_FUZZ_DIR "/regressions/request_framing")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_NE(problem_for(bytes.str()), "") << entry.path();
    ++files;
  }
  EXPECT_GE(files, 2U);
}


// What RequestReader makes of a byte stream fed whole, as the session feeds
// its buffer: "done <body>" with the bytes left, "waiting", or the error.
std::string read_through(std::string_view stream) {
  RequestReader::Parser parser;
  RequestReader reader(parser);
  std::size_t used = 0;
  while (!parser.is_done()) {
    if (used == stream.size()) return "waiting";
    boost::beast::error_code error;
    used += reader.put(stream.substr(used), error);
    if (error == http::error::need_more) return "waiting";
    if (error) return "error: " + error.message();
  }
  return "done " + parser.get().body() + " +" + std::to_string(stream.size() - used);
}

constexpr std::string_view kChunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
constexpr std::string_view kNext = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

TEST(RequestReader, ReadsChunkedBodiesWithExtensionsAndLeavesTheNextRequest) {
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "5\r\nhello\r\n0\r\n\r\n" + std::string(kNext)),
            "done hello +" + std::to_string(kNext.size()));
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "3;a=b;q=\"x\\\"y\"\r\nabc\r\n2;z=\"\"\r\n\"\"\r\n0;e=\"f\"\r\n\r\n"),
            "done abc\"\" +0");
  EXPECT_EQ(read_through("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n\"\r\n\"" + std::string(kNext)),
            "done \"\r\n\" +" + std::to_string(kNext.size()));
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "5;a=\"open"), "waiting");  // the line's CR not here yet
}

// Fuzzing finding (issue 18, framing_differential): Beast 1.81 scans an
// unclosed quoted chunk extension past the line's CRLF and waits, so a proxy
// that ended the request there and forwards the next one on the connection
// would see it swallowed. Before the fix, each of these read "waiting" even
// with the next request appended.
TEST(RequestReader, RefusesAChunkLineWhoseQuoteIsOpenAtItsEnd) {
  const std::string refused = "error: " + http::make_error_code(http::error::bad_chunk_extension).message();
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "5;ext=\"\r\npedia\r\n0\r\n\r\n" + std::string(kNext)), refused);
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "5;a=\"x\\\r\nhello\r\n0\r\n\r\n" + std::string(kNext)), refused);
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "5\r\nhello\r\n3;a=\"\r\nabc\r\n0\r\n\r\n" + std::string(kNext)),
            refused);  // the second chunk's line
  EXPECT_EQ(read_through(std::string(kChunkedHead) + "0;a=\"\r\n\r\n" + std::string(kNext)), refused);  // the last
}

TEST(RequestReader, RefusesTheFindingsRegressionFile) {
  std::ifstream in(ORDERLY_FUZZ_DIR "/regressions/framing_differential/chunk-ext-open-quote", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  ASSERT_FALSE(bytes.str().empty());
  EXPECT_EQ(read_through(bytes.str() + std::string(kNext)),
            "error: " + http::make_error_code(http::error::bad_chunk_extension).message());
}

}  // namespace
}  // namespace orderly::net
