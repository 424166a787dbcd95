#pragma once

#include "auth/api/user_directory.hpp"
#include "net/router.hpp"

namespace orderly::auth {

// GET /internal/v1/users/{user_id}/contact -> 200 {"email","name"} or 404:
// what other services' rpc::HttpUserDirectory asks. Mounted on the internal
// listener only (never routed by the public gateway). `users` must outlive
// the router.
void add_internal_user_routes(net::Router& router, UserDirectory& users);

}  // namespace orderly::auth
