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

// Writes `content` to a private temporary file, syncs it, then link()s it
// into place: link fails with EEXIST if another process got there first, so
// a reader never sees a half-written secret and two starters agree on one.
void create_exclusively(const std::string& path, const std::string& content) {
  std::string temporary = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());  // mode 0600
  if (fd < 0) throw SecretFileError(path + ": cannot create: " + errno_text());
  std::size_t written = 0;
  bool ok = true;
  while (ok && written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    ok = n >= 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const auto write_error = errno_text();
  ::close(fd);
  if (!ok) {
    ::unlink(temporary.c_str());
    throw SecretFileError(path + ": cannot write: " + write_error);
  }
  const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(temporary.c_str());
  if (!linked && link_errno != EEXIST) {
    errno = link_errno;
    throw SecretFileError(path + ": cannot create: " + errno_text());
  }
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
