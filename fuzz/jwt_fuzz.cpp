// The access-token verifier (auth/token_verifier.cpp) on hostile tokens, in
// two shapes chosen by the first byte:
//   even: the rest is the token as sent (header, claims, signature lengths,
//         dots, base64url): it must fail with a TokenError, never otherwise;
//   odd:  the rest is "HEADER-JSON\nCLAIMS-JSON", which the target encodes and
//         signs with the key the verifier trusts, so the fuzzer reaches the
//         claim checks behind the signature (exp/nbf/iat such as 1e300, aud,
//         roles, ver). An accepted token must be unexpired at the clock.
// Both shapes also check base64url's round trip (sodium_primitives.cpp).
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sodium_primitives.hpp"
#include "auth/token_verifier.hpp"
#include "core/manual_clock.hpp"
#include "property.hpp"

namespace {

using namespace orderly;

class FuzzKeys final : public auth::KeySource {
 public:
  FuzzKeys() {
    auth::ensure_sodium();
    unsigned char seed[crypto_sign_SEEDBYTES] = {7};  // fixed: a finding must replay
    crypto_sign_seed_keypair(key_.public_key.data(), secret_, seed);
    key_.kid = "fuzz-key-1";
  }
  [[nodiscard]] std::optional<auth::VerificationKey> find(std::string_view kid) const override {
    return kid == key_.kid ? std::optional(key_) : std::nullopt;
  }
  [[nodiscard]] std::string sign(std::string_view input) const {
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                         secret_);
    return auth::base64url_encode(std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
  }

 private:
  auth::VerificationKey key_;
  unsigned char secret_[crypto_sign_SECRETKEYBYTES]{};
};

void check_base64url_round_trip(std::string_view bytes) {
  const auto encoded = auth::base64url_encode(bytes);
  const auto decoded = auth::base64url_decode(encoded);
  FUZZ_PROPERTY(decoded && *decoded == bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const FuzzKeys keys;
  static const core::ManualClock clock;
  static const auth::TokenVerifier verifier(keys, clock, {"orderly", "orderly-api", std::chrono::seconds(30)});
  if (size == 0) return 0;
  const bool sign = (data[0] & 1) != 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  check_base64url_round_trip(rest);

  std::string token;
  if (sign) {
    const auto newline = rest.find('\n');
    const auto header = rest.substr(0, newline);
    const auto claims = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    token = auth::base64url_encode(header) + "." + auth::base64url_encode(claims);
    token += "." + keys.sign(token);
  } else {
    token = std::string(rest);
  }
  try {
    const auto claims = verifier.verify(token);
    FUZZ_PROPERTY(sign && !claims.subject.empty());  // nobody can forge our signature
    FUZZ_PROPERTY(claims.expires_at + std::chrono::seconds(30) >= clock.now());
  } catch (const auth::TokenError&) {
  }
  return 0;
}
