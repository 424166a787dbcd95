#pragma once

#include <stdexcept>
#include <string>

#include "core/service_unavailable.hpp"

namespace orderly::store {

// Every store failure derives from StoreError. Messages name the statement
// and the database's reason; they go to logs, never into an HTTP body.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A constraint refused the change. Domain code maps these to 409/422
// (an email already taken, stock that would go below zero).
class ConstraintViolation : public StoreError {
 public:
  enum class Kind { unique, check, foreign_key, not_null, other };
  ConstraintViolation(Kind kind, const std::string& message) : StoreError(message), kind_(kind) {}
  [[nodiscard]] Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// The transaction lost a race (PostgreSQL SQLSTATE 40001/40P01, SQLite BUSY
// on commit); Store::transaction retries the whole body when it sees one.
class SerializationFailure : public StoreError {
 public:
  using StoreError::StoreError;
};

// The database cannot be reached, is overloaded or has no primary now (a
// failover); worth a 503 with Retry-After, not a 500 (core::TemporarilyUnavailable).
class StoreUnavailable : public StoreError, public core::TemporarilyUnavailable {
 public:
  using StoreError::StoreError;
  [[nodiscard]] const char* dependency() const override { return "database"; }
};

}  // namespace orderly::store
