#include "app/restore_command.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "app/backup_contents.hpp"
#include "app/backup_manifest.hpp"
#include "app/private_files.hpp"
#include "app/schema.hpp"
#include "store/sqlite/sqlite_backup.hpp"

namespace orderly::app {
namespace {

constexpr int kNotApplicable = 2;

BackupManifest read_manifest(const std::filesystem::path& folder) {
  std::ifstream in(folder / BackupManifest::kFileName, std::ios::binary);
  if (!in) {
    throw BackupError(folder.string() + " has no " + BackupManifest::kFileName +
                      ": not a backup, or one that did not finish");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return BackupManifest::parse(text.str());
}

std::string joined(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& problem : problems) text += (text.empty() ? "" : "; ") + problem;
  return text;
}

int newest_known_schema() {
  int newest = 0;
  for (const auto& migration : all_migrations()) newest = std::max(newest, migration.version);
  return newest;
}

// The checks that need nothing written: the backup is whole, this binary
// can run it, and the target may be overwritten.
void check_before_writing(const BackupManifest& manifest, const std::filesystem::path& from,
                          const std::map<std::string, DataFile>& targets, const core::Config& config, bool force) {
  if (const auto problems = verify_backup_files(manifest, from); !problems.empty()) {
    throw BackupError("the backup does not match its manifest: " + joined(problems));
  }
  const auto newest = newest_known_schema();
  if (manifest.schema_version > newest) {
    throw BackupError("the backup has schema version " + std::to_string(manifest.schema_version) +
                      ", newer than this binary's " + std::to_string(newest) + ": restore it with a newer orderly");
  }
  bool has_database = false;
  for (const auto& file : manifest.files) {
    if (!targets.contains(file.role)) throw BackupError("the manifest lists an unknown role \"" + file.role + "\"");
    has_database = has_database || file.role == "database";
  }
  if (!has_database) throw BackupError("the manifest lists no database");
  const auto& database = targets.at("database").path;
  if (store::sqlite::database_in_use(database.string())) {
    throw BackupError(database.string() + " is open in a running process: stop it first");
  }
  if (force) return;
  if (!folder_is_empty(config.data_dir)) {
    throw BackupError("the data folder " + config.data_dir + " is not empty: give a new folder, or --force");
  }
  for (const auto& file : manifest.files) {
    std::error_code ec;
    if (std::filesystem::exists(targets.at(file.role).path, ec)) {
      throw BackupError(targets.at(file.role).path.string() + " exists: give a new data folder, or --force");
    }
  }
}

// Each file lands under a temporary name and is renamed into place, so a
// target is the old file or the whole new one.
void put_in_place(const BackupFile& file, const std::filesystem::path& from, const DataFile& target) {
  make_private_folder(target.path.parent_path().empty() ? "." : target.path.parent_path());
  const auto landing = std::filesystem::path(target.path.string() + ".restoring");
  copy_private_file(from / file.name, landing);
  if (target.kind == DataFile::Kind::database) {
    // An old WAL beside the new file would be replayed onto it.
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      std::filesystem::remove(target.path.string() + suffix);
    }
  }
  std::filesystem::rename(landing, target.path);
  sync_folder(target.path.parent_path().empty() ? "." : target.path.parent_path());
}

}  // namespace

int restore_data_folder(const core::Config& config, const std::string& from, bool force) {
  if (config.store.driver == core::StoreDriver::postgres) {
    std::cerr << "orderly: restore: the store is PostgreSQL: use `scripts/cluster restore` (pgBackRest)\n";
    return kNotApplicable;
  }
  try {
    const auto manifest = read_manifest(from);
    std::map<std::string, DataFile> targets;
    for (auto& file : data_folder_files(config)) targets.emplace(file.role, std::move(file));
    check_before_writing(manifest, from, targets, config, force);

    make_private_folder(config.data_dir);
    for (const auto& file : manifest.files) put_in_place(file, from, targets.at(file.role));

    std::vector<std::string> problems;
    for (const auto& file : manifest.files) {
      if (file_sha256(targets.at(file.role).path) != file.sha256) problems.push_back(file.name + ": checksum differs");
    }
    if (!problems.empty()) throw BackupError("the restored files differ from the backup: " + joined(problems));
    const auto database = targets.at("database").path.string();
    if (const auto report = store::sqlite::integrity_check(database); report != "ok") {
      throw BackupError("the restored database fails its integrity check: " + report);
    }
    if (const auto version = store::sqlite::schema_version(database); version != manifest.schema_version) {
      throw BackupError("the restored database has schema version " + std::to_string(version) + ", the manifest says " +
                        std::to_string(manifest.schema_version));
    }
    std::cout << "restore: done: " << manifest.files.size() << " files from " << from << " (made "
              << manifest.created_at << " by orderly " << manifest.orderly_version << "), schema version "
              << manifest.schema_version << ", integrity ok, into " << config.data_dir << "\n";
    return 0;
  } catch (const std::exception& error) {  // BackupError, store::StoreError, filesystem errors
    std::cerr << "orderly: restore: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace orderly::app
