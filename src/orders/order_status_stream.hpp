#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "net/http_message.hpp"
#include "orders/order.hpp"
#include "orders/order_service.hpp"

// GET /api/v1/orders/{id}/events (API.md, "Live order status"): the order's
// status as Server-Sent Events. Each stream reads the order again every
// `poll_interval` and sends the history entries it has not sent yet, so it
// sees a change made by any process (embedded, or another orders instance
// in scale-out) without a channel of its own between them.
namespace orderly::orders {

struct StatusStreamOptions {
  std::chrono::milliseconds heartbeat{15'000};     // a comment line when nothing else was sent for this long
  std::chrono::milliseconds poll_interval{500};    // how often an open stream reads its order
  std::size_t max_streams = 256;                   // open at once per process; beyond: 503
};

// The statuses after which an order's status does not change any more.
[[nodiscard]] bool is_terminal_status(std::string_view status);

class OrderStatusStreams {
 public:
  OrderStatusStreams(OrderService& service, StatusStreamOptions options) : service_(service), options_(options) {}

  // The streamed response for `order`, already found and visible to the
  // caller; `last_event_id` is the Last-Event-ID the client sent (a history
  // position). A 503 problem when max_streams are open.
  [[nodiscard]] net::Response open(const Order& order, std::optional<std::size_t> last_event_id);

  [[nodiscard]] std::size_t open_streams() const { return open_->load(); }

 private:
  OrderService& service_;
  StatusStreamOptions options_;
  // Shared with the streams, which may outlive this object by a few
  // moments when the server is torn down.
  std::shared_ptr<std::atomic<std::size_t>> open_ = std::make_shared<std::atomic<std::size_t>>(0);
};

// The Last-Event-ID header: nullopt when absent; throws core::ProblemError
// (400) when it is not a history position this route gave out.
[[nodiscard]] std::optional<std::size_t> parse_last_event_id(std::optional<std::string_view> header);

// One event of the stream, as sent: "id: N\nevent: status\ndata: {...}\n\n".
[[nodiscard]] std::string status_event(std::size_t position, const HistoryEntry& entry);

}  // namespace orderly::orders
