#include "core/config.hpp"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

namespace orderly::core {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/orderly-config-XXXXXX";
    const int fd = mkstemp(name);
    close(fd);
    path_ = name;
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Config, DefaultsNeedNoInput) {
  const auto config = load_config(std::nullopt, {}, {});
  EXPECT_EQ(config.listen.to_string(), "0.0.0.0:8080");
  EXPECT_EQ(config.ops_listen.to_string(), "127.0.0.1:9090");
  EXPECT_EQ(config.data_dir, "./data");
  EXPECT_EQ(config.http.header_limit_bytes, 16U * 1024);
  EXPECT_EQ(config.http.body_limit_bytes, 1024U * 1024);
}

TEST(Config, FileThenEnvironmentThenFlags) {
  const TempFile file("listen: 127.0.0.1:1000\nthreads: 3\nhttp:\n  idle_timeout: 5s\n");
  const auto config = load_config(file.path(), {{"threads", "4", "environment ORDERLY_THREADS"}},
                                  {{"listen", "127.0.0.1:2000", "flag --listen"}});
  EXPECT_EQ(config.listen.port, 2000);  // flag beats file
  EXPECT_EQ(config.threads, 4U);        // environment beats file
  EXPECT_EQ(config.http.idle_timeout, std::chrono::seconds(5));
}

TEST(Config, UnknownKeyInFileNamesKeyAndLine) {
  const TempFile file("listen: 127.0.0.1:1000\nhttp:\n  idel_timeout: 5s\n");
  try {
    (void)load_config(file.path(), {}, {});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("unknown key 'http.idel_timeout'"), std::string::npos) << message;
    EXPECT_NE(message.find(":3"), std::string::npos) << message;
  }
}

TEST(Config, BadValueNamesSourceAndKey) {
  try {
    (void)load_config(std::nullopt, {{"http.idle_timeout", "forever", "environment ORDERLY_HTTP_IDLE_TIMEOUT"}}, {});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_STREQ(error.what(),
                 "environment ORDERLY_HTTP_IDLE_TIMEOUT: http.idle_timeout: expected a duration such as 500ms, 10s, "
                 "2m or 1h, got 'forever'");
  }
}

TEST(Config, MalformedYamlIsAConfigError) {
  const TempFile file("listen: [unclosed\n");
  EXPECT_THROW((void)load_config(file.path(), {}, {}), ConfigError);
  const TempFile list("- a\n- b\n");
  EXPECT_THROW((void)load_config(list.path(), {}, {}), ConfigError);
  EXPECT_THROW((void)load_config("/nonexistent/orderly.yaml", {}, {}), ConfigError);
}

TEST(Config, EmptyFileMeansDefaults) {
  const TempFile file("");
  EXPECT_EQ(load_config(file.path(), {}, {}).listen.port, 8080);
}

TEST(Config, RenderedDefaultsLoadBackToDefaults) {
  const Config defaults;
  const TempFile file(render_config(defaults));
  const auto loaded = load_config(file.path(), {}, {});
  EXPECT_EQ(render_config(loaded), render_config(defaults));
}

// Fuzzing finding (issue 18, config target): render_config wrote values
// between quotes unescaped, so `orderly config` printed a file that does not
// load once a path holds a quote or a backslash (red before: a ConfigError).
TEST(Config, RenderedValuesWithQuotesBackslashesAndControlsLoadBack) {
  const std::string root = "C:\\web \"shop\"\t\x01\x7f caf\xc3\xa9";
  const auto config = load_config_text("", "t.yaml", {}, {{"web.root", root, "flag --set web.root"}});
  ASSERT_EQ(config.web.root, root);
  const auto rendered = render_config(config);
  const auto loaded = load_config_text(rendered, "rendered.yaml", {}, {});
  EXPECT_EQ(loaded.web.root, root);
  EXPECT_EQ(render_config(loaded), rendered);
}

TEST(Config, EnvironmentNamesMapToKeys) {
  EXPECT_EQ(environment_name("http.idle_timeout"), "ORDERLY_HTTP_IDLE_TIMEOUT");
  std::string a = "ORDERLY_HTTP_IDLE_TIMEOUT=3s";
  std::string b = "PATH=/bin";
  std::string c = "ORDERLY_CONFIG=/etc/orderly.yaml";
  char* environ[] = {a.data(), b.data(), c.data(), nullptr};
  const auto settings = environment_overrides(environ);
  ASSERT_EQ(settings.overrides.size(), 1U);
  EXPECT_EQ(settings.overrides[0].key, "http.idle_timeout");
  EXPECT_EQ(settings.overrides[0].value, "3s");
  EXPECT_TRUE(settings.ignored.empty());

  std::string injected = "ORDERLY_SERVICE_HOST=10.0.0.1";
  char* kubernetes[] = {injected.data(), nullptr};
  const auto other = environment_overrides(kubernetes);
  EXPECT_TRUE(other.overrides.empty());
  ASSERT_EQ(other.ignored.size(), 1U);
  EXPECT_EQ(other.ignored[0], "ORDERLY_SERVICE_HOST");
}

TEST(Config, SecretsReadByModulesAreNeitherSettingsNorReported) {
  std::string keys = "ORDERLY_VAULT_KEYS=k1:c2VjcmV0";
  std::string password = "ORDERLY_ADMIN_PASSWORD=hunter2hunter2";
  char* environment[] = {keys.data(), password.data(), nullptr};
  const auto settings = environment_overrides(environment);
  EXPECT_TRUE(settings.overrides.empty());
  EXPECT_TRUE(settings.ignored.empty());
}

TEST(Config, DurationsAreBoundedToADay) {
  EXPECT_EQ(load_config(std::nullopt, {}, {{"http.drain_grace", "24h", "t"}}).http.drain_grace, std::chrono::hours(24));
  EXPECT_THROW((void)load_config(std::nullopt, {}, {{"http.header_timeout", "3000000h", "t"}}), ConfigError);
  EXPECT_THROW((void)load_config(std::nullopt, {}, {{"http.header_timeout", "0s", "t"}}), ConfigError);
}

TEST(Config, ComplexKeysAndFoldersAreConfigErrors) {
  const TempFile complex_key("? [a, b]\n: 1\n");
  EXPECT_THROW((void)load_config(complex_key.path(), {}, {}), ConfigError);
  EXPECT_THROW((void)load_config("/tmp", {}, {}), ConfigError);
}

TEST(Config, HostPortParsing) {
  EXPECT_EQ(HostPort::parse("[::1]:80").host, "::1");
  EXPECT_EQ(HostPort::parse("[::1]:80").to_string(), "[::1]:80");
  EXPECT_EQ(HostPort::parse("localhost:0").host, "127.0.0.1");
  for (const char* bad : {"8080", ":80", "1.2.3.4:", "1.2.3.4:65536", "example.com:80", "1.2.3.4:http"}) {
    EXPECT_THROW((void)HostPort::parse(bad), std::invalid_argument) << bad;
  }
}

// The high-availability profile: the Patroni API of each PostgreSQL host, and several etcd members.
TEST(Config, PatroniEndpointsAndEtcdMembersAreLists) {
  const auto config = load_config(std::nullopt, {},
                                  {{"store.patroni", "127.0.0.1:8008, 127.0.0.1:8009", "--set"},
                                   {"registry.etcd", "127.0.0.1:2379,127.0.0.1:2380,localhost:2381", "--set"}});
  ASSERT_EQ(config.store.patroni.size(), 2U);
  EXPECT_EQ(config.store.patroni[1].to_string(), "127.0.0.1:8009");
  const auto members = config.registry.etcd_endpoints();
  ASSERT_EQ(members.size(), 3U);
  EXPECT_EQ(members[0].to_string(), "127.0.0.1:2379");
  EXPECT_EQ(members[2].to_string(), "127.0.0.1:2381");
  EXPECT_TRUE(load_config(std::nullopt, {}, {}).registry.etcd_endpoints().empty());
  for (const char* bad : {"127.0.0.1:2379,", "127.0.0.1:2379,,127.0.0.1:2380", "etcd.example:2379", "127.0.0.1"}) {
    EXPECT_THROW((void)load_config(std::nullopt, {}, {{"registry.etcd", bad, "--set"}}), ConfigError) << bad;
  }
  EXPECT_THROW((void)load_config(std::nullopt, {}, {{"store.patroni", "127.0.0.1:8008,127.0.0.1", "--set"}}),
               ConfigError);
}

TEST(Config, SetFlag) {
  const auto set = parse_set_flag("http.body_limit=2MiB");
  EXPECT_EQ(set.key, "http.body_limit");
  EXPECT_EQ(load_config(std::nullopt, {}, {set}).http.body_limit_bytes, 2U * 1024 * 1024);
  EXPECT_THROW((void)parse_set_flag("novalue"), ConfigError);
}

}  // namespace
}  // namespace orderly::core
