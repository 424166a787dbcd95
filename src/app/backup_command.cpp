#include "app/backup_command.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/backup_contents.hpp"
#include "app/backup_manifest.hpp"
#include "app/private_files.hpp"
#include "app/version.hpp"
#include "core/time_format.hpp"
#include "store/errors.hpp"
#include "store/sqlite/sqlite_backup.hpp"

namespace orderly::app {
namespace {

constexpr int kNotApplicable = 2;

// A journal being appended to may end in a torn line; the copy keeps the
// complete lines only (the journal's reader drops a torn tail anyway).
void copy_complete_lines(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw BackupError(from.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  auto content = std::move(text).str();
  content.resize(content.rfind('\n') == std::string::npos ? 0 : content.rfind('\n') + 1);
  write_private_file(to, content);
}

BackupFile copy_one(const DataFile& file, const std::filesystem::path& folder) {
  const auto target = folder / file.name;
  switch (file.kind) {
    case DataFile::Kind::database:
      store::sqlite::backup_database(file.path.string(), target.string());
      break;
    case DataFile::Kind::secret:
      copy_private_file(file.path, target);
      break;
    case DataFile::Kind::journal:
      copy_complete_lines(file.path, target);
      break;
  }
  return BackupFile{file.name, file.role, std::filesystem::file_size(target), file_sha256(target)};
}

}  // namespace

int backup_data_folder(const core::Config& config, const std::string& to) {
  if (config.store.driver == core::StoreDriver::postgres) {
    std::cerr << "orderly: backup: the store is PostgreSQL: back it up with `scripts/cluster backup` (pgBackRest)\n";
    return kNotApplicable;
  }
  const auto started = std::chrono::steady_clock::now();
  const std::filesystem::path folder = to;
  try {
    if (!folder_is_empty(folder)) throw BackupError(to + " already holds files: give a new or empty folder");
    const auto files = data_folder_files(config);
    std::error_code ec;
    if (!std::filesystem::exists(files.front().path, ec)) {
      throw BackupError("no database at " + files.front().path.string() + " (is --data-dir right?)");
    }
    make_private_folder(folder);

    BackupManifest manifest;
    manifest.orderly_version = kVersion;
    manifest.created_at = core::format_rfc3339(std::chrono::system_clock::now());
    std::uintmax_t bytes = 0;
    for (const auto& file : files) {
      if (!std::filesystem::exists(file.path, ec)) continue;  // e.g. a key given in the environment instead
      manifest.files.push_back(copy_one(file, folder));
      bytes += manifest.files.back().bytes;
    }
    const auto copy = (folder / files.front().name).string();
    if (const auto report = store::sqlite::integrity_check(copy); report != "ok") {
      throw BackupError("the copy fails its integrity check: " + report);
    }
    manifest.schema_version = store::sqlite::schema_version(copy);
    // Written last: a folder without a manifest is a backup that did not finish.
    const auto partial = folder / (std::string(BackupManifest::kFileName) + ".partial");
    write_private_file(partial, manifest.to_json());
    std::filesystem::rename(partial, folder / BackupManifest::kFileName);
    sync_folder(folder);

    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::cout << "backup: " << manifest.files.size() << " files, " << bytes << " bytes, schema version "
              << manifest.schema_version << ", " << elapsed.count() << " ms, in " << to << "\n";
    return 0;
  } catch (const std::exception& error) {  // BackupError, store::StoreError, filesystem errors
    std::cerr << "orderly: backup: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace orderly::app
