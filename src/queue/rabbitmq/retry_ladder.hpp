#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/random.hpp"
#include "queue/retry_policy.hpp"

namespace orderly::queue::rabbitmq {

// The names a work queue brings with it on RabbitMQ.
inline std::string retry_queue_name(const std::string& queue, std::chrono::milliseconds delay) {
  return queue + ".retry." + std::to_string(delay.count());
}
inline std::string dead_letter_queue_name(const std::string& queue) {
  return queue + ".dlq";
}

// The delays a RetryPolicy can produce on RabbitMQ, where each delay is a
// queue of its own (x-message-ttl is per queue, and a queue expires only its
// head): base, 2 base, 4 base, ... capped at max (at most 32 steps). A
// policy's jittered delay is rounded up to the next step, so retries still
// spread over the steps below the attempt's ceiling instead of all waiting
// the ceiling. Empty when base_delay is zero (retry at once).
class RetryLadder {
 public:
  explicit RetryLadder(const RetryPolicy& policy);

  [[nodiscard]] const std::vector<std::chrono::milliseconds>& steps() const { return steps_; }

  // The step for the retry after failed attempt `attempt` (1-based);
  // zero when the ladder is empty.
  [[nodiscard]] std::chrono::milliseconds delay_after(int attempt, core::Random& random) const;

 private:
  RetryPolicy policy_;
  std::vector<std::chrono::milliseconds> steps_;
};

}  // namespace orderly::queue::rabbitmq
