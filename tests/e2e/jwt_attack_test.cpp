// The JWT attack suite against the running server: each forged or misused
// token sent to a protected endpoint must get 401, and header parameters that
// point at keys elsewhere (jku, x5u) must never be fetched. The verifier's
// reason for each refusal (and exp/nbf with a driven clock) is checked in
// src/auth/token_verifier_test.cpp.
#include <sodium.h>

#include <string>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;

std::string b64url(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

std::string unb64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                    &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(length);
  return out;
}

// A token's three parts, decoded.
struct Parts {
  json::object header;
  json::object claims;
  std::string signature;  // base64url, as sent
};

Parts split(const std::string& token) {
  const auto first = token.find('.');
  const auto last = token.rfind('.');
  return {json::parse(unb64url(token.substr(0, first))).as_object(),
          json::parse(unb64url(token.substr(first + 1, last - first - 1))).as_object(), token.substr(last + 1)};
}

std::string join(const json::object& header, const json::object& claims, std::string_view signature) {
  return b64url(json::serialize(header)) + "." + b64url(json::serialize(claims)) + "." + std::string(signature);
}

// An attacker's own Ed25519 key, to sign whatever they like.
std::string sign_with_attacker_key(const std::string& input) {
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                       secret_key);
  return b64url(std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
}

std::string hmac_sha256(std::string_view key, std::string_view input) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return b64url(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

class JwtAttack : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    session_ = new_customer(server_.port());
    ASSERT_FALSE(session_.access_token.empty());
    ASSERT_EQ(status_with(session_.access_token), 200) << "the genuine token works";
    parts_ = split(session_.access_token);
  }

  int status_with(const std::string& token) {
    return api_request(server_.port(), "GET", "/api/v1/auth/me", {}, token).status;
  }
  // Re-signs header+claims with an attacker key: a valid signature from a key the server does not know.
  std::string attacker_token(const json::object& header, const json::object& claims) {
    const auto input = b64url(json::serialize(header)) + "." + b64url(json::serialize(claims));
    return input + "." + sign_with_attacker_key(input);
  }

  OrderlyProcess server_;
  Session session_;
  Parts parts_;
};

TEST_F(JwtAttack, AlgNoneInAnyCapitalisationIsRefused) {
  for (const auto* alg : {"none", "None", "NONE", "nOnE"}) {
    auto header = parts_.header;
    header["alg"] = alg;
    EXPECT_EQ(status_with(join(header, parts_.claims, "")), 401) << alg;
    EXPECT_EQ(status_with(join(header, parts_.claims, parts_.signature)), 401) << alg;
  }
}

TEST_F(JwtAttack, EmptySignatureIsRefused) {
  EXPECT_EQ(status_with(join(parts_.header, parts_.claims, "")), 401);
}

TEST_F(JwtAttack, Hs256SignedWithThePublishedPublicKeyIsRefused) {
  const auto jwks = api_request(server_.port(), "GET", "/.well-known/jwks.json");
  const auto document = json_of(jwks);
  const auto& key = document.at("keys").at(0);
  auto header = parts_.header;
  header["alg"] = "HS256";
  const auto input = b64url(json::serialize(header)) + "." + b64url(json::serialize(parts_.claims));
  // The raw key bytes, the x value as text, and the whole JWKS document: what
  // confused verifiers have been seen to use as the HMAC secret.
  for (const auto& secret :
       {unb64url(std::string(key.at("x").as_string())), std::string(key.at("x").as_string()), jwks.body}) {
    EXPECT_EQ(status_with(input + "." + hmac_sha256(secret, input)), 401);
  }
}

TEST_F(JwtAttack, TamperedPayloadWithTheOriginalSignatureIsRefused) {
  auto claims = parts_.claims;
  claims["roles"] = json::array{"customer", "admin"};
  EXPECT_EQ(status_with(join(parts_.header, claims, parts_.signature)), 401);
  claims = parts_.claims;
  claims["sub"] = "usr_someone_else";
  EXPECT_EQ(status_with(join(parts_.header, claims, parts_.signature)), 401);
}

TEST_F(JwtAttack, UnknownAndPathLikeKeyIdsAreRefused) {
  for (const auto* kid : {"unknown-key-id", "../../../../etc/passwd", "/dev/null", "..%2f..%2fetc%2fpasswd"}) {
    auto header = parts_.header;
    header["kid"] = kid;
    EXPECT_EQ(status_with(attacker_token(header, parts_.claims)), 401) << kid;
  }
}

TEST_F(JwtAttack, KeyUrlsInTheHeaderAreNeverFetched) {
  // A listener the token points at; the server must never connect to it.
  asio::io_context io;
  asio::ip::tcp::acceptor trap(io, {asio::ip::make_address("127.0.0.1"), 0});
  trap.non_blocking(true);
  const auto url = "http://127.0.0.1:" + std::to_string(trap.local_endpoint().port()) + "/jwks.json";

  for (const auto* name : {"jku", "x5u"}) {
    auto header = parts_.header;
    header[name] = url;
    header["kid"] = "attacker-key";
    EXPECT_EQ(status_with(attacker_token(header, parts_.claims)), 401) << name;
  }
  // An embedded key (jwk) that would verify the attacker's signature.
  auto header = parts_.header;
  header["jwk"] = json::object{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", b64url(std::string(32, 'k'))}};
  EXPECT_EQ(status_with(attacker_token(header, parts_.claims)), 401);

  boost::system::error_code error;
  asio::ip::tcp::socket connection(io);
  trap.accept(connection, error);
  EXPECT_EQ(error, asio::error::would_block) << "the server connected to the jku/x5u address";
}

TEST_F(JwtAttack, WrongIssuerAudienceOrTypeIsRefused) {
  auto claims = parts_.claims;
  claims["iss"] = "https://evil.example";
  EXPECT_EQ(status_with(attacker_token(parts_.header, claims)), 401);
  EXPECT_EQ(status_with(join(parts_.header, claims, parts_.signature)), 401);
  claims = parts_.claims;
  claims["aud"] = "another-api";
  EXPECT_EQ(status_with(join(parts_.header, claims, parts_.signature)), 401);
  auto header = parts_.header;
  header["typ"] = "JWT";
  EXPECT_EQ(status_with(join(header, parts_.claims, parts_.signature)), 401);
}

TEST_F(JwtAttack, ARefreshTokenIsNotAnAccessToken) {
  EXPECT_EQ(status_with(session_.refresh_token), 401);
}

}  // namespace
}  // namespace orderly::testing
