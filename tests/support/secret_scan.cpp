#include "support/secret_scan.hpp"

#include <gtest/gtest.h>

namespace orderly::testing {

void SecretScan::add(std::string secret) {
  ASSERT_GE(secret.size(), 8U) << "a secret this short would match by chance";
  secrets_.push_back(std::move(secret));
}

void SecretScan::add_code(std::string code) {
  ASSERT_GE(code.size(), 6U) << "a code this short would match by chance";
  for (const char c : code) ASSERT_TRUE(c >= '0' && c <= '9') << "add_code takes digits only";
  codes_.push_back(std::move(code));
}

void SecretScan::answer(const HttpResponse& response) {
  std::string text = std::to_string(response.status) + "\n";
  for (const auto& [name, value] : response.headers) text += name + ": " + value + "\n";
  text += response.body;
  answers_.push_back(std::move(text));
}

void SecretScan::check(std::string_view where, std::string_view text) const {
  for (const auto& secret : secrets_) {
    if (text.find(secret) != std::string_view::npos) {
      ADD_FAILURE() << "a secret (" << secret.substr(0, 3) << "…, " << secret.size() << " characters) leaked into "
                    << where;
    }
  }
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (const auto& code : codes_) {
    for (auto at = text.find(code); at != std::string_view::npos; at = text.find(code, at + 1)) {
      const bool digit_before = at > 0 && is_digit(text[at - 1]);
      const bool digit_after = at + code.size() < text.size() && is_digit(text[at + code.size()]);
      if (!digit_before && !digit_after) {
        ADD_FAILURE() << "a code (" << code.size() << " digits) leaked into " << where;
        break;
      }
    }
  }
}

void SecretScan::expect_clean(OrderlyProcess& server) const {
  EXPECT_FALSE(secrets_.empty() && codes_.empty()) << "a scan with nothing to look for proves nothing";
  for (const auto& line : server.stdout_lines()) check("a log line", line);
  check("stderr", server.stderr_text());
  for (const auto& text : answers_) check("an answer", text);
}

void SecretScan::expect_clean(std::string_view where, std::string_view output) const {
  EXPECT_FALSE(secrets_.empty() && codes_.empty()) << "a scan with nothing to look for proves nothing";
  check(where, output);
  for (const auto& text : answers_) check("an answer", text);
}

}  // namespace orderly::testing
