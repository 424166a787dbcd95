#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {

// The secrets one test handled (passwords, tokens, reset links, codes), and
// the check every account flow ends with: none of them in the server's log
// lines or stderr, nor in an answer that is not meant to carry it (error
// bodies and headers). Secrets shorter than 8 characters are refused: they
// would match by chance.
class SecretScan {
 public:
  void add(std::string secret);
  // A short numeric secret (a six-digit TOTP code): found only as a whole
  // number, not inside a longer run of digits (a timestamp, a count), so it
  // does not match by chance.
  void add_code(std::string code);
  // Records an answer to be scanned later (do not pass the one answer that
  // legitimately hands a secret out, such as a login's tokens).
  void answer(const HttpResponse& response);

  // ADD_FAILURE for each secret found, naming where (never printing it whole).
  void expect_clean(OrderlyProcess& server) const;
  // The same over the output of processes the test did not start itself (a
  // cluster's log files), given as one text.
  void expect_clean(std::string_view where, std::string_view output) const;

 private:
  void check(std::string_view where, std::string_view text) const;

  std::vector<std::string> secrets_;
  std::vector<std::string> codes_;
  std::vector<std::string> answers_;
};

}  // namespace orderly::testing
