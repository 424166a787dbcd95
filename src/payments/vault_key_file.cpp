#include "payments/vault_key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace orderly::payments {
namespace {

constexpr mode_t kOthersMayAccess = S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH;

std::string describe(const std::filesystem::path& path) { return "payments.vault_key_file " + path.string(); }

[[noreturn]] void throw_errno(const std::filesystem::path& path, const char* what) {
  throw VaultKeyError(fmt::format("{}: {}: {}", describe(path), what, std::strerror(errno)));
}

// Closes the descriptor on every path out.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {  // each turn writes at least one byte or throws
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno(path, "cannot write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Wipes the file's text (it holds key material) when the read is done.
struct SecretText {
  std::string text;
  ~SecretText() {
    if (!text.empty()) sodium_memzero(text.data(), text.size());
  }
};

// Creates `path` (it must not exist) with mode 0600 and the ring, synced to disk.
void write_private_file(const std::filesystem::path& path, const VaultKeyRing& ring) {
  const FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
  if (fd.get() < 0) throw_errno(path, "cannot create");
  SecretText text{ring.serialize()};
  write_all(fd.get(), text.text, path);
  if (::fsync(fd.get()) != 0) throw_errno(path, "cannot sync");
}

// Makes a rename or link in the folder durable.
void sync_folder_of(const std::filesystem::path& path) {
  auto folder = path.parent_path();
  if (folder.empty()) folder = ".";
  const FileDescriptor directory(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() >= 0) ::fsync(directory.get());
}

}  // namespace

VaultKeyRing read_key_file(const std::filesystem::path& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) throw_errno(path, "cannot open");
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw_errno(path, "cannot examine");
  if (!S_ISREG(info.st_mode)) throw VaultKeyError(describe(path) + ": not a regular file");
  if ((info.st_mode & kOthersMayAccess) != 0) {
    throw VaultKeyError(fmt::format("{}: mode {:04o} lets other users read or change the card keys; "
                                    "run chmod 600 on it",
                                    describe(path), info.st_mode & 07777));
  }
  SecretText content;
  char buffer[4096];
  for (;;) {  // ends at end of file or on an error
    const auto got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno(path, "cannot read");
    }
    if (got == 0) break;
    content.text.append(buffer, static_cast<std::size_t>(got));
  }
  sodium_memzero(buffer, sizeof buffer);
  return VaultKeyRing::parse(content.text, describe(path));
}

VaultKeyRing read_or_create_key_file(const std::filesystem::path& path) {
  if (::access(path.c_str(), F_OK) == 0) return read_key_file(path);
  // Written in full under a private name, then linked into place: link()
  // fails if another process got there first, and a reader never sees a
  // half-written ring.
  auto ring = VaultKeyRing::generate();
  auto temporary = path;
  temporary += fmt::format(".{}.new", ::getpid());
  write_private_file(temporary, ring);
  const int linked = ::link(temporary.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temporary.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return read_key_file(path);
    errno = link_errno;
    throw_errno(path, "cannot create");
  }
  sync_folder_of(path);
  return ring;
}

void write_key_file(const std::filesystem::path& path, const VaultKeyRing& ring) {
  auto temporary = path;
  temporary += ".new";
  ::unlink(temporary.c_str());  // a leftover of an interrupted write
  write_private_file(temporary, ring);
  if (::rename(temporary.c_str(), path.c_str()) != 0) throw_errno(path, "cannot replace");
  sync_folder_of(path);
}

std::string key_file_stamp(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return {};
  return fmt::format("{}.{}:{}:{}", info.st_mtim.tv_sec, info.st_mtim.tv_nsec, info.st_ino, info.st_size);
}

}  // namespace orderly::payments
