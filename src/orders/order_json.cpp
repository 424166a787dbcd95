#include "orders/order_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

namespace orderly::orders {

boost::json::object money_json(const core::Money& money) {
  return {{"amount", money.amount}, {"currency", money.currency}};
}

boost::json::object order_json(const Order& order, bool details) {
  boost::json::object json{
      {"id", order.id},
      {"user_id", order.user_id},
      {"status", order.status},
      {"total", money_json(order.total)},
      {"payment_method_id", order.payment_method_id},
      {"created_at", order.created_at},
      {"updated_at", order.updated_at},
  };
  if (order.cancel_reason) json["cancel_reason"] = *order.cancel_reason;
  if (!details) return json;
  json["shipping_address"] = boost::json::parse(order.shipping_address);
  boost::json::array items;
  for (const auto& line : order.items) {
    items.push_back(boost::json::object{
        {"product_id", line.product_id},
        {"sku", line.sku},
        {"name", line.name},
        {"quantity", line.quantity},
        {"unit_price", money_json(line.unit_price)},
        {"total", money_json({line.unit_price.amount * line.quantity, line.unit_price.currency})},
    });
  }
  json["items"] = std::move(items);
  boost::json::array history;
  for (const auto& entry : order.history) history.push_back(history_entry_json(entry));
  json["history"] = std::move(history);
  return json;
}

boost::json::object history_entry_json(const HistoryEntry& entry) {
  boost::json::object step{{"status", entry.status}, {"at", entry.at}};
  if (entry.reason) step["reason"] = *entry.reason;
  return step;
}

boost::json::object payment_json(const Payment& payment) {
  boost::json::object json{
      {"status", payment.status},
      {"amount", money_json(payment.amount)},
      {"attempts", payment.attempts},
  };
  if (payment.decline_code) json["decline_code"] = *payment.decline_code;
  return json;
}

}  // namespace orderly::orders
