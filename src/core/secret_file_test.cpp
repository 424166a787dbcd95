#include "core/secret_file.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace orderly::core {
namespace {

class SecretFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char folder[] = "/tmp/orderly-secret-XXXXXX";
    ASSERT_NE(mkdtemp(folder), nullptr);
    folder_ = folder;
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }
  std::string folder_;
};

TEST_F(SecretFileTest, CreatesOnceWithMode0600AndReadsItBack) {
  const auto path = folder_ + "/key";
  int made = 0;
  const auto make = [&] {
    ++made;
    return std::string("secret-one");
  };
  EXPECT_EQ(load_secret_file(path, make), "secret-one");
  EXPECT_EQ(load_secret_file(path, make), "secret-one");
  EXPECT_EQ(made, 1);
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder_), std::filesystem::directory_iterator{}), 1)
      << "no temporary file is left behind";
}

TEST_F(SecretFileTest, RefusesAFileOthersCanReadAndAMissingOneWithoutCreate) {
  const auto path = folder_ + "/key";
  EXPECT_THROW((void)load_secret_file(path, nullptr), SecretFileError);
  std::ofstream(path) << "secret";
  ::chmod(path.c_str(), 0644);
  try {
    (void)load_secret_file(path, nullptr);
    ADD_FAILURE() << "a world-readable key file was accepted";
  } catch (const SecretFileError& error) {
    EXPECT_NE(std::string(error.what()).find("chmod 600"), std::string::npos);
    EXPECT_EQ(std::string(error.what()).find("secret\n"), std::string::npos);
  }
}

}  // namespace
}  // namespace orderly::core
