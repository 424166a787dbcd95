#include "app/queue_setup.hpp"

#include "catalog/import_jobs.hpp"
#include "catalog/product_cache.hpp"
#include "notify/order_events.hpp"

namespace orderly::app {

queue::EmbeddedBrokerOptions embedded_broker_options(const core::Config& config) {
  queue::EmbeddedBrokerOptions options;
  options.visibility_timeout = config.queue.visibility_timeout;
  options.retry.delivery_limit = static_cast<int>(config.queue.delivery_limit);
  options.retry.base_delay = config.queue.retry_base_delay;
  options.retry.max_delay = config.queue.retry_max_delay;
  return options;
}

queue::RabbitBrokerOptions rabbit_broker_options(const core::Config& config) {
  queue::RabbitBrokerOptions options;
  options.uri = config.queue.rabbitmq_uri;
  options.confirm_timeout = config.queue.rabbitmq_confirm_timeout;
  options.retry = embedded_broker_options(config).retry;
  // A service whose RabbitMQ user may touch only its own queues declares
  // only those (queue.rabbitmq_queues); the others are declared on first use.
  if (!config.queue.rabbitmq_queues.empty()) {
    options.queues = config.queue.rabbitmq_queues;
  } else {
    const auto queues = platform_queues();
    options.queues.assign(queues.begin(), queues.end());
  }
  return options;
}

std::span<const std::string> platform_queues() {
  // Every queue a module consumes: the admin DLQ routes list and replay only these.
  static const std::string kQueues[] = {
      std::string(notify::kNotificationsQueue),
      std::string(catalog::kBulkQueue),
      std::string(catalog::kCacheQueue),
  };
  return kQueues;
}

}  // namespace orderly::app
