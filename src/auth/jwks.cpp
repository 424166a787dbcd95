#include "auth/jwks.hpp"

#include <stdexcept>

#include <boost/json.hpp>

#include "auth/sodium_primitives.hpp"

namespace orderly::auth {

std::string render_jwks(const std::vector<VerificationKey>& keys) {
  boost::json::array list;
  for (const auto& key : keys) {
    const std::string_view raw(reinterpret_cast<const char*>(key.public_key.data()), key.public_key.size());
    list.push_back(boost::json::object{{"kty", "OKP"},
                                       {"crv", "Ed25519"},
                                       {"alg", "EdDSA"},
                                       {"use", "sig"},
                                       {"kid", key.kid},
                                       {"x", base64url_encode(raw)}});
  }
  return boost::json::serialize(boost::json::object{{"keys", std::move(list)}});
}

std::vector<VerificationKey> parse_jwks(std::string_view json) {
  boost::system::error_code error;
  const auto document = boost::json::parse(json, error);
  if (error || !document.is_object() || !document.as_object().contains("keys") ||
      !document.as_object().at("keys").is_array()) {
    throw std::invalid_argument("not a JWK set");
  }
  std::vector<VerificationKey> keys;
  for (const auto& entry : document.as_object().at("keys").as_array()) {
    if (!entry.is_object()) continue;
    const auto& jwk = entry.as_object();
    auto member = [&](std::string_view name) -> std::string_view {
      const auto* value = jwk.if_contains(name);
      return value != nullptr && value->is_string() ? std::string_view(value->as_string()) : std::string_view{};
    };
    if (member("kty") != "OKP" || member("crv") != "Ed25519" || member("kid").empty()) continue;
    if (const auto use = member("use"); !use.empty() && use != "sig") continue;
    const auto x = base64url_decode(member("x"));
    VerificationKey key;
    if (!x || x->size() != key.public_key.size()) continue;
    key.kid = std::string(member("kid"));
    std::copy(x->begin(), x->end(), key.public_key.begin());
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace orderly::auth
