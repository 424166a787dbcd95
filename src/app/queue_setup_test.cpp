#include "app/queue_setup.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace orderly::app {
namespace {

bool listed(std::string_view name) {
  const auto queues = platform_queues();
  return std::find(queues.begin(), queues.end(), name) != queues.end();
}

// The DLQ routes list and replay only the platform's queues: a consumed
// queue missing here would hide its dead letters from the operators.
TEST(PlatformQueues, ListEveryConsumedQueueIncludingCatalogBulk) {
  EXPECT_TRUE(listed("notifications"));
  EXPECT_TRUE(listed("bulk"));
  EXPECT_FALSE(listed("no-such-queue"));
}

}  // namespace
}  // namespace orderly::app
