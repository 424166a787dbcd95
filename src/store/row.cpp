#include "store/row.hpp"

#include <algorithm>
#include <charconv>

#include "store/errors.hpp"

namespace orderly::store {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

[[noreturn]] void wrong_type(std::string_view column, std::string_view wanted) {
  throw StoreError("column " + std::string(column) + " cannot be read as " + std::string(wanted));
}

}  // namespace

const Value& Row::at(std::size_t index) const {
  if (index >= values_.size()) throw StoreError("column index " + std::to_string(index) + " out of range");
  return values_[index];
}

const Value& Row::at(std::string_view column) const {
  const auto& names = *columns_;
  const auto found = std::find(names.begin(), names.end(), column);
  if (found == names.end()) throw StoreError("no column named " + std::string(column));
  return values_[static_cast<std::size_t>(found - names.begin())];
}

bool Row::is_null(std::string_view column) const { return std::holds_alternative<std::monostate>(at(column)); }

std::int64_t Row::int64(std::string_view column) const {
  return std::visit(Overloaded{[&](std::int64_t value) { return value; },
                               [&](double value) { return static_cast<std::int64_t>(value); },
                               [&](const std::string& text) {
                                 // PostgreSQL text results: numbers arrive as digits.
                                 std::int64_t value = 0;
                                 const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
                                 if (error != std::errc{} || end != text.data() + text.size()) wrong_type(column, "integer");
                                 return value;
                               },
                               [&](const auto&) -> std::int64_t { wrong_type(column, "integer"); }},
                    at(column));
}

double Row::real(std::string_view column) const {
  return std::visit(Overloaded{[&](std::int64_t value) { return static_cast<double>(value); },
                               [&](double value) { return value; },
                               [&](const std::string& text) {
                                 try {
                                   std::size_t used = 0;
                                   const double value = std::stod(text, &used);
                                   if (used == text.size()) return value;
                                 } catch (const std::exception&) {
                                 }
                                 wrong_type(column, "real");
                               },
                               [&](const auto&) -> double { wrong_type(column, "real"); }},
                    at(column));
}

std::string Row::text(std::string_view column) const {
  return std::visit(Overloaded{[&](std::int64_t value) { return std::to_string(value); },
                               [&](const std::string& text) { return text; },
                               [&](const Blob& blob) { return blob.bytes; },
                               [&](const auto&) -> std::string { wrong_type(column, "text"); }},
                    at(column));
}

Blob Row::blob(std::string_view column) const {
  return std::visit(Overloaded{[&](const Blob& blob) { return blob; },
                               [&](const std::string& text) { return Blob{text}; },
                               [&](const auto&) -> Blob { wrong_type(column, "blob"); }},
                    at(column));
}

bool Row::boolean(std::string_view column) const {
  if (const auto* text = std::get_if<std::string>(&at(column))) {
    if (*text == "t" || *text == "true") return true;  // PostgreSQL text booleans
    if (*text == "f" || *text == "false") return false;
  }
  return int64(column) != 0;
}

std::optional<std::int64_t> Row::optional_int64(std::string_view column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::optional<std::string> Row::optional_text(std::string_view column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

const Row& Result::first() const {
  if (rows.empty()) throw StoreError("expected a row, got none");
  return rows.front();
}

}  // namespace orderly::store
