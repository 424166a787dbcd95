#include "payments/vault_key_ring.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "payments/vault_key_file.hpp"

namespace orderly::payments {
namespace {

TEST(VaultKeyRing, SerializedRingParsesBackToTheSameKeys) {
  auto ring = VaultKeyRing::generate();
  ring.add_new_key();
  const auto again = VaultKeyRing::parse(ring.serialize(), "test");
  EXPECT_EQ(again.ids(), (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(again.current().id, "k2");
  EXPECT_EQ(again.find("k1")->bytes, ring.find("k1")->bytes);
  EXPECT_NE(again.find("k1")->bytes, again.find("k2")->bytes);
}

TEST(VaultKeyRing, EnvironmentFormSeparatesEntriesWithCommas) {
  auto ring = VaultKeyRing::generate();
  ring.add_new_key();
  auto text = ring.serialize();
  std::string entries;
  std::size_t start = 0;
  while ((start = text.find("\nk", start)) != std::string::npos) {  // the lines after the comments
    const auto end = text.find('\n', start + 1);
    entries += (entries.empty() ? "" : ",") + text.substr(start + 1, end - start - 1);
    start = end;
  }
  const auto parsed = VaultKeyRing::parse(entries, "environment ORDERLY_VAULT_KEYS");
  EXPECT_EQ(parsed.current().id, "k2");
}

TEST(VaultKeyRing, MalformedRingsAreRefusedWithoutShowingKeyMaterial) {
  EXPECT_THROW((void)VaultKeyRing::parse("", "t"), VaultKeyError);
  EXPECT_THROW((void)VaultKeyRing::parse("# only a comment\n", "t"), VaultKeyError);
  EXPECT_THROW((void)VaultKeyRing::parse("k1:c2hvcnQ=", "t"), VaultKeyError);  // 5 bytes
  EXPECT_THROW((void)VaultKeyRing::parse("k 1:AAAA", "t"), VaultKeyError);
  auto ring = VaultKeyRing::generate();
  const auto line = ring.serialize().substr(ring.serialize().find("\nk1:") + 1);
  try {
    (void)VaultKeyRing::parse(line + line, "t");
    FAIL() << "a duplicate id was accepted";
  } catch (const VaultKeyError& error) {
    EXPECT_EQ(std::string(error.what()).find(line.substr(3, 20)), std::string::npos);
  }
}

TEST(VaultKeyRing, TheCurrentKeyCannotBeRemoved) {
  auto ring = VaultKeyRing::generate();
  ring.add_new_key();
  ring.remove("k2");
  EXPECT_EQ(ring.ids().size(), 2U);
  ring.remove("k1");
  EXPECT_EQ(ring.ids(), std::vector<std::string>{"k2"});
  EXPECT_EQ(ring.add_new_key().id, "k3");
}

class VaultKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-vault-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::filesystem::path folder_;
};

TEST_F(VaultKeyFileTest, FirstStartCreatesAPrivateFileAndLaterStartsReadIt) {
  const auto path = folder_ / "vault.keys";
  const auto created = read_or_create_key_file(path);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  const auto again = read_or_create_key_file(path);
  EXPECT_EQ(again.current().id, created.current().id);
  EXPECT_EQ(again.current().bytes, created.current().bytes);
}

TEST_F(VaultKeyFileTest, AFileOthersCanReadIsRefused) {
  const auto path = folder_ / "vault.keys";
  (void)read_or_create_key_file(path);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  try {
    (void)read_key_file(path);
    FAIL() << "a world-readable key file was accepted";
  } catch (const VaultKeyError& error) {
    EXPECT_NE(std::string(error.what()).find("payments.vault_key_file"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("chmod 600"), std::string::npos) << error.what();
  }
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_THROW((void)read_or_create_key_file(path), VaultKeyError);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_NO_THROW((void)read_key_file(path));
}

TEST_F(VaultKeyFileTest, AMissingFileIsAnErrorWhenNotCreating) {
  EXPECT_THROW((void)read_key_file(folder_ / "absent.keys"), VaultKeyError);
}

TEST_F(VaultKeyFileTest, RewritingKeepsThePermissionsAndChangesTheStamp) {
  const auto path = folder_ / "vault.keys";
  auto ring = read_or_create_key_file(path);
  const auto before = key_file_stamp(path);
  ring.add_new_key();
  write_key_file(path, ring);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_NE(key_file_stamp(path), before);
  EXPECT_EQ(read_key_file(path).current().id, "k2");
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".new"));
}

}  // namespace
}  // namespace orderly::payments
