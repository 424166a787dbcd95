#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "store/row.hpp"
#include "store/value.hpp"

struct pg_result;  // libpq's PGresult: only pg_result.cpp and pg_connection.cpp see its definition

namespace orderly::store::postgres {

// A result of rows or a command's, as store::Result: columns converted by
// type (int2/int4/int8/oid -> integer, float4/float8/numeric -> real, bool ->
// 0/1, bytea -> Blob, NULL -> monostate, anything else -> text) and the row
// count of INSERT, UPDATE, DELETE (and SELECT) in affected_rows.
[[nodiscard]] Result to_result(const pg_result* result);

// The command tag of a result ("COMMIT", "ROLLBACK", "INSERT 0 1").
[[nodiscard]] std::string command_of(const pg_result* result);

// Throws the StoreError that an error result stands for, named by `what`
// (see store/errors.hpp): 23505/23514/23503/23502 -> ConstraintViolation,
// 40001/40P01 -> SerializationFailure, connection and server-availability
// classes (08, 53, 57P01-57P03) -> StoreUnavailable, anything else
// (57014 statement timeout included) -> StoreError. The message carries the
// server's primary message and SQLSTATE, never its DETAIL (which quotes values).
[[noreturn]] void throw_error(const pg_result* result, std::string_view what);

// The same mapping for a SQLSTATE and a ready message.
[[noreturn]] void throw_sqlstate(std::string_view sqlstate, const std::string& message);

// Statement parameters in libpq's form: text, except Blob (binary) and NULL.
// Points into `params`, which must outlive it.
class EncodedParams {
 public:
  EncodedParams(const Params& params, std::string_view statement);
  EncodedParams(const EncodedParams&) = delete;  // values() points into itself
  EncodedParams& operator=(const EncodedParams&) = delete;

  [[nodiscard]] int count() const { return static_cast<int>(values_.size()); }
  [[nodiscard]] const char* const* values() const { return values_.data(); }
  [[nodiscard]] const int* lengths() const { return lengths_.data(); }
  [[nodiscard]] const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::string> numbers_;  // the text of integer and real parameters
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace orderly::store::postgres
