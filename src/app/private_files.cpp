#include "app/private_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "app/backup_manifest.hpp"

namespace orderly::app {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, std::string_view what) {
  throw BackupError(path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
}

void write_all(int fd, const std::filesystem::path& path, const char* data, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    const auto n = ::write(fd, data + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(path, "write");
    written += static_cast<std::size_t>(n);
  }
}

int create_private(const std::filesystem::path& path) {
  ::unlink(path.c_str());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail(path, "create");
  return fd;
}

void finish(int fd, const std::filesystem::path& path) {
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) fail(path, "fsync");
}

}  // namespace

void make_private_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (!ec) std::filesystem::permissions(folder, std::filesystem::perms::owner_all, ec);
  if (ec) throw BackupError(folder.string() + ": " + ec.message());
}

void write_private_file(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = create_private(path);
  try {
    write_all(fd, path, bytes.data(), bytes.size());
  } catch (...) {
    ::close(fd);
    throw;
  }
  finish(fd, path);
}

void copy_private_file(const std::filesystem::path& from, const std::filesystem::path& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail(from, "open");
  int out = -1;
  try {
    out = create_private(to);
    std::array<char, 1 << 16> chunk{};
    while (true) {
      const auto n = ::read(in, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(from, "read");
      if (n == 0) break;
      write_all(out, to, chunk.data(), static_cast<std::size_t>(n));
    }
  } catch (...) {
    ::close(in);
    if (out >= 0) ::close(out);
    throw;
  }
  ::close(in);
  finish(out, to);
}

void sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(folder, "open folder");
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) fail(folder, "fsync folder");
}

bool folder_is_empty(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) return true;
  return std::filesystem::is_directory(folder, ec) && std::filesystem::is_empty(folder, ec);
}

}  // namespace orderly::app
