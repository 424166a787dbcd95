#include "cluster/cluster_target.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "support/shop_client.hpp"

namespace orderly::testing {

std::string capture(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    ::pclose(pipe);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}
namespace {

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::map<std::string, std::string> read_env(const std::string& path) {
  std::map<std::string, std::string> values;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

class ClusterEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override { ClusterTarget::instance().start(); }
  void TearDown() override { ClusterTarget::instance().stop(); }
};

// Registered before main() runs the tests; GoogleTest owns it.
[[maybe_unused]] const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

}  // namespace

ClusterTarget& ClusterTarget::instance() {
  static ClusterTarget target;
  return target;
}

void ClusterTarget::start() {
  // A test that ends the process on its way (an exception out of a thread)
  // must not leave a whole cluster running on the machine.
  static const std::terminate_handler previous = std::set_terminate([] {
    ClusterTarget::instance().stop();
    if (previous != nullptr) previous();
    std::abort();
  });
  char folder[] = "/tmp/orderly-cluster-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  dir_ = folder;
  // Every test customer logs in from 127.0.0.1: a login limit above the suites' logins.
  script_ = "ORDERLY_BINARY=" + std::string(std::getenv("E2E_ORDERLY_BINARY")) + " ORDERLY_ADMIN_PASSWORD=" +
            kAdminPassword + " ORDERLY_AUTH_LOGIN_PER_ADDRESS=1000/1m " + ORDERLY_SOURCE_DIR + "/scripts/cluster";
  const char* profile = std::getenv("ORDERLY_CLUSTER_PROFILE");
  high_availability_ = profile != nullptr && std::string(profile) == "ha";
  const auto started = std::chrono::steady_clock::now();
  up_ = run(script_ + " up" + (high_availability_ ? " --ha" : "") + " --dir " + dir_ + " > " + dir_ +
            "/up.log 2>&1") == 0;
  std::cerr << "cluster: " << (high_availability_ ? "up --ha" : "up") << " took "
            << std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()
            << " s\n";
  const auto env = read_env(dir_ + "/cluster.env");
  if (const auto url = env.find("ORDERLY_GATEWAY_URL"); url != env.end()) {
    gateway_port_ = static_cast<std::uint16_t>(std::stoi(url->second.substr(url->second.rfind(':') + 1)));
  } else {
    up_ = false;
  }
}

void ClusterTarget::stop() {
  if (dir_.empty()) return;
  if (!up_) (void)run("tail -n 30 " + dir_ + "/up.log >&2");  // why, before the folder goes
  (void)run(script_ + " down --purge --dir " + dir_ + " >/dev/null 2>&1");
  // Every process of the cluster names its folder on its command line (data
  // dirs, config files): none may be left but zombies (init reaps them late here).
  const auto left = run("for pid in $(pgrep -f '" + dir_ + "/'); do [ $pid = $$ ] && continue; "
                        "[ \"$(awk '/^State:/ {print $2}' /proc/$pid/status 2>/dev/null)\" = Z ] || "
                        "{ ps -o pid=,args= -p $pid >&2; exit 1; }; done; exit 0");
  if (left != 0) ADD_FAILURE() << "`scripts/cluster down` left processes of " << dir_ << " running (listed above)";
  dir_.clear();
}

int ClusterTarget::script(const std::string& arguments) const {
  return run(script_ + " " + arguments + " --dir " + dir_ + " >/dev/null 2>&1");
}

std::string ClusterTarget::output() {
  std::string text;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/run", ec)) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream file(entry.path());
    std::ostringstream content;
    content << file.rdbuf();
    text += content.str();
  }
  return text;
}

PurchaseTarget& purchase_target() { return ClusterTarget::instance(); }

}  // namespace orderly::testing
