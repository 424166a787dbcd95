#include "core/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace orderly::core {
namespace {

std::string errno_text() { return std::strerror(errno); }

void create_exclusively(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;  // another process made it first: use theirs
    throw SecretFileError(path + ": cannot create: " + errno_text());
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      ::close(fd);
      throw SecretFileError(path + ": cannot write: " + errno_text());
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) throw SecretFileError(path + ": cannot sync: " + errno_text());
}

}  // namespace

std::string load_secret_file(const std::string& path, const std::function<std::string()>& create) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT || !create) throw SecretFileError(path + ": " + errno_text());
    create_exclusively(path, create());
    if (::stat(path.c_str(), &info) != 0) throw SecretFileError(path + ": " + errno_text());
  }
  if ((info.st_mode & 077) != 0) {
    throw SecretFileError(path + ": readable by group or others; run: chmod 600 " + path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SecretFileError(path + ": cannot read");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace orderly::core
