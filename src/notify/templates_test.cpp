// Templates, the event contract's JSON, and the RFC 5322 composer: what
// reaches a header can never carry a line break.
#include <gtest/gtest.h>

#include "notify/email.hpp"
#include "notify/order_events.hpp"
#include "notify/templates.hpp"

namespace orderly::notify {
namespace {

OrderEvent sample_event() {
  return OrderEvent{"ord_42", "usr_7", "ada@example.com", "Ada Lovelace", core::Money{1999, "USD"}, ""};
}

Email email_for(const RenderedEmail& rendered, std::string to = "ada@example.com") {
  return Email{"3f2a9c", std::move(to), rendered.subject, rendered.body,
               std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))};
}

const Mailbox kFrom{"Orderly", "orders@orderly.local"};

TEST(OrderEvents, PayloadRoundTripsThroughJson) {
  auto event = sample_event();
  event.reason = "payment_declined";
  EXPECT_EQ(order_event_from_json(to_json(event)), event);
  const auto message = order_event_message(OrderEventType::cancelled, event, "00-abc-def-01");
  EXPECT_EQ(message.queue, "notifications");
  EXPECT_EQ(message.type, "order.cancelled");
  EXPECT_EQ(message.schema_version, 1);
  EXPECT_TRUE(message.id.empty()) << "left for the outbox to fill";
  EXPECT_EQ(to_json(sample_event()).find("reason"), std::string::npos) << "reason only when set";
}

TEST(OrderEvents, TypeNamesParseBack) {
  for (const auto type : {OrderEventType::created, OrderEventType::paid, OrderEventType::cancelled,
                          OrderEventType::shipped}) {
    EXPECT_EQ(parse_order_event_type(type_name(type)), type);
  }
  EXPECT_FALSE(parse_order_event_type("order.refunded"));
}

TEST(OrderEvents, MalformedPayloadsAreRefusedNamingTheField) {
  EXPECT_THROW((void)order_event_from_json("not json"), InvalidOrderEvent);
  EXPECT_THROW((void)order_event_from_json("[]"), InvalidOrderEvent);
  try {
    (void)order_event_from_json(
        R"({"order_id":"o","user_id":"u","email":"e@x.y","name":"n","total":{"amount":"12","currency":"USD"}})");
    FAIL() << "a string amount must be refused";
  } catch (const InvalidOrderEvent& error) {
    EXPECT_STREQ(error.what(), "field total.amount must be an integer");
  }
  const auto extra = order_event_from_json(
      R"({"order_id":"o","user_id":"u","email":"e@x.y","name":"n","total":{"amount":5,"currency":"EUR"},"new":1})");
  EXPECT_EQ(extra.total.amount, 5) << "unknown fields are ignored";
}

TEST(Templates, EachEventHasItsTemplateSubjectAndBody) {
  auto event = sample_event();
  const auto created = render_order_email(OrderEventType::created, event);
  EXPECT_EQ(created.template_name, "order_received");
  EXPECT_EQ(created.subject, "Order ord_42 received");
  EXPECT_NE(created.body.find("Hello Ada Lovelace,"), std::string::npos);
  EXPECT_NE(created.body.find("USD 19.99"), std::string::npos);

  const auto paid = render_order_email(OrderEventType::paid, event);
  EXPECT_EQ(paid.template_name, "payment_confirmed");
  EXPECT_EQ(paid.subject, "Payment confirmed for order ord_42");

  event.reason = "payment_declined";
  const auto cancelled = render_order_email(OrderEventType::cancelled, event);
  EXPECT_EQ(cancelled.template_name, "order_cancelled");
  EXPECT_NE(cancelled.body.find("was cancelled: the payment was declined."), std::string::npos) << cancelled.body;

  const auto shipped = render_order_email(OrderEventType::shipped, event);
  EXPECT_EQ(shipped.template_name, "order_shipped");
  EXPECT_EQ(shipped.subject, "Order ord_42 shipped");
}

TEST(Templates, UserDataIsInsertedAsOneLineOfText) {
  auto event = sample_event();
  event.name = "Eve\r\nBcc: victim@example.com";
  event.reason = std::string(5000, 'x');
  const auto email = render_order_email(OrderEventType::cancelled, event);
  EXPECT_NE(email.body.find("Hello Eve  Bcc: victim@example.com,"), std::string::npos)
      << "line breaks in a name become spaces: " << email.body;
  EXPECT_EQ(email.body.find(std::string(201, 'x')), std::string::npos) << "long values are cut";
}

TEST(Templates, MoneyHasTwoDecimals) {
  EXPECT_EQ(format_money({5, "EUR"}), "EUR 0.05");
  EXPECT_EQ(format_money({123456, "USD"}), "USD 1234.56");
}

TEST(Rfc5322, ComposesEveryHeaderWithCrlfLineEnds) {
  const auto text = compose_rfc5322(email_for(render_order_email(OrderEventType::paid, sample_event())), kFrom);
  const auto head_end = text.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const auto head = text.substr(0, head_end + 2);
  EXPECT_NE(head.find("From: Orderly <orders@orderly.local>\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("To: <ada@example.com>\r\n"), std::string::npos);
  EXPECT_NE(head.find("Subject: Payment confirmed for order ord_42\r\n"), std::string::npos);
  EXPECT_NE(head.find("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Message-ID: <3f2a9c@orderly.local>\r\n"), std::string::npos);
  EXPECT_NE(head.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(head.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST(Rfc5322, RefusesLineBreaksInAnyHeader) {
  const auto rendered = render_order_email(OrderEventType::paid, sample_event());
  EXPECT_THROW((void)compose_rfc5322(email_for(rendered, "ada@example.com\r\nBcc: all@example.com"), kFrom),
               HeaderInjection);
  EXPECT_THROW((void)compose_rfc5322(email_for(rendered, "ada@example.com\nBcc: all@example.com"), kFrom),
               HeaderInjection);

  auto event = sample_event();
  event.order_id = "ord_1\r\nBcc: all@example.com";
  const auto injected = render_order_email(OrderEventType::created, event);
  try {
    (void)compose_rfc5322(email_for(injected), kFrom);
    FAIL() << "an order id with a line break must not reach the Subject";
  } catch (const HeaderInjection& error) {
    EXPECT_STREQ(error.what(), "header Subject contains a control character") << "names the header, not the value";
  }
  EXPECT_THROW((void)compose_rfc5322(email_for(rendered), Mailbox{"Orderly\r\nX: y", "orders@orderly.local"}),
               HeaderInjection);
}

TEST(Rfc5322, RefusesAddressesThatAreNotPlain) {
  const auto rendered = render_order_email(OrderEventType::paid, sample_event());
  for (const char* bad : {"", "ada", "@example.com", "ada@", "a@b@c", "Ada <ada@example.com>", "a@b.c, d@e.f",
                          "ada @example.com"}) {
    EXPECT_THROW((void)compose_rfc5322(email_for(rendered, bad), kFrom), InvalidAddress) << bad;
  }
}

TEST(Rfc5322, NonAsciiHeaderTextBecomesEncodedWords) {
  EXPECT_EQ(header_text("Subject", "plain"), "plain");
  EXPECT_EQ(header_text("Subject", "Caf\xC3\xA9"), "=?UTF-8?B?Q2Fmw6k=?=");
  const auto quoted = compose_rfc5322(email_for(render_order_email(OrderEventType::paid, sample_event())),
                                      Mailbox{"Orderly, Inc.", "orders@orderly.local"});
  EXPECT_NE(quoted.find("From: \"Orderly, Inc.\" <orders@orderly.local>\r\n"), std::string::npos);
}

TEST(Rfc5322, MessageIdsAreSafeTokens) {
  EXPECT_EQ(safe_token("a1-b2_c3.d"), "a1-b2_c3.d");
  EXPECT_EQ(safe_token("a/b"), "x612f62");
  EXPECT_EQ(safe_token("../x"), "x2e2e2f78");
  EXPECT_EQ(safe_token("id:2,S"), "x69643a322c53");
}

}  // namespace
}  // namespace orderly::notify
