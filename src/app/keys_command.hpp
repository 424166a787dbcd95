#pragma once

#include "core/config.hpp"

namespace orderly::app {

// `orderly keys rotate`: a new token-signing key takes over; the previous one
// keeps verifying for one access-token lifetime plus leeway, so no session
// breaks. Running servers see it at their next key reload. Exit 0, or 1 with
// one line on stderr.
int rotate_signing_keys(const core::Config& config);

// `orderly keys list`: the kids that verify tokens now, newest (signing) first.
int list_signing_keys(const core::Config& config);

}  // namespace orderly::app
