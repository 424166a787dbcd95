#include "auth/token_verifier.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {
namespace {

// A JWT is small; anything larger is refused before any decoding work.
constexpr std::size_t kMaxTokenLength = 8 * 1024;
constexpr std::chrono::seconds kMaxLeeway{60};

[[noreturn]] void fail(TokenFailure failure) { throw TokenError(failure); }

boost::json::object decode_json_part(std::string_view part) {
  const auto decoded = base64url_decode(part);
  if (!decoded) fail(TokenFailure::malformed);
  boost::system::error_code error;
  auto value = boost::json::parse(*decoded, error);
  if (error || !value.is_object()) fail(TokenFailure::malformed);
  return std::move(value.as_object());
}

std::string_view string_member(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return {};
  return value->as_string();
}

// NumericDate (RFC 7519): seconds, integer or not.
std::optional<std::int64_t> time_member(const boost::json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr) return std::nullopt;
  // NumericDate in seconds, bounded to [1970, 2200): a double like 1e300 cast
  // to int64 is undefined behaviour, and a time past 2262 overflows the
  // conversion to system_clock's nanosecond time_point (the jwt fuzz target
  // found that with the year-10000 bound this had before).
  constexpr std::int64_t limit = 7'258'118'400;  // 2200-01-01T00:00:00Z
  static_assert(limit < std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::duration::max()).count());
  if (value->is_int64() && value->as_int64() >= 0 && value->as_int64() < limit) return value->as_int64();
  if (value->is_uint64() && value->as_uint64() < static_cast<std::uint64_t>(limit)) {
    return static_cast<std::int64_t>(value->as_uint64());
  }
  if (value->is_double() && value->as_double() >= 0.0 && value->as_double() < static_cast<double>(limit)) {
    return static_cast<std::int64_t>(value->as_double());
  }
  fail(TokenFailure::malformed);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

// Key ids are ours: 22 base64url characters. Anything else (paths, URLs,
// SQL) is refused before the lookup.
bool plausible_kid(std::string_view kid) {
  return !kid.empty() && kid.size() <= 64 && std::all_of(kid.begin(), kid.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

bool audience_matches(const boost::json::object& claims, std::string_view audience) {
  const auto* aud = claims.if_contains("aud");
  if (aud == nullptr) return false;
  if (aud->is_string()) return aud->as_string() == audience;
  if (aud->is_array()) {
    const auto& list = aud->as_array();
    return std::any_of(list.begin(), list.end(),
                       [&](const boost::json::value& entry) { return entry.is_string() && entry.as_string() == audience; });
  }
  return false;
}

}  // namespace

std::string_view to_string(TokenFailure failure) {
  switch (failure) {
    case TokenFailure::malformed: return "malformed token";
    case TokenFailure::unsupported_algorithm: return "unsupported algorithm";
    case TokenFailure::forbidden_header: return "forbidden header parameter";
    case TokenFailure::wrong_type: return "not an access token";
    case TokenFailure::unknown_key: return "unknown signing key";
    case TokenFailure::bad_signature: return "bad signature";
    case TokenFailure::wrong_issuer: return "wrong issuer";
    case TokenFailure::wrong_audience: return "wrong audience";
    case TokenFailure::expired: return "token expired";
    case TokenFailure::not_yet_valid: return "token not yet valid";
  }
  return "invalid token";
}

TokenVerifier::TokenVerifier(const KeySource& keys, const core::Clock& clock, VerifierOptions options)
    : keys_(keys), clock_(clock), options_(std::move(options)) {
  ensure_sodium();
  options_.leeway = std::clamp(options_.leeway, std::chrono::seconds(0), kMaxLeeway);
}

AccessClaims TokenVerifier::verify(std::string_view token) const {
  if (token.size() > kMaxTokenLength) fail(TokenFailure::malformed);
  const auto first_dot = token.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    fail(TokenFailure::malformed);
  }
  const auto header = decode_json_part(token.substr(0, first_dot));

  // RFC 8725 3.1: the algorithm is ours to choose, never the token's. Only
  // EdDSA is accepted; "none" (any spelling) and HMAC never are.
  if (string_member(header, "alg") != "EdDSA") fail(TokenFailure::unsupported_algorithm);
  for (const auto* name : {"jku", "jwk", "x5u", "x5c", "crit"}) {
    if (header.contains(name)) fail(TokenFailure::forbidden_header);
  }
  const auto type = string_member(header, "typ");
  if (!equals_ignoring_case(type, "at+jwt") && !equals_ignoring_case(type, "application/at+jwt")) {
    fail(TokenFailure::wrong_type);
  }
  const auto kid = string_member(header, "kid");
  if (!plausible_kid(kid)) fail(TokenFailure::unknown_key);
  const auto key = keys_.find(kid);
  if (!key) fail(TokenFailure::unknown_key);

  const auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!signature || signature->size() != crypto_sign_BYTES) fail(TokenFailure::bad_signature);
  const auto signing_input = token.substr(0, second_dot);
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                  reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                                  key->public_key.data()) != 0) {
    fail(TokenFailure::bad_signature);
  }

  const auto claims = decode_json_part(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (string_member(claims, "iss") != options_.issuer) fail(TokenFailure::wrong_issuer);
  if (!audience_matches(claims, options_.audience)) fail(TokenFailure::wrong_audience);

  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  const auto leeway = options_.leeway.count();
  const auto expires = time_member(claims, "exp");
  if (!expires) fail(TokenFailure::malformed);
  if (now > *expires + leeway) fail(TokenFailure::expired);
  if (const auto not_before = time_member(claims, "nbf"); not_before && now + leeway < *not_before) {
    fail(TokenFailure::not_yet_valid);
  }

  AccessClaims out;
  out.subject = std::string(string_member(claims, "sub"));
  if (out.subject.empty()) fail(TokenFailure::malformed);
  out.token_id = std::string(string_member(claims, "jti"));
  out.key_id = std::string(kid);
  out.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(*expires));
  if (const auto issued = time_member(claims, "iat")) {
    out.issued_at = std::chrono::system_clock::time_point(std::chrono::seconds(*issued));
  }
  if (const auto* roles = claims.if_contains("roles"); roles != nullptr && roles->is_array()) {
    for (const auto& role : roles->as_array()) {
      if (role.is_string()) out.roles.emplace_back(role.as_string());
    }
  }
  if (const auto* version = claims.if_contains("ver"); version != nullptr) {
    // Boost.JSON parses every integer up to INT64_MAX as int64.
    if (!version->is_int64() || version->as_int64() < 0) fail(TokenFailure::malformed);
    out.token_version = version->as_int64();
  }
  if (const auto* session = claims.if_contains("sid"); session != nullptr) {
    if (!session->is_string()) fail(TokenFailure::malformed);
    out.session_id = std::string(session->as_string());
  }
  if (const auto* methods = claims.if_contains("amr"); methods != nullptr) {
    if (!methods->is_array()) fail(TokenFailure::malformed);
    for (const auto& method : methods->as_array()) {
      if (method.is_string() && method.as_string() == "otp") out.second_factor = true;
    }
  }
  return out;
}

}  // namespace orderly::auth
