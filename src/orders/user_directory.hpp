#pragma once

#include "auth/api/user_directory.hpp"

namespace orderly::orders {

// The orders module's view of auth's users: the api interface, in-process
// (auth::StoreUserDirectory) or over HTTP (rpc::HttpUserDirectory).
using UserContact = auth::UserContact;
using UserDirectory = auth::UserDirectory;

}  // namespace orderly::orders
