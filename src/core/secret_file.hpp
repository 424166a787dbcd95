#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace orderly::core {

// A secret file is unusable: missing, unreadable, or readable by group or others.
class SecretFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a secret (a key kept outside the database) from `path`. When the
// file does not exist and `create` is set, writes `create()` to it first with
// mode 0600, atomically (a synced temporary file link()ed into place), so
// two starting processes agree on one secret and neither reads half of it. Refuses a file that group or others may read: a leaked key file
// exposes every value it protects. Throws SecretFileError.
[[nodiscard]] std::string load_secret_file(const std::string& path, const std::function<std::string()>& create);

}  // namespace orderly::core
