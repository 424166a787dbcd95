// The JWT attack suite against the running server: each forged or misused
// token sent to a protected endpoint must get 401, and header parameters that
// point at keys elsewhere (jku, x5u) must never be fetched. The verifier's
// reason for each refusal (and exp/nbf with a driven clock) is checked in
// src/auth/token_verifier_test.cpp. Tokens with a wrong claim are signed with
// the server's own key (unsealed from its database with its key file, as an
// operator could), so only the claim check can refuse them.
#include <sodium.h>
#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "support/api_client.hpp"
#include "support/base64url.hpp"
#include "support/orderly_process.hpp"

namespace orderly::testing {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;

// A token's three parts, decoded.
struct Parts {
  json::object header;
  json::object claims;
  std::string signature;  // base64url, as sent
};

Parts split(const std::string& token) {
  const auto first = token.find('.');
  const auto last = token.rfind('.');
  return {json::parse(base64url_decode(token.substr(0, first))).as_object(),
          json::parse(base64url_decode(token.substr(first + 1, last - first - 1))).as_object(), token.substr(last + 1)};
}

std::string join(const json::object& header, const json::object& claims, std::string_view signature) {
  return base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims)) + "." +
         std::string(signature);
}

// An attacker's own Ed25519 key, to sign whatever they like.
std::string sign_with_attacker_key(const std::string& input) {
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                       secret_key);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
}

std::string hmac_sha256(std::string_view key, std::string_view input) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

// The server's current signing key, unsealed as auth::KeyRing does: the
// newest unretired row of signing_keys, XChaCha20-Poly1305 under the sealing
// key in <data>/auth.key with the kid as associated data.
struct ServerKey {
  std::string kid;
  std::string secret;  // Ed25519 secret key
};

std::string column_bytes(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement, column));
  return data == nullptr ? std::string()
                         : std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

ServerKey unseal_server_key(const std::string& data_dir) {
  std::ifstream key_file(data_dir + "/auth.key");
  std::string sealing_text{std::istreambuf_iterator<char>(key_file), std::istreambuf_iterator<char>()};
  while (!sealing_text.empty() && std::isspace(static_cast<unsigned char>(sealing_text.back())))
    sealing_text.pop_back();
  const auto sealing_key = base64url_decode(sealing_text);
  if (sealing_key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) throw std::runtime_error("bad auth.key");

  sqlite3* db = nullptr;
  if (sqlite3_open_v2((data_dir + "/orderly.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open orderly.db");
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT kid, sealed_secret, nonce FROM signing_keys WHERE verify_until_ms IS NULL"
                     " ORDER BY created_at_ms DESC, kid DESC LIMIT 1",
                     -1, &statement, nullptr);
  ServerKey key;
  std::string sealed;
  std::string nonce;
  if (statement != nullptr && sqlite3_step(statement) == SQLITE_ROW) {
    key.kid = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sealed = column_bytes(statement, 1);
    nonce = column_bytes(statement, 2);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  if (key.kid.empty() || sealed.size() != crypto_sign_SECRETKEYBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES ||
      nonce.size() != crypto_aead_xchacha20poly1305_ietf_NPUBBYTES) {
    throw std::runtime_error("no usable signing key in orderly.db");
  }
  key.secret.resize(crypto_sign_SECRETKEYBYTES);
  unsigned long long length = 0;
  const auto bytes = [](const std::string& text) { return reinterpret_cast<const unsigned char*>(text.data()); };
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(key.secret.data()), &length, nullptr,
                                                 bytes(sealed), sealed.size(), bytes(key.kid), key.kid.size(),
                                                 bytes(nonce), bytes(sealing_key)) != 0) {
    throw std::runtime_error("the signing key does not unseal with auth.key");
  }
  return key;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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
    const auto input = base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
    return input + "." + sign_with_attacker_key(input);
  }
  // Signs header+claims with the server's own current key: a valid signature the server trusts.
  std::string server_signed_token(const json::object& header, const json::object& claims) {
    const auto key = unseal_server_key(server_.data_dir() + "/data");
    auto with_kid = header;
    with_kid["kid"] = key.kid;
    const auto input = base64url_encode(json::serialize(with_kid)) + "." + base64url_encode(json::serialize(claims));
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                         reinterpret_cast<const unsigned char*>(key.secret.data()));
    return input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
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
  const auto input = base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(parts_.claims));
  // The raw key bytes, the x value as text, and the whole JWKS document: what
  // confused verifiers have been seen to use as the HMAC secret.
  for (const auto& secret :
       {base64url_decode(std::string(key.at("x").as_string())), std::string(key.at("x").as_string()), jwks.body}) {
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
  header["jwk"] = json::object{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(std::string(32, 'k'))}};
  EXPECT_EQ(status_with(attacker_token(header, parts_.claims)), 401);

  boost::system::error_code error;
  asio::ip::tcp::socket connection(io);
  trap.accept(connection, error);
  EXPECT_EQ(error, asio::error::would_block) << "the server connected to the jku/x5u address";
}

TEST_F(JwtAttack, WrongIssuerAudienceOrTypeSignedWithTheServersKeyIsRefused) {
  ASSERT_EQ(status_with(server_signed_token(parts_.header, parts_.claims)), 200)
      << "the test signs as the server does: a refusal below can only come from the claim";
  auto claims = parts_.claims;
  claims["iss"] = "https://evil.example";
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "iss";
  claims = parts_.claims;
  claims.erase("iss");
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "no iss";
  claims = parts_.claims;
  claims["aud"] = "another-api";
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "aud";
  claims["aud"] = json::array{"another-api", "yet-another"};
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "aud list";
  auto header = parts_.header;
  header["typ"] = "JWT";
  EXPECT_EQ(status_with(server_signed_token(header, parts_.claims)), 401) << "typ";
}

TEST_F(JwtAttack, ExpAndNbfBeyondTheLeewaySignedWithTheServersKeyAreRefused) {
  // auth.leeway is 30 s by default.
  const auto now = unix_now();
  auto claims = parts_.claims;
  claims["iat"] = now - 600;
  claims["exp"] = now - 10;
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 200) << "expired within the leeway";
  claims["exp"] = now - 120;
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "expired beyond the leeway";
  claims = parts_.claims;
  claims.erase("exp");
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "no exp";
  claims = parts_.claims;
  claims["nbf"] = now + 10;
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 200) << "not yet valid within the leeway";
  claims["nbf"] = now + 120;
  EXPECT_EQ(status_with(server_signed_token(parts_.header, claims)), 401) << "not yet valid beyond the leeway";
}

TEST_F(JwtAttack, WrongClaimsUnderTheOriginalSignatureAreRefused) {
  auto claims = parts_.claims;
  claims["iss"] = "https://evil.example";
  EXPECT_EQ(status_with(attacker_token(parts_.header, claims)), 401);
  EXPECT_EQ(status_with(join(parts_.header, claims, parts_.signature)), 401);
  claims = parts_.claims;
  claims["aud"] = "another-api";
  EXPECT_EQ(status_with(join(parts_.header, claims, parts_.signature)), 401);
}

TEST_F(JwtAttack, ARefreshTokenIsNotAnAccessToken) {
  EXPECT_EQ(status_with(session_.refresh_token), 401);
}

}  // namespace
}  // namespace orderly::testing
