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

}  // namespace
}  // namespace orderly::net
