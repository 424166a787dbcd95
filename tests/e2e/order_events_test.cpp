// Live order status end to end on the real binary (API.md, "Live order
// status"): GET /api/v1/orders/{id}/events read off a raw socket as the
// order's saga runs. The events arrive while the response is still open
// (streamed, not buffered), heartbeats keep an idle stream alive, a terminal
// order's stream ends, the route checks its caller like GET /orders/{id},
// and the number of open streams is bounded.
#include <memory>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/http_client.hpp"
#include "support/orderly_process.hpp"
#include "support/shop_client.hpp"

namespace orderly::testing {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr unsigned kMaxStreams = 2;

OrderlyProcess::Options stream_options() {
  // The slow card answers after 2.5 s in one attempt, so a stream opened
  // right after placing sees pending_payment first and paid later.
  return {.extra_args = {"--set", "payments.provider_timeout=6000ms", "--set",
                         "payments.simulator_slow_answer=2500ms", "--set", "orders.events_heartbeat=200ms", "--set",
                         "orders.events_poll_interval=100ms", "--set",
                         "orders.events_max_streams=" + std::to_string(kMaxStreams)},
          .environment = {std::string("ORDERLY_ADMIN_PASSWORD=") + kAdminPassword}};
}

class OrderEventsEndToEnd : public ::testing::Test {
 protected:
  OrderEventsEndToEnd() : server_(stream_options()), port_(server_.port()), shop_(port_) {}

  // Places an order of one unit with `card`; returns its id.
  std::string place_with(const std::string& token, const char* card, const std::string& key) {
    const auto placed = shop_.place(token, key, ShopClient::order_body(product(), 1, shop_.add_card(token, card)));
    EXPECT_TRUE(placed && placed->status == 201) << (placed ? placed->body : "no answer");
    return placed ? std::string(json::parse(placed->body).at("id").as_string()) : std::string();
  }

  const std::string& product() {
    if (product_.empty()) product_ = shop_.create_product(shop_.admin_token(), "LIVE-1", 1200, 50);
    return product_;
  }

  // Opens the stream on its own connection and sends the request.
  std::unique_ptr<HttpConnection> open_stream(const std::string& order_id, const std::string& token,
                                              const std::string& extra_headers = {}) {
    auto connection = std::make_unique<HttpConnection>(port_.load());
    std::string request = "GET /api/v1/orders/" + order_id + "/events HTTP/1.1\r\nHost: shop\r\n" +
                          "Accept: text/event-stream\r\n" + extra_headers;
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "\r\n";
    EXPECT_TRUE(connection->send(request));
    return connection;
  }

  OrderlyProcess server_;
  std::atomic<std::uint16_t> port_;
  ShopClient shop_;
  std::string product_;
};

TEST_F(OrderEventsEndToEnd, TheStreamShowsPendingThenPaidWhileItIsOpen) {
  const auto buyer = shop_.customer("live-buyer@example.com");
  const auto order_id = place_with(buyer, kCardSlow, "live-1");
  auto stream = open_stream(order_id, buyer);

  const auto first = stream->read_until("\"status\":\"pending_payment\"", 5s);
  ASSERT_TRUE(first) << "no pending_payment event";
  EXPECT_NE(first->find("HTTP/1.1 200 OK\r\n"), std::string::npos) << *first;
  EXPECT_NE(first->find("Content-Type: text/event-stream"), std::string::npos) << *first;
  EXPECT_NE(first->find("Transfer-Encoding: chunked\r\n"), std::string::npos) << *first;
  EXPECT_EQ(first->find("Content-Length"), std::string::npos) << "a stream has no length";
  EXPECT_NE(first->find("id: 1\nevent: status\ndata: {"), std::string::npos) << *first;
  EXPECT_EQ(first->find("\"status\":\"paid\""), std::string::npos) << "the slow card cannot have paid yet";

  const auto paid = stream->read_until("\"status\":\"paid\"", 20s);
  ASSERT_TRUE(paid) << "the order never turned paid on the stream";
  EXPECT_NE(paid->find("id: 2\nevent: status\n"), std::string::npos) << *paid;
  // Paid is not the end of an order: the stream stays open and heartbeats.
  const auto after = paid->size();
  const auto beat = stream->read_until(": heartbeat\n\n", 5s, after);
  EXPECT_TRUE(beat) << "no heartbeat comment after paid";
}

TEST_F(OrderEventsEndToEnd, ACancelledOrdersStreamEndsAndHonoursLastEventId) {
  const auto buyer = shop_.customer("declined-live@example.com");
  const auto order_id = place_with(buyer, kCardDeclined, "live-2");
  const auto settled = shop_.wait_settled(buyer, order_id, 20s);
  ASSERT_TRUE(settled);
  ASSERT_EQ(settled->at("status").as_string(), "cancelled");
  const auto history = settled->at("history").as_array().size();

  auto stream = open_stream(order_id, buyer);
  const auto whole = stream->read_until("\r\n0\r\n\r\n", 5s);
  ASSERT_TRUE(whole) << "the stream of a cancelled order did not end";
  EXPECT_NE(whole->find("\"status\":\"cancelled\""), std::string::npos) << *whole;
  EXPECT_EQ(whole->find("\"status\":\"pending_payment\""), std::string::npos) << "only the current status first";
  EXPECT_TRUE(stream->wait_closed(5s));

  // Resuming after the first entry sends the rest of the history, not the first again.
  auto resumed = open_stream(order_id, buyer, "Last-Event-ID: 1\r\n");
  const auto rest = resumed->read_until("\r\n0\r\n\r\n", 5s);
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->find("id: 1\n"), std::string::npos) << *rest;
  EXPECT_NE(rest->find("id: " + std::to_string(history) + "\n"), std::string::npos) << *rest;
}

TEST_F(OrderEventsEndToEnd, OnlyTheOwnerOrAnAdminMayFollowAnOrder) {
  const auto buyer = shop_.customer("owner-live@example.com");
  const auto order_id = place_with(buyer, kCardApproved, "live-3");
  const auto target = "/api/v1/orders/" + order_id + "/events";

  const auto anonymous = shop_.call("GET", target, "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  const auto stranger = shop_.call("GET", target, shop_.customer("stranger-live@example.com"));
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 404) << "another customer's order does not exist for them";
  const auto bad_id = shop_.call("GET", target, buyer, {}, {{"Last-Event-ID", "soon"}});
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 400) << bad_id->body;

  auto as_admin = open_stream(order_id, shop_.admin_token());
  EXPECT_TRUE(as_admin->read_until("event: status\n", 5s)) << "an admin may follow any order";
}

TEST_F(OrderEventsEndToEnd, OpenStreamsAreBoundedAndAClosedOneFreesItsPlace) {
  const auto buyer = shop_.customer("many-live@example.com");
  const auto order_id = place_with(buyer, kCardApproved, "live-4");
  ASSERT_TRUE(shop_.wait_settled(buyer, order_id, 20s));

  std::vector<std::unique_ptr<HttpConnection>> open;
  for (unsigned i = 0; i < kMaxStreams; ++i) {
    open.push_back(open_stream(order_id, buyer));
    ASSERT_TRUE(open.back()->read_until("\"status\":\"paid\"", 5s)) << "stream " << i;
  }
  auto refused = open_stream(order_id, buyer);
  const auto answer = refused->read_response(5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 503) << answer->body;
  EXPECT_TRUE(answer->header("Retry-After"));

  // The server notices the closed socket at its next heartbeat (200 ms).
  open.pop_back();
  std::unique_ptr<HttpConnection> again;
  const bool admitted = eventually(
      [&] {
        again = open_stream(order_id, buyer);
        const auto head = again->read_until("\r\n\r\n", 2s);
        return head && head->starts_with("HTTP/1.1 200");
      },
      10s);
  EXPECT_TRUE(admitted) << "the closed stream's place was never freed";
}

}  // namespace
}  // namespace orderly::testing
