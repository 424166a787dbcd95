// Access-token signing and verification on one core: the cost every
// authenticated request (and the gateway) pays. One Ed25519 verification
// dominates; JSON parsing and base64url decoding are the rest.
#include <benchmark/benchmark.h>

#include <sodium.h>

#include <stdexcept>

#include "auth/token_issuer.hpp"
#include "auth/token_verifier.hpp"
#include "core/clock.hpp"

namespace orderly::auth {
namespace {

class OneKey final : public KeySource {
 public:
  OneKey() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    secret_.resize(crypto_sign_SECRETKEYBYTES);
    crypto_sign_keypair(key_.public_key.data(), reinterpret_cast<unsigned char*>(secret_.data()));
    key_.kid = "bench-key";
  }
  [[nodiscard]] std::optional<VerificationKey> find(std::string_view kid) const override {
    return kid == key_.kid ? std::optional(key_) : std::nullopt;
  }
  // A token signed by this key, as TokenIssuer would make it.
  [[nodiscard]] std::string token(const core::Clock& clock) const;

 private:
  VerificationKey key_;
  std::string secret_;
};

std::string sign(const std::string& input, const std::string& secret) {
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()));
  std::string out(sodium_base64_ENCODED_LEN(sizeof signature, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), signature, sizeof signature, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return input + "." + out;
}

std::string OneKey::token(const core::Clock& clock) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  const std::string header = R"({"alg":"EdDSA","typ":"at+jwt","kid":"bench-key"})";
  const std::string claims = R"({"iss":"orderly","aud":"orderly-api","sub":"usr_0123456789abcdef01234567","iat":)" +
                             std::to_string(now) + R"(,"nbf":)" + std::to_string(now) + R"(,"exp":)" +
                             std::to_string(now + 900) + R"(,"jti":"Zm9vYmFyYmF6cXV4cXV1eA","roles":["customer"]})";
  auto encode = [](const std::string& text) {
    std::string out(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
  };
  return sign(encode(header) + "." + encode(claims), secret_);
}

void BM_VerifyAccessToken(benchmark::State& state) {
  OneKey keys;
  core::SystemClock clock;
  TokenVerifier verifier(keys, clock, {"orderly", "orderly-api", std::chrono::seconds(30)});
  const auto token = keys.token(clock);
  for (auto _ : state) benchmark::DoNotOptimize(verifier.verify(token));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyAccessToken);

}  // namespace
}  // namespace orderly::auth
