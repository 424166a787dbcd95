// A login flood meets the bounded password-hash pool (auth.hash_threads,
// auth.hash_queue): what does not fit is shed at once with 503 and
// Retry-After, what fits is answered, and the event loops keep serving.
#include <gtest/gtest.h>

#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;

TEST(AuthShedding, ALoginFloodBeyondTheHashPoolIsShedWith503) {
  // One hashing thread, nothing waiting, and slower hashes (t = 8): of logins
  // sent at once, the first takes the thread and the rest cannot fit.
  OrderlyProcess server({.extra_args = {"--set", "auth.hash_threads=1", "--set", "auth.hash_queue=0", "--set",
                                        "auth.argon2_iterations=8"}});
  constexpr int kLogins = 12;
  std::latch connected(kLogins + 1);
  std::mutex mutex;
  std::map<int, int> statuses;
  int shed_without_retry_after = 0;
  std::vector<std::thread> clients;
  for (int i = 0; i < kLogins; ++i) {
    clients.emplace_back([&, i] {
      HttpConnection connection(server.port());
      const auto body = boost::json::serialize(
          boost::json::object{{"email", "flood-" + std::to_string(i) + "@example.com"}, {"password", "not the one 1"}});
      const auto request =
          "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          "Content-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body;
      connected.arrive_and_wait();
      const bool sent = connection.send(request);
      const auto answer = sent ? connection.read_response(30s) : std::nullopt;
      const std::lock_guard lock(mutex);
      ++statuses[answer ? answer->status : 0];
      if (answer && answer->status == 503 && answer->header("Retry-After").value_or("") != "1") {
        ++shed_without_retry_after;
      }
    });
  }
  connected.arrive_and_wait();
  const auto health = http_get(server.port(), "/healthz");
  for (auto& client : clients) client.join();

  std::cout << "of " << kLogins << " logins at once: " << statuses[401] << " refused after hashing, " << statuses[503]
            << " shed\n";
  EXPECT_EQ(statuses[0], 0) << "every login got an answer";
  EXPECT_GE(statuses[401], 1) << "the login holding the thread is answered";
  EXPECT_GE(statuses[503], 1) << "the logins that did not fit are shed";
  EXPECT_EQ(statuses[401] + statuses[503], kLogins);
  EXPECT_EQ(shed_without_retry_after, 0);
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200) << "the event loops kept serving during the flood";
}

}  // namespace
}  // namespace orderly::testing
