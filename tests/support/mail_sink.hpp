#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "support/orderly_process.hpp"

namespace orderly::testing {

// The embedded server's mail sink (<data dir>/data/maildir/new), read as a
// user reads their mailbox: the tokens of the links mailed to one address.

// The token of every `<link_path>?token=…` link in the mails to `email`,
// oldest mail first (by file time, then name).
std::vector<std::string> mailed_tokens(const OrderlyProcess& server, std::string_view email,
                                       std::string_view link_path);

// Waits (bounded by `timeout`) until at least `count` such links were mailed
// to `email`, then returns them all; fewer on timeout (the caller asserts).
std::vector<std::string> wait_for_mailed_tokens(const OrderlyProcess& server, std::string_view email,
                                                std::string_view link_path, std::size_t count,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace orderly::testing
