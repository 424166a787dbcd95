// The maildir channel writes one well-formed message per event, the maildir
// way, and never a second one for the same message id.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "notify/maildir_channel.hpp"

namespace orderly::notify {
namespace {
namespace fs = std::filesystem;

class MaildirChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-maildir-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
  }
  void TearDown() override { fs::remove_all(folder_); }

  static Email email(std::string message_id, std::string to = "ada@example.com") {
    return Email{std::move(message_id), std::move(to), "Order ord_1 received", "Hello Ada,\n\nThanks.\n",
                 std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
  }
  static std::size_t files_in(const fs::path& folder) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator{}));
  }
  static std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path root() const { return fs::path(folder_) / "maildir"; }
  std::string folder_;
  const Mailbox from_{"Orderly", "orders@orderly.local"};
};

TEST_F(MaildirChannelTest, WritesOneWellFormedMessageIntoNew) {
  MaildirChannel channel(root(), from_);
  for (const char* sub : {"tmp", "new", "cur"}) EXPECT_TRUE(fs::is_directory(root() / sub)) << sub;

  channel.send(email("msg-1"));
  ASSERT_EQ(files_in(root() / "new"), 1U);
  EXPECT_EQ(files_in(root() / "tmp"), 0U) << "the temporary file was renamed, not copied";
  const auto file = root() / "new" / MaildirChannel::file_name("msg-1");
  ASSERT_TRUE(fs::exists(file));
  const auto text = read(file);
  EXPECT_TRUE(text.starts_with("From: Orderly <orders@orderly.local>\r\n")) << text;
  EXPECT_NE(text.find("\r\nTo: <ada@example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\nMessage-ID: <msg-1@orderly.local>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nHello Ada,\r\n\r\nThanks.\r\n"), std::string::npos) << "a blank line ends the header";
}

TEST_F(MaildirChannelTest, RedeliveryOfTheSameMessageIdGivesOneFile) {
  MaildirChannel channel(root(), from_);
  channel.send(email("msg-1"));
  channel.send(email("msg-1"));
  EXPECT_EQ(files_in(root() / "new"), 1U);

  // A mail client read it: it now lives in cur/ with flags. Still one email.
  const auto name = MaildirChannel::file_name("msg-1");
  fs::rename(root() / "new" / name, root() / "cur" / (name + ":2,S"));
  channel.send(email("msg-1"));
  EXPECT_EQ(files_in(root() / "new"), 0U);
  EXPECT_EQ(files_in(root() / "cur"), 1U);

  channel.send(email("msg-2"));
  EXPECT_EQ(files_in(root() / "new"), 1U) << "another event is another email";
}

TEST_F(MaildirChannelTest, HeaderInjectionWritesNothing) {
  MaildirChannel channel(root(), from_);
  EXPECT_THROW(channel.send(email("msg-1", "ada@example.com\r\nBcc: x@example.com")), HeaderInjection);
  EXPECT_EQ(files_in(root() / "new"), 0U);
  EXPECT_EQ(files_in(root() / "tmp"), 0U);
}

TEST_F(MaildirChannelTest, HostileMessageIdsStayInsideTheMaildir) {
  MaildirChannel channel(root(), from_);
  channel.send(email("../../escape"));
  EXPECT_EQ(files_in(root() / "new"), 1U);
  EXPECT_FALSE(fs::exists(fs::path(folder_) / "escape"));
}

TEST_F(MaildirChannelTest, UnwritableFolderIsADeliveryError) {
  MaildirChannel channel(root(), from_);
  fs::remove_all(root() / "tmp");
  EXPECT_THROW(channel.send(email("msg-1")), DeliveryError);
}

}  // namespace
}  // namespace orderly::notify
