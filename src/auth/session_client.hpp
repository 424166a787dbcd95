#pragma once

#include "auth/refresh_tokens.hpp"
#include "net/http_message.hpp"

namespace orderly::auth {

// The user agent and address a login or refresh came from, as the sessions
// list shows them: the User-Agent cut to 200 bytes with every byte outside
// printable ASCII replaced by '?' (it is the client's text, shown to the user
// as it is, and must stay valid JSON and a single line).
[[nodiscard]] SessionClient session_client_of(const net::Request& request);

}  // namespace orderly::auth
