#include "app/notify_wiring.hpp"

#include <filesystem>

#include "app/queue_setup.hpp"
#include "notify/maildir_channel.hpp"
#include "notify/notification_routes.hpp"
#include "notify/order_events.hpp"
#include "notify/smtp_channel.hpp"

namespace orderly::app {

std::unique_ptr<notify::EmailChannel> make_email_channel(const core::Config& config) {
  notify::Mailbox from{config.notify.from_name, config.notify.from_address};
  if (config.notify.channel == core::EmailChannelKind::smtp) {
    notify::SmtpSettings smtp{config.notify.smtp_host, config.notify.smtp_port, config.notify.smtp_connect_timeout,
                              config.notify.smtp_timeout};
    return std::make_unique<notify::SmtpChannel>(std::move(smtp), std::move(from));
  }
  return std::make_unique<notify::MaildirChannel>(std::filesystem::path(config.data_dir) / "maildir",
                                                  std::move(from));
}

namespace {

notify::EmailWorkerOptions worker_options(const core::Config& config) {
  notify::EmailWorkerOptions options;
  options.queue = std::string(notify::kNotificationsQueue);
  options.concurrency = config.notify.worker_concurrency;
  options.poll_interval = config.notify.poll_interval;
  options.delivery_limit = static_cast<int>(config.queue.delivery_limit);
  return options;
}

}  // namespace

EmailWorkerRole::EmailWorkerRole(const core::Config& config, queue::Broker& broker, store::Store& store,
                                 const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics)
    : channel_(make_email_channel(config)),
      worker_(broker, store, *channel_, clock, random, metrics, worker_options(config)) {}

std::unique_ptr<EmailWorkerRole> start_email_worker(const core::Config& config, queue::Broker& broker,
                                                    store::Store& store, const core::Clock& clock,
                                                    core::Random& random, core::metrics::Registry& metrics) {
  auto role = std::make_unique<EmailWorkerRole>(config, broker, store, clock, random, metrics);
  role->start();
  return role;
}

std::unique_ptr<EmailWorkerRole> add_notify(net::Router& router, const core::Config& config, store::Store& store,
                                            queue::Broker& broker, const core::Clock& clock, core::Random& random,
                                            core::metrics::Registry& metrics) {
  notify::add_notification_routes(router, store);
  notify::add_dead_letter_routes(router, broker, platform_queues());
  if (!config.notify.email_worker) return nullptr;
  return start_email_worker(config, broker, store, clock, random, metrics);
}

}  // namespace orderly::app
