#include "notify/maildir_channel.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace orderly::notify {
namespace fs = std::filesystem;

namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  // close() can report a delayed write error: check it.
  int release_and_close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

[[noreturn]] void fail(const char* what) {
  throw DeliveryError(std::string("maildir: ") + what + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void sync_folder(const fs::path& folder) {
  FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail("open folder");
  if (::fsync(fd.get()) != 0) fail("fsync folder");
}

}  // namespace

MaildirChannel::MaildirChannel(fs::path root, Mailbox from) : root_(std::move(root)), from_(std::move(from)) {
  // Mails carry personal data and account links: the owner's only (0700).
  for (const char* sub : {"tmp", "new", "cur"}) {
    std::error_code ec;
    fs::create_directories(root_ / sub, ec);
    if (ec) throw DeliveryError("maildir: cannot create " + (root_ / sub).string() + ": " + ec.message());
    fs::permissions(root_ / sub, fs::perms::owner_all, ec);
  }
  std::error_code ec;
  fs::permissions(root_, fs::perms::owner_all, ec);
}

std::string MaildirChannel::file_name(std::string_view message_id) {
  return "orderly." + safe_token(message_id) + ".eml";
}

bool MaildirChannel::already_delivered(const std::string& file) const {
  std::error_code ec;
  if (fs::exists(root_ / "new" / file, ec)) return true;
  // A mail client that has seen it moved it to cur/ as "<name>:2,<flags>".
  // A linear scan, but it only runs for events that reach this channel, and
  // the worker's inbox already filters out events sent before.
  const auto prefix = file + ":";
  for (const auto& entry : fs::directory_iterator(root_ / "cur", ec)) {
    const auto name = entry.path().filename().string();
    if (name == file || name.starts_with(prefix)) return true;
  }
  return false;
}

void MaildirChannel::send(const Email& email) {
  const auto text = compose_rfc5322(email, from_);  // refuses header injection before touching the disk
  const auto file = file_name(email.message_id);
  if (already_delivered(file)) return;

  const auto temporary =
      root_ / "tmp" / (file + "." + std::to_string(::getpid()) + "." + std::to_string(sequence_.fetch_add(1)));
  {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail("create");
    try {
      write_all(fd.get(), text);
      if (::fsync(fd.get()) != 0) fail("fsync");
      if (fd.release_and_close() != 0) fail("close");
    } catch (const DeliveryError&) {
      ::unlink(temporary.c_str());
      throw;
    }
  }
  // rename() replaces atomically: two workers racing on one event still leave one file.
  if (::rename(temporary.c_str(), (root_ / "new" / file).c_str()) != 0) {
    const int saved = errno;
    ::unlink(temporary.c_str());
    errno = saved;
    fail("rename");
  }
  sync_folder(root_ / "new");
}

}  // namespace orderly::notify
