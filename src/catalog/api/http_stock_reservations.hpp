#pragma once

#include "catalog/api/stock_reservations.hpp"
#include "rpc/service_channel.hpp"

namespace orderly::catalog {

// StockReservations over the catalog's internal API (internal_stock_routes),
// for an orders service in another process. Every call is idempotent by
// order id, so the channel retries each one. Maps the catalog's problems back
// to OutOfStock, UnknownProduct and ReservationGone, and a refused request
// (422 validation) to std::invalid_argument; anything else it cannot
// read (a 5xx, a body that is not the contract) is core::ServiceUnavailable,
// never a wrong answer. `channel` must outlive the client.
class HttpStockReservations final : public StockReservations {
 public:
  explicit HttpStockReservations(rpc::ServiceChannel& channel) : channel_(channel) {}

  boost::asio::awaitable<std::vector<ReservedLine>> reserve(std::string order_id, std::vector<StockRequest> items,
                                                            std::chrono::milliseconds ttl,
                                                            core::CallContext context) override;
  boost::asio::awaitable<void> confirm(std::string order_id, core::CallContext context) override;
  boost::asio::awaitable<void> release(std::string order_id, core::CallContext context) override;

 private:
  rpc::ServiceChannel& channel_;
};

}  // namespace orderly::catalog
