#pragma once

#include "auth/api/account_events.hpp"
#include "notify/templates.hpp"

namespace orderly::notify {

// The mail for an account event ("password_reset": the link, how long it
// lasts, what to do when the reader did not ask; "email_verification": the
// link that confirms the address). The name is inserted as one line of
// text, as in the order mails.
[[nodiscard]] RenderedEmail render_account_email(auth::AccountEventType type, const auth::AccountEvent& event);

}  // namespace orderly::notify
