#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "notify/email_channel.hpp"

namespace orderly::notify {

// Embedded mode's mailbox: every email becomes one file of a maildir
// (<root>/{tmp,new,cur}), readable by any mail client. The file is written to
// tmp/, synced, renamed into new/ and the folder synced, so a reader never
// sees half a message and a crash leaves at most a stray tmp/ file. The file
// name is derived from the event's message id alone: sending the same event
// again finds it (in new/, or in cur/ once a client has read it) and writes
// nothing, so a redelivery never yields a second email.
class MaildirChannel final : public EmailChannel {
 public:
  // Creates the three folders if they are missing; throws DeliveryError when it cannot.
  MaildirChannel(std::filesystem::path root, Mailbox from);

  [[nodiscard]] std::string_view name() const override { return "maildir"; }
  void send(const Email& email) override;

  // The file name an email with this message id gets in new/.
  [[nodiscard]] static std::string file_name(std::string_view message_id);
  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  [[nodiscard]] bool already_delivered(const std::string& file) const;

  std::filesystem::path root_;
  Mailbox from_;
  std::atomic<unsigned long> sequence_{0};  // unique tmp/ names for concurrent sends
};

}  // namespace orderly::notify
