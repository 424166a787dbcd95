#include "payments/vault_key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "core/secret_file.hpp"

namespace orderly::payments {
namespace {

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

// The ring in the file (core::load_secret_file refuses a file group or
// others may read, and creates a missing one with mode 0600 when asked).
VaultKeyRing load(const std::filesystem::path& path, const std::function<std::string()>& create) {
  SecretText content;
  try {
    content.text = core::load_secret_file(path.string(), create);
  } catch (const core::SecretFileError& error) {
    throw VaultKeyError(std::string("payments.vault_key_file ") + error.what());
  }
  return VaultKeyRing::parse(content.text, describe(path));
}

}  // namespace

VaultKeyRing read_key_file(const std::filesystem::path& path) { return load(path, nullptr); }

VaultKeyRing read_or_create_key_file(const std::filesystem::path& path) {
  return load(path, [] { return VaultKeyRing::generate().serialize(); });
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
