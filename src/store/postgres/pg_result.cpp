#include "store/postgres/pg_result.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <memory>

#include "store/errors.hpp"

namespace orderly::store::postgres {
namespace {

// Type OIDs of PostgreSQL's built-in types (catalog/pg_type.dat); stable across versions.
constexpr Oid kBool = 16;
constexpr Oid kBytea = 17;
constexpr Oid kInt8 = 20;
constexpr Oid kInt2 = 21;
constexpr Oid kInt4 = 23;
constexpr Oid kOid = 26;
constexpr Oid kFloat4 = 700;
constexpr Oid kFloat8 = 701;
constexpr Oid kNumeric = 1700;

Value integer_or_text(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::string(text);
  return value;
}

// PostgreSQL prints NaN, Infinity and -Infinity, which from_chars reads too.
Value real_or_text(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::string(text);
  return value;
}

Value bytes_of(const char* text) {
  std::size_t length = 0;
  const std::unique_ptr<unsigned char, void (*)(void*)> bytes(
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &length), PQfreemem);
  if (!bytes) throw std::bad_alloc();
  return Blob{std::string(reinterpret_cast<const char*>(bytes.get()), length)};
}

Value column_value(const PGresult* result, int row, int column, Oid type) {
  if (PQgetisnull(result, row, column) != 0) return std::monostate{};
  const char* text = PQgetvalue(result, row, column);
  const std::string_view view(text, static_cast<std::size_t>(PQgetlength(result, row, column)));
  switch (type) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid:
      return integer_or_text(view);
    case kFloat4:
    case kFloat8:
    case kNumeric:
      return real_or_text(view);
    case kBool:
      return std::int64_t{view == "t" ? 1 : 0};
    case kBytea:
      return bytes_of(text);
    default:
      return std::string(view);
  }
}

std::string format_real(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest exact form
  return std::string(buffer, end);
}

}  // namespace

Result to_result(const PGresult* result) {
  Result out;
  const int width = PQnfields(result);
  const int height = PQntuples(result);
  if (width > 0) {
    auto columns = std::make_shared<std::vector<std::string>>();
    std::vector<Oid> types;
    for (int column = 0; column < width; ++column) {
      columns->emplace_back(PQfname(result, column));
      types.push_back(PQftype(result, column));
    }
    out.rows.reserve(static_cast<std::size_t>(height));
    for (int row = 0; row < height; ++row) {
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(width));
      for (int column = 0; column < width; ++column) {
        values.push_back(column_value(result, row, column, types[static_cast<std::size_t>(column)]));
      }
      out.rows.emplace_back(columns, std::move(values));
    }
  }
  const std::string_view affected = PQcmdTuples(const_cast<PGresult*>(result));
  std::int64_t count = 0;
  if (std::from_chars(affected.data(), affected.data() + affected.size(), count).ec == std::errc{}) {
    out.affected_rows = count;
  }
  return out;
}

std::string command_of(const PGresult* result) {
  const char* status = PQcmdStatus(const_cast<PGresult*>(result));
  return status != nullptr ? status : "";
}

void throw_sqlstate(std::string_view sqlstate, const std::string& message) {
  using Kind = ConstraintViolation::Kind;
  if (sqlstate.starts_with("23")) {
    const auto kind = sqlstate == "23505"   ? Kind::unique
                      : sqlstate == "23514" ? Kind::check
                      : sqlstate == "23503" ? Kind::foreign_key
                      : sqlstate == "23502" ? Kind::not_null
                                            : Kind::other;
    throw ConstraintViolation(kind, message);
  }
  if (sqlstate == "40001" || sqlstate == "40P01") throw SerializationFailure(message);
  // 08P01 (protocol violation) is a malformed request, such as a missing parameter, not a lost link.
  const bool connection = sqlstate.starts_with("08") && sqlstate != "08P01";
  // 25006: a write reached a server that is read-only now (a primary demoted
  // in a failover, or a standby): the next attempt goes to the new primary.
  if (connection || sqlstate.starts_with("53") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
      sqlstate == "25006") {
    throw StoreUnavailable(message);
  }
  throw StoreError(message);
}

void throw_error(const PGresult* result, std::string_view what) {
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = std::string(what) + ": " + (primary != nullptr ? primary : PQresultErrorMessage(result));
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (sqlstate == nullptr) throw StoreUnavailable(message);  // libpq's own: the connection failed
  message += std::string(" (SQLSTATE ") + sqlstate + ")";
  throw_sqlstate(sqlstate, message);
}

EncodedParams::EncodedParams(const Params& params, std::string_view statement) {
  numbers_.reserve(params.size());  // values_ points into it: no reallocation
  for (std::size_t index = 0; index < params.size(); ++index) {
    const auto& value = params[index].value();
    const char* data = nullptr;
    int length = 0;
    int format = 0;
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      data = numbers_.emplace_back(std::to_string(*integer)).c_str();
    } else if (const auto* real = std::get_if<double>(&value)) {
      data = numbers_.emplace_back(format_real(*real)).c_str();
    } else if (const auto* text = std::get_if<std::string>(&value)) {
      // Text parameters travel NUL-terminated; PostgreSQL text cannot hold a NUL anyway.
      if (text->find('\0') != std::string::npos) {
        throw StoreError(std::string(statement) + ": text parameter $" + std::to_string(index + 1) +
                         " holds a NUL byte (bind bytes as store::Blob)");
      }
      data = text->c_str();
    } else if (const auto* blob = std::get_if<Blob>(&value)) {
      if (blob->bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        throw StoreError(std::string(statement) + ": blob parameter $" + std::to_string(index + 1) + " is over 2 GiB");
      }
      data = blob->bytes.data();
      length = static_cast<int>(blob->bytes.size());
      format = 1;  // binary: bytea's binary form is the bytes themselves
    }
    values_.push_back(data);
    lengths_.push_back(length);
    formats_.push_back(format);
  }
}

}  // namespace orderly::store::postgres
