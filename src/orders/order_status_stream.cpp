#include "orders/order_status_stream.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include "core/logging.hpp"
#include "core/problem.hpp"
#include "net/body_stream.hpp"
#include "orders/order_json.hpp"

namespace orderly::orders {
namespace {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

// Tells a reconnecting EventSource how long to wait, instead of its default 3 s.
constexpr std::string_view kRetryField = "retry: 2000\n\n";
constexpr std::size_t kMaxEventId = 1'000'000;

// Holds one of the max_streams places for as long as its stream lives.
class StreamSlot {
 public:
  explicit StreamSlot(std::shared_ptr<std::atomic<std::size_t>> open) : open_(std::move(open)) {}
  ~StreamSlot() { open_->fetch_sub(1); }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  std::shared_ptr<std::atomic<std::size_t>> open_;
};

class StatusStream final : public net::BodyStream {
 public:
  StatusStream(OrderService& service, StatusStreamOptions options, Order order, std::size_t sent,
               std::unique_ptr<StreamSlot> slot)
      : service_(service), options_(options), order_(std::move(order)), sent_(sent), slot_(std::move(slot)) {}

  asio::awaitable<std::optional<std::string>> next() override {
    if (done_) co_return std::nullopt;
    if (first_) {
      first_ = false;
      last_write_ = SteadyClock::now();
      co_return std::string(kRetryField) + unsent_events(order_);
    }
    // Wait one poll round, but never past the heartbeat, nor longer than a
    // second (the session checks for a drain between pieces).
    const auto wait = std::min({options_.poll_interval, options_.heartbeat, std::chrono::milliseconds(1000)});
    asio::steady_timer timer(co_await asio::this_coro::executor, wait);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));

    std::optional<Order> current;
    bool failed = false;
    try {
      current = co_await service_.find(order_.id);
    } catch (const std::exception& error) {
      failed = true;  // the store is away for a moment: the next round tries again
      core::log::warn("orders.status_stream_read_failed", {{"order_id", order_.id}, {"error", error.what()}});
    }
    std::string out;
    if (!failed) {
      if (!current) {
        done_ = true;  // deleted under us: nothing more will happen to it
        co_return std::nullopt;
      }
      out = unsent_events(*current);
    }
    const auto now = SteadyClock::now();
    if (out.empty() && now - last_write_ >= options_.heartbeat) out = ": heartbeat\n\n";
    if (!out.empty()) last_write_ = now;
    co_return out;
  }

 private:
  // The history entries after position `sent_`; marks the stream done once
  // the order reached a terminal status.
  std::string unsent_events(const Order& order) {
    std::string out;
    for (auto position = sent_ + 1; position <= order.history.size(); ++position) {
      out += status_event(position, order.history[position - 1]);
    }
    sent_ = std::max(sent_, order.history.size());
    if (is_terminal_status(order.status)) done_ = true;
    return out;
  }

  OrderService& service_;
  StatusStreamOptions options_;
  Order order_;
  std::size_t sent_;  // history positions already sent (or known to the client)
  std::unique_ptr<StreamSlot> slot_;
  bool first_ = true;
  bool done_ = false;
  SteadyClock::time_point last_write_{};
};

}  // namespace

bool is_terminal_status(std::string_view status) {
  return status == kCancelled || status == "delivered" || status == "refunded";
}

std::optional<std::size_t> parse_last_event_id(std::optional<std::string_view> header) {
  if (!header) return std::nullopt;
  const auto text = *header;
  const bool digits = !text.empty() && text.size() <= 7 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  const auto value = digits ? std::stoull(std::string(text)) : kMaxEventId + 1;
  if (value > kMaxEventId) {
    throw core::ProblemError({400, "/problems/bad-request", "Bad Request",
                              "Last-Event-ID must be an event id this stream sent (a number)", {}});
  }
  return static_cast<std::size_t>(value);
}

std::string status_event(std::size_t position, const HistoryEntry& entry) {
  std::string out = "id: " + std::to_string(position) + "\nevent: status\ndata: ";
  out += boost::json::serialize(history_entry_json(entry));  // one line: JSON escapes every newline
  out += "\n\n";
  return out;
}

net::Response OrderStatusStreams::open(const Order& order, std::optional<std::size_t> last_event_id) {
  if (open_->fetch_add(1) >= options_.max_streams) {
    open_->fetch_sub(1);
    auto refused = net::Response::problem(503, "/problems/too-many-streams", "Service Unavailable",
                                          "Too many live order streams are open; poll GET /api/v1/orders/{id}.");
    refused.headers.set("Retry-After", "5");
    return refused;
  }
  auto slot = std::make_unique<StreamSlot>(open_);
  // Without Last-Event-ID the current status comes first (the last history entry).
  const auto history = order.history.size();
  const auto sent = last_event_id ? std::min(*last_event_id, history) : (history > 0 ? history - 1 : 0);
  net::Response response;
  response.headers.set("Content-Type", "text/event-stream; charset=utf-8");
  response.headers.set("Cache-Control", "no-store");
  // nginx and similar proxies buffer a response unless told not to.
  response.headers.set("X-Accel-Buffering", "no");
  response.stream = std::make_shared<StatusStream>(service_, options_, order, sent, std::move(slot));
  return response;
}

}  // namespace orderly::orders
