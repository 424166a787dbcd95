#include "queue/consumer_loop.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"

namespace orderly::queue {

namespace asio = boost::asio;

asio::awaitable<std::size_t> consume_once(Broker& broker, const ConsumerLoopOptions& options,
                                          const std::atomic<bool>& stopping, const DeliveryHandler& handle) {
  auto deliveries = co_await broker.receive(options.queue, options.prefetch);
  const auto count = deliveries.size();
  for (auto& delivery : deliveries) {
    if (stopping.load()) break;  // unhandled ones come back after their visibility timeout
    co_await handle(std::move(delivery));
  }
  co_return count;
}

asio::awaitable<void> run_consumer(Broker& broker, ConsumerLoopOptions options, const std::atomic<bool>& stopping,
                                   DeliveryHandler handle) {
  asio::steady_timer idle(co_await asio::this_coro::executor);
  core::log::info(options.worker + "_worker_started", {{"queue", options.queue}});
  while (!stopping.load()) {  // ends on stop, checked at least once per poll interval
    std::size_t handled = 0;
    try {
      handled = co_await consume_once(broker, options, stopping, handle);
    } catch (const std::exception& error) {
      // The queue itself failed (store or broker unavailable): log and poll again later.
      core::log::error(options.worker + "_poll_failed", {{"queue", options.queue}, {"error", error.what()}});
    }
    if (handled > 0) continue;
    idle.expires_after(options.poll_interval);
    boost::system::error_code ec;
    co_await idle.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  core::log::info(options.worker + "_worker_stopped", {{"queue", options.queue}});
}

}  // namespace orderly::queue
