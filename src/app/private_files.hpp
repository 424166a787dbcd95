#pragma once

#include <filesystem>
#include <string_view>

namespace orderly::app {

// Files of backups and restored data folders: they hold password hashes and
// keys, so they are the owner's only from the moment they exist. Each throws
// BackupError (app/backup_manifest.hpp) naming the path and the reason.

// Creates `folder` (and its parents) and makes it 0700.
void make_private_folder(const std::filesystem::path& folder);

// Writes `bytes` to a new file `path` (mode 0600; replaced if it exists) and
// fsyncs it.
void write_private_file(const std::filesystem::path& path, std::string_view bytes);

// Copies `from` to a new file `to` (mode 0600, fsynced), streamed.
void copy_private_file(const std::filesystem::path& from, const std::filesystem::path& to);

// fsync of a folder, so the names made in it survive a crash.
void sync_folder(const std::filesystem::path& folder);

// True when `folder` does not exist or holds nothing.
[[nodiscard]] bool folder_is_empty(const std::filesystem::path& folder);

}  // namespace orderly::app
