#include "queue/rabbitmq/rabbit_broker.hpp"

#include <atomic>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "queue/rabbitmq/rabbit_session.hpp"

namespace orderly::queue {
namespace asio = boost::asio;

namespace {

RabbitBrokerOptions checked(RabbitBrokerOptions options) {
  if (options.prefetch == 0) throw std::invalid_argument("RabbitMQ prefetch must be at least 1");
  if (options.heartbeat < std::chrono::seconds(1)) throw std::invalid_argument("RabbitMQ heartbeat must be >= 1 s");
  if (options.confirm_timeout.count() <= 0 || options.call_timeout.count() <= 0) {
    throw std::invalid_argument("RabbitMQ timeouts must be positive");
  }
  if (options.reconnect_backoff.count() <= 0 || options.reconnect_backoff_max < options.reconnect_backoff) {
    throw std::invalid_argument("RabbitMQ reconnect back-off must be positive and at most its maximum");
  }
  if (options.retry.delivery_limit < 1) throw std::invalid_argument("the delivery limit must be at least 1");
  if (options.max_pending_calls == 0 || options.max_dead_letter_scan == 0) {
    throw std::invalid_argument("RabbitMQ bounds must be at least 1");
  }
  return options;
}

}  // namespace

struct RabbitBroker::Impl {
  Impl(const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics, RabbitBrokerOptions opts)
      : options(checked(std::move(opts))),
        session(options, rabbitmq::parse_amqp_uris(options.uri), clock, random, metrics),
        keep_alive_timer(thread) {}

  // Runs `work` on the broker thread; the caller awaits its result. Fails at
  // once when max_pending_calls are already waiting, and without touching
  // RabbitMQ when the call waited longer than call_timeout for its turn.
  template <class Work>
  asio::awaitable<std::invoke_result_t<Work&>> call(Work work) {
    using Result = std::invoke_result_t<Work&>;
    if (pending.fetch_add(1) >= options.max_pending_calls) {
      pending.fetch_sub(1);
      throw RabbitBrokerError("too many calls are waiting for the RabbitMQ connection");
    }
    const auto queued_at = std::chrono::steady_clock::now();
    auto on_broker_thread = [this, work = std::move(work), queued_at]() mutable -> asio::awaitable<Result> {
      struct Done {
        std::atomic<std::size_t>& pending;
        ~Done() { pending.fetch_sub(1); }
      } done{pending};
      if (std::chrono::steady_clock::now() - queued_at > options.call_timeout) {
        throw RabbitBrokerError("the call waited longer than the call timeout for the RabbitMQ connection");
      }
      co_return work();
    };
    return asio::co_spawn(thread, std::move(on_broker_thread), asio::use_awaitable);
  }

  // Heartbeats and reconnects between calls, every half heartbeat. Broker thread only (after construction).
  void schedule_keep_alive(std::chrono::milliseconds delay) {
    keep_alive_timer.expires_after(delay);
    keep_alive_timer.async_wait([this](const boost::system::error_code& error) {
      if (error || stopping) return;
      try {
        session.keep_alive();
      } catch (const std::exception& failure) {
        core::log::error("queue.rabbitmq.keep_alive_failed", {{"error", failure.what()}});
      }
      schedule_keep_alive(std::chrono::duration_cast<std::chrono::milliseconds>(options.heartbeat) / 2);
    });
  }

  RabbitBrokerOptions options;
  std::atomic<std::size_t> pending{0};
  asio::thread_pool thread{1};
  rabbitmq::RabbitSession session;  // broker thread only
  asio::steady_timer keep_alive_timer;
  bool stopping = false;  // broker thread only
};

RabbitBroker::RabbitBroker(const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics,
                           RabbitBrokerOptions options)
    : impl_(std::make_unique<Impl>(clock, random, metrics, std::move(options))) {
  // Nothing else runs on the broker thread yet, so arming the timer here is safe.
  impl_->schedule_keep_alive(std::chrono::milliseconds(0));
}

RabbitBroker::~RabbitBroker() {
  auto& impl = *impl_;
  asio::post(impl.thread, [&impl] {
    impl.stopping = true;
    impl.keep_alive_timer.cancel();
    impl.session.close();
  });
  impl.thread.join();
}

asio::awaitable<void> RabbitBroker::publish(Message message) {
  auto& session = impl_->session;
  auto work = [&session, message = std::move(message)]() mutable { session.publish(std::move(message)); };
  co_await impl_->call(std::move(work));
}

asio::awaitable<std::vector<Delivery>> RabbitBroker::receive(std::string queue, std::size_t max) {
  auto& session = impl_->session;
  auto work = [&session, queue = std::move(queue), max] { return session.receive(queue, max); };
  co_return co_await impl_->call(std::move(work));
}

asio::awaitable<bool> RabbitBroker::ack(Delivery delivery) {
  auto& session = impl_->session;
  auto work = [&session, delivery = std::move(delivery)] { return session.ack(delivery); };
  co_return co_await impl_->call(std::move(work));
}

asio::awaitable<bool> RabbitBroker::nack(Delivery delivery, std::string reason) {
  auto& session = impl_->session;
  auto work = [&session, delivery = std::move(delivery), reason = std::move(reason)]() mutable {
    return session.nack(delivery, std::move(reason));
  };
  co_return co_await impl_->call(std::move(work));
}

asio::awaitable<std::vector<DeadLetter>> RabbitBroker::dead_letters(std::string queue, std::size_t limit) {
  auto& session = impl_->session;
  auto work = [&session, queue = std::move(queue), limit] { return session.dead_letters(queue, limit); };
  co_return co_await impl_->call(std::move(work));
}

asio::awaitable<bool> RabbitBroker::reachable() {
  try {
    co_return co_await impl_->call([this] { return impl_->session.connected(); });
  } catch (const RabbitBrokerError&) {
    co_return false;  // too many calls waiting, or waited past the call timeout
  }
}

asio::awaitable<bool> RabbitBroker::replay(std::string message_id) {
  auto& session = impl_->session;
  auto work = [&session, message_id = std::move(message_id)] { return session.replay(message_id); };
  co_return co_await impl_->call(std::move(work));
}

}  // namespace orderly::queue
