// The JWT attack suite at the verifier (each case must fail for the named
// reason), with time driven through core::ManualClock. The same attacks
// against the running server are in tests/e2e/jwt_attack_test.cpp.
#include "auth/token_verifier.hpp"

#include <sodium.h>

#include <limits>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "auth/jwks.hpp"
#include "auth/sodium_primitives.hpp"
#include "core/manual_clock.hpp"

namespace orderly::auth {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::string_view kKid = "test-key-1";

// One Ed25519 key pair that the verifier knows by kKid.
class TestKeys final : public KeySource {
 public:
  TestKeys() {
    ensure_sodium();
    crypto_sign_keypair(key_.public_key.data(), secret_);
    key_.kid = kKid;
  }
  [[nodiscard]] std::optional<VerificationKey> find(std::string_view kid) const override {
    return kid == key_.kid ? std::optional(key_) : std::nullopt;
  }
  [[nodiscard]] std::string sign(std::string_view input) const {
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                         secret_);
    return base64url_encode(std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
  }
  [[nodiscard]] const VerificationKey& key() const { return key_; }

 private:
  VerificationKey key_;
  unsigned char secret_[crypto_sign_SECRETKEYBYTES]{};
};

class TokenVerifierTest : public ::testing::Test {
 protected:
  TokenVerifierTest() : verifier_(keys_, clock_, {"orderly", "orderly-api", 30s}) {}

  [[nodiscard]] std::int64_t now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
  }
  [[nodiscard]] json::object header() const { return {{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", kKid}}; }
  [[nodiscard]] json::object claims() const {
    return {{"iss", "orderly"}, {"aud", "orderly-api"}, {"sub", "usr_1"},     {"iat", now()},
            {"nbf", now()},     {"exp", now() + 900},   {"jti", "token-1"}, {"roles", json::array{"customer"}}};
  }
  [[nodiscard]] std::string token(const json::object& head, const json::object& body) const {
    const auto input = base64url_encode(json::serialize(head)) + "." + base64url_encode(json::serialize(body));
    return input + "." + keys_.sign(input);
  }
  void expect_failure(const std::string& attack, TokenFailure expected) {
    try {
      (void)verifier_.verify(attack);
      ADD_FAILURE() << "accepted: " << attack;
    } catch (const TokenError& error) {
      EXPECT_EQ(error.failure(), expected) << "refused for another reason: " << error.what();
    }
  }

  TestKeys keys_;
  core::ManualClock clock_;
  TokenVerifier verifier_;
};

TEST_F(TokenVerifierTest, AcceptsAWellFormedTokenAndReadsItsClaims) {
  const auto claims = verifier_.verify(token(header(), this->claims()));
  EXPECT_EQ(claims.subject, "usr_1");
  EXPECT_EQ(claims.roles, std::vector<std::string>{"customer"});
  EXPECT_EQ(claims.key_id, kKid);
  EXPECT_EQ(claims.token_id, "token-1");
}

TEST_F(TokenVerifierTest, RefusesAlgNoneInAnyCapitalisation) {
  for (const auto* alg : {"none", "None", "NONE", "nOnE"}) {
    auto head = header();
    head["alg"] = alg;
    const auto unsigned_token =
        base64url_encode(json::serialize(head)) + "." + base64url_encode(json::serialize(claims())) + ".";
    expect_failure(unsigned_token, TokenFailure::unsupported_algorithm);
  }
}

TEST_F(TokenVerifierTest, RefusesAnEmptySignature) {
  const auto valid = token(header(), claims());
  expect_failure(valid.substr(0, valid.rfind('.') + 1), TokenFailure::bad_signature);
}

TEST_F(TokenVerifierTest, RefusesHs256SignedWithThePublicKey) {
  // Key confusion: a verifier that trusted `alg` would check an HMAC keyed
  // with the (public) verification key, which any attacker can compute.
  auto head = header();
  head["alg"] = "HS256";
  const auto input = base64url_encode(json::serialize(head)) + "." + base64url_encode(json::serialize(claims()));
  for (const auto& secret : {std::string(reinterpret_cast<const char*>(keys_.key().public_key.data()), 32),
                             render_jwks({keys_.key()})}) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    crypto_auth_hmacsha256_final(&state, mac);
    expect_failure(input + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac)),
                   TokenFailure::unsupported_algorithm);
  }
}

TEST_F(TokenVerifierTest, RefusesATamperedPayloadWithTheOriginalSignature) {
  const auto valid = token(header(), claims());
  auto promoted = claims();
  promoted["roles"] = json::array{"customer", "admin"};
  const auto first_dot = valid.find('.');
  const auto last_dot = valid.rfind('.');
  const auto tampered =
      valid.substr(0, first_dot + 1) + base64url_encode(json::serialize(promoted)) + valid.substr(last_dot);
  expect_failure(tampered, TokenFailure::bad_signature);
}

TEST_F(TokenVerifierTest, RefusesUnknownAndPathLikeKeyIds) {
  for (const auto* kid : {"another-key", "../../../../etc/passwd", "/dev/null", "key' OR '1'='1", ""}) {
    auto head = header();
    head["kid"] = kid;
    expect_failure(token(head, claims()), TokenFailure::unknown_key);
  }
  auto no_kid = header();
  no_kid.erase("kid");
  expect_failure(token(no_kid, claims()), TokenFailure::unknown_key);
}

TEST_F(TokenVerifierTest, RefusesKeyUrlsAndEmbeddedKeysInTheHeader) {
  for (const auto* name : {"jku", "x5u"}) {
    auto head = header();
    head[name] = "http://127.0.0.1:9/keys";
    expect_failure(token(head, claims()), TokenFailure::forbidden_header);
  }
  auto embedded = header();
  embedded["jwk"] = json::parse(render_jwks({keys_.key()})).at("keys").at(0);
  expect_failure(token(embedded, claims()), TokenFailure::forbidden_header);
}

TEST_F(TokenVerifierTest, RefusesWrongIssuerAudienceAndType) {
  auto wrong_issuer = claims();
  wrong_issuer["iss"] = "https://evil.example";
  expect_failure(token(header(), wrong_issuer), TokenFailure::wrong_issuer);

  auto wrong_audience = claims();
  wrong_audience["aud"] = json::array{"another-api"};
  expect_failure(token(header(), wrong_audience), TokenFailure::wrong_audience);

  for (const auto* type : {"JWT", "refresh+jwt", ""}) {
    auto head = header();
    head["typ"] = type;
    expect_failure(token(head, claims()), TokenFailure::wrong_type);
  }
}

TEST_F(TokenVerifierTest, AcceptsExpiryAndNotBeforeWithinTheLeewayOnly) {
  const auto valid = token(header(), claims());
  clock_.advance(900s + 30s);
  EXPECT_NO_THROW((void)verifier_.verify(valid)) << "exactly at exp + leeway is still accepted";
  clock_.advance(1s);
  expect_failure(valid, TokenFailure::expired);

  auto future = claims();
  future["nbf"] = now() + 31;
  future["exp"] = now() + 900;
  expect_failure(token(header(), future), TokenFailure::not_yet_valid);
  future["nbf"] = now() + 30;
  EXPECT_NO_THROW((void)verifier_.verify(token(header(), future)));
}

TEST_F(TokenVerifierTest, RefusesGarbage) {
  for (const auto* garbage : {"", "a", "a.b", "a.b.c.d", "!!!.@@@.###", "e30.e30.", "bnVsbA.bnVsbA.AA"}) {
    EXPECT_THROW((void)verifier_.verify(garbage), TokenError) << garbage;
  }
  EXPECT_THROW((void)verifier_.verify(std::string(10'000, 'a')), TokenError);
}

// Fuzzing edge (issue 18): a signed exp of 1e300 went through an undefined
// double-to-int64 cast; huge and negative times are malformed now.
TEST_F(TokenVerifierTest, RefusesTimesOutsideTheNumericDateRange) {
  for (const json::value& bad : {json::value(1e300), json::value(-1e300), json::value(9.3e18),
                                 json::value(std::numeric_limits<std::int64_t>::max()),
                                 json::value(std::numeric_limits<std::uint64_t>::max()), json::value(-1)}) {
    auto body = claims();
    body["exp"] = bad;
    expect_failure(token(header(), body), TokenFailure::malformed);
    body = claims();
    body["nbf"] = bad;
    expect_failure(token(header(), body), TokenFailure::malformed);
  }
  // Past 2262 a time no longer fits system_clock's nanoseconds (found by the
  // jwt fuzz target: fuzz/regressions/jwt/exp-year-2285).
  for (const json::value& far : {json::value(9'961'999'100), json::value(7'258'118'400), json::value(9.3e9)}) {
    auto body = claims();
    body["exp"] = far;
    expect_failure(token(header(), body), TokenFailure::malformed);
    body = claims();
    body["iat"] = far;
    expect_failure(token(header(), body), TokenFailure::malformed);
  }
  auto body = claims();
  body["exp"] = static_cast<double>(now() + 900);
  EXPECT_NO_THROW((void)verifier_.verify(token(header(), body))) << "a NumericDate may be a double";
}

TEST(Jwks, RoundTripsEd25519KeysAndSkipsOthers) {
  TestKeys keys;
  const auto parsed = parse_jwks(render_jwks({keys.key()}));
  ASSERT_EQ(parsed.size(), 1U);
  EXPECT_EQ(parsed[0].kid, kKid);
  EXPECT_EQ(parsed[0].public_key, keys.key().public_key);
  EXPECT_TRUE(parse_jwks(R"({"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]})").empty());
  EXPECT_THROW((void)parse_jwks("[]"), std::invalid_argument);
}

}  // namespace
}  // namespace orderly::auth
