#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config.hpp"

namespace orderly::store::postgres {

struct PatroniOptions {
  std::vector<core::HostPort> endpoints;  // the REST API of each node, in the order of the primary URI's hosts
  std::chrono::milliseconds interval{500};  // between two rounds of questions
  std::chrono::milliseconds timeout{500};   // for one node's answer
};

// Which node of a Patroni cluster leads, as Patroni itself says: GET /primary
// on a node's REST API answers 200 only on the leader (503 on a standby, no
// answer from a dead node). Not libpq's multi-host order: a primary whose
// Patroni died stays up and read-write after the standby took over, and a
// client that tries hosts in order keeps choosing it; its Patroni is gone, so
// here it is never chosen.
//
// A thread of its own asks every node each `interval` (and at once after
// recheck()); exactly one node answering 200 is the leader, anything else
// (none, or two during a switch-over) is "no leader known". The first round
// runs in the constructor, so a store built on it knows the leader before
// its first call. Thread-safe.
class PatroniLeader {
 public:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

  explicit PatroniLeader(PatroniOptions options);
  ~PatroniLeader();
  PatroniLeader(const PatroniLeader&) = delete;
  PatroniLeader& operator=(const PatroniLeader&) = delete;

  // The index in `endpoints` of the node that leads, or kNone.
  [[nodiscard]] std::size_t leader() const { return leader_.load(std::memory_order_acquire); }
  // Ask again now rather than at the next interval (a connection to the leader just failed).
  void recheck();

  [[nodiscard]] const std::vector<core::HostPort>& endpoints() const { return options_.endpoints; }

 private:
  struct Watcher;

  PatroniOptions options_;
  std::atomic<std::size_t> leader_{kNone};
  std::unique_ptr<Watcher> watcher_;
  std::thread thread_;
};

}  // namespace orderly::store::postgres
