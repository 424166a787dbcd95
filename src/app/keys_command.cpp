#include "app/keys_command.hpp"

#include <iostream>

#include "app/auth_wiring.hpp"
#include "app/store_setup.hpp"
#include "auth/key_ring.hpp"
#include "core/run_sync.hpp"

namespace orderly::app {
namespace {

// Opens the store (migrated) and the key ring; the sealing key must exist:
// a command that made a new one would seal keys no server can open.
template <class Work>
int with_key_ring(const core::Config& config, Work work) {
  core::metrics::Registry metrics;
  core::SystemClock clock;
  try {
    const auto store = open_migrated_store(config, metrics);
    auth::KeyRing keys(*store, load_auth_sealing_key(config, false), clock);
    core::run_sync(keys.load());
    return work(keys);
  } catch (const std::exception& error) {
    std::cerr << "orderly: keys: " << error.what() << "\n";
    return 1;
  }
}

}  // namespace

int rotate_signing_keys(const core::Config& config) {
  return with_key_ring(config, [&](auth::KeyRing& keys) {
    const auto previous = keys.signing_key().kid;
    const auto overlap =
        std::chrono::duration_cast<std::chrono::seconds>(config.auth.access_token_ttl + config.auth.leeway);
    const auto kid = core::run_sync(keys.rotate(overlap));
    std::cout << "keys: new signing key " << kid << "; " << previous << " keeps verifying for " << overlap.count()
              << " s\n";
    return 0;
  });
}

int list_signing_keys(const core::Config& config) {
  return with_key_ring(config, [](auth::KeyRing& keys) {
    const auto signing = keys.signing_key().kid;
    for (const auto& key : keys.verification_keys()) {
      std::cout << key.kid << (key.kid == signing ? "  signing" : "  verifying") << "\n";
    }
    return 0;
  });
}

}  // namespace orderly::app
