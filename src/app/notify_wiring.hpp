#pragma once

#include <memory>

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

// The email worker role with the channel it owns; stops (finishing the
// messages in flight) when stopped or destroyed.
class EmailWorkerRole {
 public:
  EmailWorkerRole(const core::Config& config, queue::Broker& broker, store::Store& store, const core::Clock& clock,
                  core::Random& random, core::metrics::Registry& metrics);
  void start() { worker_.start(); }
  void stop() { worker_.stop(); }

 private:
  std::unique_ptr<notify::EmailChannel> channel_;
  notify::EmailWorker worker_;
};

// For `orderly serve`, `service notify` and `orderly worker email`: the worker, started.
[[nodiscard]] std::unique_ptr<EmailWorkerRole> start_email_worker(const core::Config& config, queue::Broker& broker,
                                                                  store::Store& store, const core::Clock& clock,
                                                                  core::Random& random,
                                                                  core::metrics::Registry& metrics);

// The notify service: GET /api/v1/notifications, the admin dead-letter
// endpoints over the platform's queues, and the email worker (unless
// notify.email_worker is false; then nullptr). Call before the pipeline is
// built (routes first); stop the returned worker after the HTTP drain.
[[nodiscard]] std::unique_ptr<EmailWorkerRole> add_notify(net::Router& router, const core::Config& config,
                                                          store::Store& store, queue::Broker& broker,
                                                          const core::Clock& clock, core::Random& random,
                                                          core::metrics::Registry& metrics);

}  // namespace orderly::app
