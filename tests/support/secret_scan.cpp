#include "support/secret_scan.hpp"

#include <gtest/gtest.h>

namespace orderly::testing {

void SecretScan::add(std::string secret) {
  ASSERT_GE(secret.size(), 8U) << "a secret this short would match by chance";
  secrets_.push_back(std::move(secret));
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
}

void SecretScan::expect_clean(OrderlyProcess& server) const {
  EXPECT_FALSE(secrets_.empty()) << "a scan with nothing to look for proves nothing";
  for (const auto& line : server.stdout_lines()) check("a log line", line);
  check("stderr", server.stderr_text());
  for (const auto& text : answers_) check("an answer", text);
}

void SecretScan::expect_clean(std::string_view where, std::string_view output) const {
  EXPECT_FALSE(secrets_.empty()) << "a scan with nothing to look for proves nothing";
  check(where, output);
  for (const auto& text : answers_) check("an answer", text);
}

}  // namespace orderly::testing
