#include "app/process_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <ranges>
#include <thread>

#include "app/http_stack.hpp"
#include "app/version.hpp"
#include "core/logging.hpp"
#include "core/process_metrics.hpp"
#include "net/http_server.hpp"
#include "net/pipeline.hpp"

namespace orderly::app {
namespace {

constexpr int kStartupError = 2;

sigset_t process_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  return signals;
}

unsigned thread_count(const core::Config& settings, unsigned threads) {
  if (threads != 0) return threads;
  if (settings.threads != 0) return settings.threads;
  return std::max(1U, std::thread::hardware_concurrency());
}

void add_metrics_endpoint(net::Router& router, const core::metrics::Registry& metrics) {
  router.add("GET", "/metrics",
             [&metrics](net::RequestContext&, net::Request&) -> boost::asio::awaitable<net::Response> {
               co_return net::Response::text(200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
             });
}

const char* signal_name(int number) {
  switch (number) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "other";
  }
}

}  // namespace

ProcessRunner::ProcessRunner(const core::Config& settings, unsigned threads, std::string event_prefix)
    : settings_(settings),
      event_prefix_(std::move(event_prefix)),
      signals_(process_signals()),
      threads_(thread_count(settings, threads)) {
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error code, not a kill
  core::log::start(core::log::parse_level(settings.log.level));
  core::metrics::register_process_metrics(metrics_);
  metrics_.gauge("orderly_build_info", "Always 1; the version is a label.", {"version"}).with_labels({kVersion}).set(1);
  metrics_.gauge_callback("orderly_log_lines_dropped", "Log lines dropped because the writer fell behind.",
                          [] { return static_cast<double>(core::log::dropped_count()); });
  health_.install(public_router_);
  health_.install(internal_router_);
  health_.install(ops_router_);
  add_metrics_endpoint(ops_router_, metrics_);
  server_ = std::make_unique<net::HttpServer>(threads_, settings.http, metrics_, clock_);
}

ProcessRunner::~ProcessRunner() {
  workers_.stop(std::chrono::seconds(5));
  server_.reset();
  core::log::stop();
}

void ProcessRunner::add(Component& component) {
  component.add_routes(routes_);
  component.add_workers(workers_);
  components_.push_back(&component);
}

void ProcessRunner::listen(const std::string& key, const core::HostPort& address, const net::Pipeline& pipeline,
                           bool on_every_loop, const net::TlsFiles* tls) {
  try {
    server_->add_listener(key, address, pipeline, on_every_loop, tls);
  } catch (const net::BindError& error) {
    throw StartupError(error.what());
  }
  listeners_.push_back(key);
}

void ProcessRunner::listen_ops(const core::HostPort& address) {
  ops_pipeline_ = make_ops_pipeline(ops_router_, request_ids_);
  listen("ops_listen", address, *ops_pipeline_, false);
}

core::HostPort ProcessRunner::bound_address(std::string_view key) const { return server_->bound_address(key); }

int ProcessRunner::run(boost::json::object started) {
  for (auto* component : components_) {
    try {
      component->start(*server_);
    } catch (const std::exception& error) {
      std::cerr << "orderly: " << component->name() << ": " << error.what() << "\n";
      for (auto* started_one : components_) {
        if (started_one == component) break;
        started_one->stop(settings_.http.drain_grace);
      }
      return kStartupError;
    }
  }
  server_->start();
  workers_.start();

  started.emplace("version", kVersion);
  for (const auto& key : listeners_) {
    if (!started.contains(key)) started[key] = server_->bound_address(key).to_string();
  }
  started["threads"] = threads_;
  started["pid"] = ::getpid();
  core::log::info(event_prefix_ + ".started", started);
  core::log::flush();

  int signal_number = 0;
  while (true) {
    sigwait(&signals_, &signal_number);
    if (signal_number != SIGHUP) break;
    if (reload_) {
      reload_();
    } else {
      core::log::info("signal.ignored", {{"signal", "SIGHUP"}, {"why", "this role reloads nothing"}});
    }
    core::log::flush();
  }

  const auto grace = settings_.http.drain_grace;
  core::log::info(event_prefix_ + ".draining", {{"signal", signal_name(signal_number)}, {"grace_ms", grace.count()}});
  health_.set_draining();
  // Out of the registry first, so the gateway and the clients stop sending here.
  for (auto* component : components_) component->drain(grace);
  if (settings_.http.drain_delay.count() > 0) {
    // Still serving, but /readyz answers 503 "draining": load balancers that
    // poll it take this instance out before its listeners close.
    std::this_thread::sleep_for(settings_.http.drain_delay);
  }
  const auto unfinished = server_->drain(grace);
  workers_.stop(grace);
  if (unfinished > 0) core::log::warn("server.drain_incomplete", {{"connections_cut", unfinished}});
  for (auto* component : std::views::reverse(components_)) component->stop(grace);
  boost::json::object stopped{{"clean", unfinished == 0}};
  if (stopped_report_) stopped_report_(stopped);
  core::log::info(event_prefix_ + ".stopped", stopped);
  return 0;
}

int run_role(const std::function<int()>& role) {
  try {
    return role();
  } catch (const StartupError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
  } catch (const core::ConfigError& error) {
    std::cerr << "orderly: " << error.what() << "\n";
  }
  return kStartupError;
}

}  // namespace orderly::app
