#include "notify/account_email.hpp"

namespace orderly::notify {

RenderedEmail render_account_email(auth::AccountEventType type, const auth::AccountEvent& event) {
  switch (type) {
    case auth::AccountEventType::password_reset:
      break;
  }
  const auto name = one_line(event.name);
  RenderedEmail mail;
  mail.template_name = "password_reset";
  mail.subject = "Reset your Orderly password";
  mail.body = (name.empty() ? std::string("Hello,") : "Hello " + name + ",") +
              "\n\nSomeone asked to reset the password of your Orderly account. To choose a new one, open this"
              " link within 30 minutes:\n\n" +
              one_line(event.link) +
              "\n\nThe link works once. If you did not ask for it, ignore this mail: your password stays as it is.\n"
              "\n-- \nOrderly\n";
  return mail;
}

}  // namespace orderly::notify
