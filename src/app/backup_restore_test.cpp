// `orderly backup` and `orderly restore` in process, on real folders: what
// lands where and with which modes, the refusals (a non-empty folder, a
// tampered backup, an unfinished one, PostgreSQL), and --force.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "app/backup_command.hpp"
#include "app/backup_manifest.hpp"
#include "app/restore_command.hpp"
#include "app/store_setup.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"

namespace orderly::app {
namespace {

using core::run_sync;

constexpr store::Statement kCreate{"test.create", "CREATE TABLE backup_rows (id INTEGER PRIMARY KEY, name TEXT)"};
constexpr store::Statement kInsert{"test.insert", "INSERT INTO backup_rows (name) VALUES ($1)"};
constexpr store::Statement kNames{"test.names", "SELECT name FROM backup_rows ORDER BY id"};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 0777U : 0U;
}

class BackupRestore : public ::testing::Test {
 protected:
  BackupRestore() {
    char folder[] = "/tmp/orderly-backup-cmd-XXXXXX";
    root_ = ::mkdtemp(folder);
    source_.data_dir = (root_ / "data").string();
    std::filesystem::create_directories(root_ / "data" / "provider-sim");
    {
      core::metrics::Registry metrics;
      auto store = open_migrated_store(source_, metrics);
      (void)run_sync(store->execute(kCreate));
      (void)run_sync(store->execute(kInsert, {std::string("first")}));
      (void)run_sync(store->execute(kInsert, {std::string("second")}));
    }
    std::ofstream(root_ / "data" / "auth.key") << "auth-sealing-key\n";
    std::ofstream(root_ / "data" / "vault.keys") << "vault-key-ring\n";
    std::ofstream(root_ / "data" / "provider-sim" / "ledger.jsonl") << "{\"line\":1}\n{\"line\":2}\n{\"torn";
    target_.data_dir = (root_ / "restored").string();
  }
  ~BackupRestore() override { std::filesystem::remove_all(root_); }

  static std::vector<std::string> names_in(const core::Config& config) {
    core::metrics::Registry metrics;
    auto store = open_store(config, metrics);
    std::vector<std::string> names;
    for (const auto& row : run_sync(store->query(kNames)).rows) names.push_back(std::get<std::string>(row.at("name")));
    return names;
  }

  std::filesystem::path root_;
  core::Config source_;
  core::Config target_;
};

TEST_F(BackupRestore, RestoresEveryFilePrivatelyAndVerified) {
  const auto backup = root_ / "backup";
  ASSERT_EQ(backup_data_folder(source_, backup.string()), 0);
  EXPECT_EQ(mode_of(backup), 0700U);
  for (const char* name : {"orderly.db", "auth.key", "vault.keys", "provider-ledger.jsonl", "manifest.json"}) {
    EXPECT_EQ(mode_of(backup / name), 0600U) << name;
  }
  const auto manifest = BackupManifest::parse(read_file(backup / "manifest.json"));
  EXPECT_EQ(manifest.files.size(), 4U);
  EXPECT_GE(manifest.schema_version, 500) << "every module's migrations are applied";
  EXPECT_EQ(read_file(backup / "provider-ledger.jsonl"), "{\"line\":1}\n{\"line\":2}\n") << "complete lines only";

  ASSERT_EQ(restore_data_folder(target_, backup.string(), false), 0);
  EXPECT_EQ(mode_of(target_.data_dir), 0700U);
  EXPECT_EQ(read_file(root_ / "restored" / "auth.key"), "auth-sealing-key\n");
  EXPECT_EQ(read_file(root_ / "restored" / "vault.keys"), "vault-key-ring\n");
  EXPECT_EQ(mode_of(root_ / "restored" / "auth.key"), 0600U);
  EXPECT_EQ(mode_of(root_ / "restored" / "orderly.db"), 0600U);
  EXPECT_TRUE(std::filesystem::exists(root_ / "restored" / "provider-sim" / "ledger.jsonl"));
  EXPECT_EQ(names_in(target_), (std::vector<std::string>{"first", "second"}));
}

TEST_F(BackupRestore, RefusesANonEmptyFolderUnlessForced) {
  const auto backup = root_ / "backup";
  ASSERT_EQ(backup_data_folder(source_, backup.string()), 0);
  EXPECT_EQ(backup_data_folder(source_, backup.string()), 1) << "a backup folder is never overwritten";

  std::filesystem::create_directories(target_.data_dir);
  std::ofstream(root_ / "restored" / "orderly.db") << "an older database";
  std::ofstream(root_ / "restored" / "orderly.db-wal") << "its WAL, which must not be replayed";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(restore_data_folder(target_, backup.string(), false), 1);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("not empty"), std::string::npos);
  EXPECT_EQ(read_file(root_ / "restored" / "orderly.db"), "an older database") << "nothing written";

  ASSERT_EQ(restore_data_folder(target_, backup.string(), true), 0);
  EXPECT_FALSE(std::filesystem::exists(root_ / "restored" / "orderly.db-wal"));
  EXPECT_EQ(names_in(target_), (std::vector<std::string>{"first", "second"}));
}

TEST_F(BackupRestore, RefusesATamperedOrUnfinishedBackupBeforeWritingAnything) {
  const auto backup = root_ / "backup";
  ASSERT_EQ(backup_data_folder(source_, backup.string()), 0);
  auto key = read_file(backup / "auth.key");
  key[0] = 'A';
  std::ofstream(backup / "auth.key", std::ios::binary | std::ios::trunc) << key;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(restore_data_folder(target_, backup.string(), false), 1);
  const auto message = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(message.find("auth.key: checksum differs"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(target_.data_dir));

  std::filesystem::remove(backup / "manifest.json");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(restore_data_folder(target_, backup.string(), false), 1);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("did not finish"), std::string::npos);
}

TEST_F(BackupRestore, RefusesAMissingDatabaseAndPostgres) {
  core::Config empty;
  empty.data_dir = (root_ / "nothing").string();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(backup_data_folder(empty, (root_ / "backup").string()), 1);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("no database"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(root_ / "nothing")) << "a backup creates no data folder";

  core::Config postgres = source_;
  postgres.store.driver = core::StoreDriver::postgres;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(backup_data_folder(postgres, (root_ / "backup").string()), 2);
  EXPECT_EQ(restore_data_folder(postgres, (root_ / "backup").string(), false), 2);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("pgBackRest"), std::string::npos);
}

}  // namespace
}  // namespace orderly::app
