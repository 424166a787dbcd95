#include "net/blocking_pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace orderly::net {

struct BlockingPool::Threads {
  explicit Threads(unsigned count) : pool(count) {}
  boost::asio::thread_pool pool;
};

BlockingPool::BlockingPool(std::string name, unsigned threads, std::size_t queue_limit)
    : name_(std::move(name)),
      capacity_(static_cast<std::size_t>(threads == 0 ? 1 : threads) + queue_limit),
      threads_(std::make_unique<Threads>(threads == 0 ? 1 : threads)) {}

BlockingPool::~BlockingPool() { threads_->pool.join(); }

boost::asio::awaitable<void> BlockingPool::run_job(std::function<void()> job) {
  if (load_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
    load_.fetch_sub(1, std::memory_order_acq_rel);
    throw PoolSaturated(name_);
  }
  struct Admitted {
    std::atomic<std::size_t>& load;
    ~Admitted() { load.fetch_sub(1, std::memory_order_acq_rel); }
  } admitted{load_};
  // The lambda is named, not a temporary inside co_await (docs/coroutines.md).
  auto on_pool = [&job]() -> boost::asio::awaitable<void> {
    job();
    co_return;
  };
  co_await boost::asio::co_spawn(threads_->pool, on_pool(), boost::asio::use_awaitable);
}

}  // namespace orderly::net
