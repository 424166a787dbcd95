#include "net/client_address_middleware.hpp"

#include <gtest/gtest.h>

namespace orderly::net {
namespace {

TEST(ClientAddress, BelievesForwardedForOnlyFromTrustedProxies) {
  const ClientAddressMiddleware middleware({"10.0.0.1", "10.0.0.2"});
  EXPECT_EQ(middleware.client_address("203.0.113.9", "1.2.3.4"), "203.0.113.9") << "untrusted peer: header ignored";
  EXPECT_EQ(middleware.client_address("10.0.0.1", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(middleware.client_address("10.0.0.1", "198.51.100.7, 10.0.0.2"), "198.51.100.7")
      << "a chain of trusted proxies is walked through";
  EXPECT_EQ(middleware.client_address("10.0.0.1", "6.6.6.6, 198.51.100.7"), "198.51.100.7")
      << "what the client prepended is not believed";
  EXPECT_EQ(middleware.client_address("10.0.0.1", ""), "10.0.0.1");
  EXPECT_EQ(middleware.client_address("10.0.0.1", "198.51.100.7, "), "10.0.0.1") << "malformed: stop at the proxy";
}

TEST(ClientAddress, WithoutTrustedProxiesNothingChanges) {
  const ClientAddressMiddleware middleware({});
  EXPECT_EQ(middleware.client_address("10.0.0.1", "198.51.100.7"), "10.0.0.1");
}

}  // namespace
}  // namespace orderly::net
