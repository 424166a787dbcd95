#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace orderly::app {

// A backup, or the folder it is read from, is unusable; the message says why
// (never a key or a row, only names and figures).
class BackupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BackupFile {
  std::string name;  // inside the backup folder, e.g. "orderly.db"
  std::string role;  // database, auth_key, vault_keys or provider_journal (where restore puts it)
  std::uintmax_t bytes = 0;
  std::string sha256;  // lower-case hex
};

// manifest.json of a backup folder: what was copied, by which version, at
// which schema version. Written last, so a folder without one is an
// interrupted backup.
struct BackupManifest {
  static constexpr int kFormat = 1;
  static constexpr const char* kFileName = "manifest.json";

  int format = kFormat;
  std::string orderly_version;
  std::string created_at;  // RFC 3339, UTC
  int schema_version = 0;
  std::vector<BackupFile> files;

  [[nodiscard]] std::string to_json() const;
  // Throws BackupError for anything but a manifest of this format.
  [[nodiscard]] static BackupManifest parse(std::string_view text);
};

// SHA-256 of a file's bytes, streamed (OpenSSL EVP). Throws BackupError.
[[nodiscard]] std::string file_sha256(const std::filesystem::path& path);

// Each file of `manifest` under `folder` with its recorded size and digest;
// returns the problems ("vault.keys: checksum differs"), empty when all match.
[[nodiscard]] std::vector<std::string> verify_backup_files(const BackupManifest& manifest,
                                                           const std::filesystem::path& folder);

}  // namespace orderly::app
