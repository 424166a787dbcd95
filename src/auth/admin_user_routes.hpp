#pragma once

#include "net/router.hpp"
#include "store/store.hpp"

namespace orderly::auth {

// Adds GET /api/v1/admin/users (admins, API.md "Live order status" table):
// `email=` keeps the users whose address contains it (case-insensitive, at
// most 254 characters), `limit=` (1..100, default 20), `cursor=` (the
// next_cursor of the page before; opaque). Answers {items: [{id, email, name,
// roles, created_at}], next_cursor}, by e-mail; a bad parameter is a 422
// naming it. Never a password hash or a token version. `store` must outlive
// the router.
void add_admin_user_routes(net::Router& router, store::Store& store);

}  // namespace orderly::auth
