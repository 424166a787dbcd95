#include "store/postgres/patroni_leader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/clock.hpp"
#include "core/logging.hpp"
#include "net/http_client.hpp"

namespace orderly::store::postgres {
namespace asio = boost::asio;

// The watcher's own event loop and HTTP client (declared before the client,
// which posts the close of its pools to the loop when it goes).
struct PatroniLeader::Watcher {
  asio::io_context loop{1};
  core::SystemClock clock;
  net::HttpClient http{net::HttpClientSettings{}, clock};
  asio::steady_timer timer{loop};
  std::atomic<bool> stopping{false};
  std::atomic<bool> recheck{false};
  std::mutex mutex;
  std::condition_variable first_round_done;
  bool first_round = false;
};

namespace {

asio::awaitable<bool> leads(net::HttpClient& http, const core::HostPort& endpoint, std::chrono::milliseconds timeout) {
  net::Request request;
  request.method = "GET";
  request.target = "/primary";
  request.path = "/primary";
  bool primary = false;
  try {
    const auto response = co_await http.send(endpoint, std::move(request), timeout);
    primary = response.status == 200;
  } catch (const net::HttpClientError&) {
    primary = false;  // a dead node, or one that does not answer in time, does not lead
  }
  co_return primary;
}

}  // namespace

PatroniLeader::PatroniLeader(PatroniOptions options)
    : options_(std::move(options)), watcher_(std::make_unique<Watcher>()) {
  auto& watcher = *watcher_;
  auto watch = [this, &watcher]() -> asio::awaitable<void> {
    std::size_t known = kNone;
    bool reported = false;
    while (!watcher.stopping.load()) {
      std::size_t found = kNone;
      std::size_t answering = 0;
      for (std::size_t i = 0; i < options_.endpoints.size(); ++i) {
        if (co_await leads(watcher.http, options_.endpoints[i], options_.timeout)) {
          ++answering;
          found = i;
        }
      }
      if (answering != 1) found = kNone;
      leader_.store(found, std::memory_order_release);
      if (found != known || !reported) {
        if (found == kNone) {
          core::log::warn("store.postgres_no_leader", {{"nodes_saying_primary", answering}});
        } else {
          core::log::info("store.postgres_leader", {{"patroni", options_.endpoints[found].to_string()}});
        }
        known = found;
        reported = true;
      }
      {
        const std::lock_guard lock(watcher.mutex);
        watcher.first_round = true;
      }
      watcher.first_round_done.notify_all();
      if (watcher.stopping.load() || watcher.recheck.exchange(false)) continue;
      watcher.timer.expires_after(options_.interval);
      [[maybe_unused]] const auto waited = co_await watcher.timer.async_wait(asio::as_tuple(asio::use_awaitable));
      watcher.recheck.store(false);
    }
  };
  asio::co_spawn(watcher.loop, std::move(watch), asio::detached);
  thread_ = std::thread([&watcher] { watcher.loop.run(); });
  // Bounded: one round asks each node once, each answer within `timeout`.
  std::unique_lock lock(watcher.mutex);
  watcher.first_round_done.wait_for(lock, options_.timeout * (options_.endpoints.size() + 1),
                                    [&watcher] { return watcher.first_round; });
}

PatroniLeader::~PatroniLeader() {
  auto& watcher = *watcher_;
  watcher.stopping.store(true);
  asio::post(watcher.loop, [&watcher] { watcher.timer.cancel(); });
  thread_.join();  // the round in flight ends within its answers' timeouts
}

void PatroniLeader::recheck() {
  auto& watcher = *watcher_;
  watcher.recheck.store(true);
  asio::post(watcher.loop, [&watcher] { watcher.timer.cancel(); });
}

}  // namespace orderly::store::postgres
