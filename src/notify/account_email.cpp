#include "notify/account_email.hpp"

namespace orderly::notify {

namespace {

std::string greeting(const auth::AccountEvent& event) {
  const auto name = one_line(event.name);
  return name.empty() ? std::string("Hello,") : "Hello " + name + ",";
}

RenderedEmail verification_email(const auth::AccountEvent& event) {
  RenderedEmail mail;
  mail.template_name = "email_verification";
  mail.subject = "Confirm your e-mail address for Orderly";
  mail.body = greeting(event) +
              "\n\nPlease confirm that this is your e-mail address by opening this link within 24 hours:\n\n" +
              one_line(event.link) +
              "\n\nThe link works once. If you did not create an Orderly account, ignore this mail.\n"
              "\n-- \nOrderly\n";
  return mail;
}

}  // namespace

RenderedEmail render_account_email(auth::AccountEventType type, const auth::AccountEvent& event) {
  switch (type) {
    case auth::AccountEventType::email_verification:
      return verification_email(event);
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
