#include "auth/totp.hpp"

#include <liboath/oath.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {
namespace {

void ensure_oath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("liboath failed to initialise");
  });
}

bool is_code(std::string_view code) {
  if (code.size() != kTotpDigits) return false;
  for (const char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

}  // namespace

std::int64_t totp_step_at(std::int64_t unix_seconds) {
  // Floor division: RFC 6238 counts from T0 = 0; times before it have no step.
  return unix_seconds < 0 ? -1 : unix_seconds / kTotpStep.count();
}

std::string totp_code(std::string_view key, std::int64_t step, unsigned digits) {
  ensure_oath();
  if (step < 0) throw std::invalid_argument("TOTP step before the epoch");
  std::string out(digits + 1, '\0');
  const auto now = static_cast<time_t>(step * kTotpStep.count());
  const int status = oath_totp_generate(key.data(), key.size(), now, static_cast<unsigned>(kTotpStep.count()), 0,
                                        digits, out.data());
  if (status != OATH_OK) throw std::runtime_error(std::string("oath_totp_generate: ") + oath_strerror(status));
  out.resize(digits);
  return out;
}

std::optional<std::int64_t> match_totp(std::string_view key, std::string_view code, std::int64_t unix_seconds,
                                       std::int64_t last_used_step) {
  if (!is_code(code)) return std::nullopt;
  const auto current = totp_step_at(unix_seconds);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, so the time taken does not
  // tell which step (if any) matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    if (step < 0) continue;
    const bool equal = constant_time_equal(totp_code(key, step), code);
    if (equal && step > last_used_step && !matched) matched = step;
  }
  return matched;
}

std::string base32_encode(std::string_view bytes) {
  ensure_oath();
  char* encoded = nullptr;
  std::size_t length = 0;
  const int status = oath_base32_encode(bytes.data(), bytes.size(), &encoded, &length);
  if (status != OATH_OK) throw std::runtime_error(std::string("oath_base32_encode: ") + oath_strerror(status));
  std::unique_ptr<char, decltype(&std::free)> owned(encoded, &std::free);
  std::string out(encoded, length);
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
  const auto issuer_text = percent_encode(issuer);
  return "otpauth://totp/" + issuer_text + ":" + percent_encode(account) + "?secret=" + std::string(base32_secret) +
         "&issuer=" + issuer_text + "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStep.count());
}

}  // namespace orderly::auth
