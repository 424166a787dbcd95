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

NotifyComponent::NotifyComponent(const core::Config& config, store::Store& store, queue::Broker& broker,
                                 const core::Clock& clock, core::Random& random, core::metrics::Registry& metrics,
                                 NotifyRole role)
    : store_(store), broker_(broker), role_(role) {
  if (!role_.email_worker) return;
  channel_ = make_email_channel(config);
  worker_ = std::make_unique<notify::EmailWorker>(broker, store, *channel_, clock, random, metrics,
                                                  worker_options(config));
}

void NotifyComponent::add_routes(Routes& routes) {
  if (!role_.service) return;
  notify::add_notification_routes(routes.public_api, store_);
  notify::add_dead_letter_routes(routes.public_api, broker_, platform_queues());
}

void NotifyComponent::start(net::HttpServer& /*server*/) {
  if (worker_) worker_->start();
}

void NotifyComponent::stop(std::chrono::milliseconds /*grace*/) {
  if (worker_) worker_->stop();  // finishes the messages in flight; safe to call twice
}

}  // namespace orderly::app
