#pragma once

#include <memory>

#include "app/component.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/router.hpp"
#include "notify/email_channel.hpp"
#include "notify/email_worker.hpp"
#include "queue/broker.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The channel notify.channel names: a maildir in <data_dir>/maildir, or SMTP
// to notify.smtp_host:smtp_port. Throws notify::DeliveryError when the
// maildir cannot be created.
[[nodiscard]] std::unique_ptr<notify::EmailChannel> make_email_channel(const core::Config& config);

// What a process does with notify: the service hosts its routes (the user's
// notifications, the admin dead-letter endpoints over the platform's
// queues); the email worker consumes the notifications queue, in the
// service's process (notify.email_worker) or alone (`orderly worker email`).
struct NotifyRole {
  bool service = true;
  bool email_worker = true;
};

// The notify module of one process. The email worker runs on threads of its
// own from start() until stop(), which finishes the messages in flight.
class NotifyComponent final : public Component {
 public:
  // Throws notify::DeliveryError when the maildir cannot be created.
  NotifyComponent(const core::Config& config, store::Store& store, queue::Broker& broker, const core::Clock& clock,
                  core::Random& random, core::metrics::Registry& metrics, NotifyRole role);
  [[nodiscard]] std::string_view name() const override { return "notify"; }
  void add_routes(Routes& routes) override;
  void start(net::HttpServer& server) override;
  void stop(std::chrono::milliseconds grace) override;

 private:
  store::Store& store_;
  queue::Broker& broker_;
  NotifyRole role_;
  std::unique_ptr<notify::EmailChannel> channel_;
  std::unique_ptr<notify::EmailWorker> worker_;  // with role_.email_worker
};

}  // namespace orderly::app
