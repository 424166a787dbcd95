// The manifest of a backup reads back what was written, refuses what a
// forged or damaged one could use (a path outside the folder, another
// format, a short digest), and catches a changed or missing file.
#include "app/backup_manifest.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace orderly::app {
namespace {

class BackupManifestTest : public ::testing::Test {
 protected:
  BackupManifestTest() {
    char folder[] = "/tmp/orderly-manifest-XXXXXX";
    dir_ = ::mkdtemp(folder);
  }
  ~BackupManifestTest() override { std::filesystem::remove_all(dir_); }

  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }
  BackupManifest manifest_of(const std::string& name) const {
    BackupManifest manifest;
    manifest.orderly_version = "1.2.3";
    manifest.created_at = "2026-12-07T18:00:00.000Z";
    manifest.schema_version = 512;
    manifest.files.push_back({name, "auth_key", std::filesystem::file_size(dir_ / name), file_sha256(dir_ / name)});
    return manifest;
  }

  std::filesystem::path dir_;
};

TEST_F(BackupManifestTest, Sha256OfAFileIsTheKnownDigest) {
  write("abc", "abc");
  EXPECT_EQ(file_sha256(dir_ / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW((void)file_sha256(dir_ / "absent"), BackupError);
}

TEST_F(BackupManifestTest, ReadsBackWhatItWrote) {
  write("auth.key", "secret");
  const auto written = manifest_of("auth.key");
  const auto read = BackupManifest::parse(written.to_json());
  EXPECT_EQ(read.orderly_version, "1.2.3");
  EXPECT_EQ(read.created_at, written.created_at);
  EXPECT_EQ(read.schema_version, 512);
  ASSERT_EQ(read.files.size(), 1U);
  EXPECT_EQ(read.files[0].name, "auth.key");
  EXPECT_EQ(read.files[0].role, "auth_key");
  EXPECT_EQ(read.files[0].bytes, 6U);
  EXPECT_EQ(read.files[0].sha256, written.files[0].sha256);
}

TEST_F(BackupManifestTest, RefusesWhatItCannotTrust) {
  const std::string digest(64, 'a');
  const auto with_file = [&](const std::string& name) {
    return R"({"format":1,"orderly_version":"1","created_at":"t","schema_version":1,"files":[{"name":")" + name +
           R"(","role":"database","bytes":1,"sha256":")" + digest + R"("}]})";
  };
  EXPECT_NO_THROW((void)BackupManifest::parse(with_file("orderly.db")));
  EXPECT_THROW((void)BackupManifest::parse(with_file("../../etc/passwd")), BackupError);
  EXPECT_THROW((void)BackupManifest::parse(with_file("..")), BackupError);
  EXPECT_THROW((void)BackupManifest::parse("not json"), BackupError);
  EXPECT_THROW((void)BackupManifest::parse("[]"), BackupError);
  EXPECT_THROW((void)BackupManifest::parse(
                   R"({"format":2,"orderly_version":"1","created_at":"t","schema_version":1,"files":[]})"),
               BackupError);
  EXPECT_THROW((void)BackupManifest::parse(
                   R"({"format":1,"orderly_version":"1","created_at":"t","schema_version":-1,"files":[]})"),
               BackupError);
  EXPECT_THROW(
      (void)BackupManifest::parse(
          R"({"format":1,"orderly_version":"1","created_at":"t","schema_version":1,"files":[{"name":"a","role":"r","bytes":1,"sha256":"ab"}]})"),
      BackupError);
}

TEST_F(BackupManifestTest, CatchesAChangedOrMissingFile) {
  write("auth.key", "secret");
  const auto manifest = manifest_of("auth.key");
  EXPECT_TRUE(verify_backup_files(manifest, dir_).empty());

  write("auth.key", "sEcret");  // same size, one byte differs
  auto problems = verify_backup_files(manifest, dir_);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("checksum"), std::string::npos) << problems[0];

  write("auth.key", "secret!");
  problems = verify_backup_files(manifest, dir_);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("bytes"), std::string::npos) << problems[0];

  std::filesystem::remove(dir_ / "auth.key");
  problems = verify_backup_files(manifest, dir_);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_NE(problems[0].find("missing"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace orderly::app
