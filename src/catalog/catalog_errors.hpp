#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

// What the catalog refuses, as types the HTTP layer maps to statuses (404,
// 409, 412) and other callers can catch. Messages never hold client input.
namespace orderly::catalog {

class ProductNotFound : public std::runtime_error {
 public:
  ProductNotFound() : std::runtime_error("no such product") {}
};

class SkuTaken : public std::runtime_error {
 public:
  SkuTaken() : std::runtime_error("sku taken by another product") {}
};

// The caller's If-Match named a version that is no longer current.
class VersionMismatch : public std::runtime_error {
 public:
  explicit VersionMismatch(std::int64_t current)
      : std::runtime_error("stale version; current is " + std::to_string(current)), current_version(current) {}
  std::int64_t current_version;
};

}  // namespace orderly::catalog
