#include "auth/token_issuer.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {

TokenIssuer::TokenIssuer(const KeyRing& keys, const core::Clock& clock, IssuerOptions options)
    : keys_(keys), clock_(clock), options_(std::move(options)) {
  ensure_sodium();
}

IssuedToken TokenIssuer::issue(const std::string& user_id, const std::vector<std::string>& roles,
                               std::int64_t token_version, const std::string& session_id,
                               bool second_factor) const {
  const auto key = keys_.signing_key();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();

  boost::json::object header{{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", key.kid}};
  boost::json::array role_list;
  for (const auto& role : roles) role_list.emplace_back(role);
  boost::json::object claims{{"iss", options_.issuer},
                             {"aud", options_.audience},
                             {"sub", user_id},
                             {"iat", now},
                             {"nbf", now},
                             {"exp", now + options_.lifetime.count()},
                             {"jti", base64url_encode(random_bytes(16))},
                             {"roles", std::move(role_list)},
                             {"ver", token_version}};
  boost::json::array methods{"pwd"};
  if (second_factor) methods.emplace_back("otp");
  claims["amr"] = std::move(methods);
  if (!session_id.empty()) claims["sid"] = session_id;

  auto signing_input = base64url_encode(boost::json::serialize(header)) + "." +
                       base64url_encode(boost::json::serialize(claims));
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(signing_input.data()),
                       signing_input.size(), reinterpret_cast<const unsigned char*>(key.secret.data()));
  signing_input += ".";
  signing_input += base64url_encode(std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
  return {std::move(signing_input), options_.lifetime};
}

}  // namespace orderly::auth
