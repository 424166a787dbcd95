#pragma once

#include <span>
#include <string>

#include "core/config.hpp"
#include "queue/embedded/embedded_broker.hpp"
#include "queue/rabbitmq/rabbit_broker.hpp"

namespace orderly::app {

// The embedded broker's settings from the queue.* keys.
[[nodiscard]] queue::EmbeddedBrokerOptions embedded_broker_options(const core::Config& config);

// RabbitMQ's (queue.rabbitmq_uri, its confirm timeout and the same retry
// keys), declaring queue.rabbitmq_queues on connect, or every platform queue.
[[nodiscard]] queue::RabbitBrokerOptions rabbit_broker_options(const core::Config& config);

// Every queue the platform consumes: the admin dead-letter listing walks
// these. A module that adds a queue adds its name here.
[[nodiscard]] std::span<const std::string> platform_queues();

}  // namespace orderly::app
