#include "app/payments_wiring.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "app/http_stack.hpp"
#include "app/process_runner.hpp"
#include "app/store_setup.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "core/run_sync.hpp"
#include "core/secure_random.hpp"
#include "net/http_client.hpp"
#include "payments/http_payment_provider.hpp"
#include "payments/internal_payment_routes.hpp"
#include "payments/payment_method_routes.hpp"
#include "payments/provider_sim_routes.hpp"
#include "payments/payments_service.hpp"
#include "payments/resilient_provider.hpp"
#include "payments/vault_key_file.hpp"
#include "payments/vault_rotation.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/retry_budget.hpp"

namespace orderly::app {
namespace {

constexpr int kStartupError = 2;
constexpr int kRuntimeError = 1;
constexpr const char* kKeysVariable = "ORDERLY_VAULT_KEYS";

std::filesystem::path key_file_path(const core::Config& config) {
  if (!config.payments.vault_key_file.empty()) return config.payments.vault_key_file;
  return std::filesystem::path(config.data_dir) / "vault.keys";
}

// The key ring from the environment, when the variable is set.
std::optional<payments::VaultKeyRing> keys_from_environment() {
  const char* text = std::getenv(kKeysVariable);
  if (text == nullptr || *text == '\0') return std::nullopt;
  return payments::VaultKeyRing::parse(text, std::string("environment ") + kKeysVariable);
}

std::shared_ptr<payments::VaultKeys> open_vault_keys(const core::Config& config, const core::Clock& clock) {
  if (auto ring = keys_from_environment()) {
    core::log::info("vault.keys_loaded", {{"source", kKeysVariable}, {"current_key", ring->current().id}});
    return std::make_shared<payments::VaultKeys>(std::move(*ring), payments::VaultKeys::Reload{}, clock,
                                                 config.payments.vault_key_recheck);
  }
  const auto path = key_file_path(config);
  auto ring = payments::read_or_create_key_file(path);
  core::log::info("vault.keys_loaded", {{"source", path.string()}, {"current_key", ring.current().id}});
  return std::make_shared<payments::VaultKeys>(std::move(ring), payments::key_file_reload(path), clock,
                                               config.payments.vault_key_recheck);
}

payments::SimulatorOptions simulator_options(const core::Config& config) {
  payments::SimulatorOptions options{config.payments.simulator_slow_answer,
                                     config.payments.simulator_transient_failures, {}};
  const auto& journal = config.payments.simulator_journal;
  if (journal.empty()) {
    options.journal = std::filesystem::path(config.data_dir) / "provider-sim" / "ledger.jsonl";
  } else if (journal != "off") {
    options.journal = journal;
  }
  return options;
}

std::string key_counts(const std::vector<std::pair<std::string, std::int64_t>>& counts) {
  std::string text;
  for (const auto& [key_id, cards] : counts) text += (text.empty() ? "" : ", ") + key_id + "=" + std::to_string(cards);
  return text.empty() ? "none" : text;
}

}  // namespace

std::shared_ptr<payments::PaymentProvider> remote_provider(const core::Config& config, const core::HostPort& address,
                                                           const core::Clock& clock, core::Random& random,
                                                           core::metrics::Registry& metrics,
                                                           std::shared_ptr<RemoteProviderParts>& parts) {
  parts = std::make_shared<RemoteProviderParts>();
  parts->client = std::make_unique<net::HttpClient>(net::HttpClientSettings{}, clock);
  resilience::CircuitBreakerOptions breaker_options;
  breaker_options.consecutive_failures = config.payments.provider_breaker_failures;
  breaker_options.cool_down = config.payments.provider_breaker_cool_down;
  parts->breaker = std::make_unique<resilience::CircuitBreaker>("payment_provider", breaker_options, clock, metrics);
  parts->budget = std::make_unique<resilience::RetryBudget>("payment_provider", resilience::RetryBudgetOptions{},
                                                            clock, metrics);
  payments::ProviderTransport transport = [client = parts->client.get(), address](
                                              net::Request request, std::chrono::milliseconds timeout) {
    return client->send(address, std::move(request), timeout);
  };
  payments::HttpProviderOptions options;
  options.timeout = config.payments.provider_timeout;
  options.retry.max_attempts = config.payments.provider_attempts;
  return std::make_shared<payments::HttpPaymentProvider>(std::move(transport), options, *parts->breaker,
                                                         *parts->budget, random);
}

PaymentsModule wire_payments(const core::Config& config, store::Store& store, const core::Clock& clock,
                             core::Random& random, core::metrics::Registry& metrics) {
  std::shared_ptr<payments::VaultKeys> keys;
  try {
    keys = open_vault_keys(config, clock);
  } catch (const payments::VaultKeyError& error) {
    throw StartupError(error.what());
  }
  PaymentsModule module;
  module.vault = std::make_shared<payments::StoreCardVault>(store, std::move(keys), clock, random);
  if (config.payments.provider.empty()) {
    try {
      module.simulator = std::make_shared<payments::SimulatedProvider>(simulator_options(config), random);
    } catch (const payments::JournalError& error) {
      throw StartupError(error.what());
    }
    module.provider =
        std::make_shared<payments::ResilientProvider>(module.simulator, config.payments.provider_timeout);
  } else {
    const auto address = core::HostPort::parse(config.payments.provider);  // checked by the config loader
    module.provider = remote_provider(config, address, clock, random, metrics, module.remote);
    core::log::info("payments.remote_provider", {{"provider", address.to_string()}});
  }
  module.service = std::make_shared<payments::PaymentsService>(*module.vault, *module.provider);
  return module;
}

void PaymentsComponent::add_routes(Routes& routes) {
  payments::add_payment_method_routes(routes.public_api, *module_.vault, clock_);
  payments::add_internal_payment_routes(routes.internal, *module_.service);
}

int vault_rotate(const core::Config& config) {
  core::metrics::Registry metrics;
  std::unique_ptr<store::Store> store;
  try {
    store = open_migrated_store(config, metrics);
  } catch (const store::StoreError& error) {
    std::cerr << "orderly: vault rotate: store " << store_description(config) << ": " << error.what() << "\n";
    return kRuntimeError;
  }
  const auto progress = [](std::int64_t done, std::int64_t total) {
    std::cout << "vault rotate: " << done << "/" << total << " cards\n" << std::flush;
  };
  const auto batch = config.payments.rotate_batch_size;
  try {
    if (auto ring = keys_from_environment()) {
      std::cout << "vault rotate: keys from " << kKeysVariable << "; re-encrypting under its last key "
                << ring->current().id << "\n";
      const auto report = core::run_sync(payments::reseal_cards(*store, *ring, batch, progress));
      std::cout << "vault rotate: " << report.resealed << " re-encrypted, " << report.unreadable
                << " unreadable; cards per key: " << key_counts(report.cards_per_key) << "\n";
      for (const auto& id : ring->ids()) {
        const bool used = std::any_of(report.cards_per_key.begin(), report.cards_per_key.end(),
                                      [&](const auto& entry) { return entry.first == id; });
        if (!used && id != ring->current().id) {
          std::cout << "vault rotate: key " << id << " is no longer used; remove it from " << kKeysVariable << "\n";
        }
      }
      return report.unreadable == 0 ? 0 : kRuntimeError;
    }
    const auto path = key_file_path(config);
    // Running servers look at the file every vault_key_recheck: give them
    // that long (and a second) to start sealing new cards under the new key.
    const auto settle = config.payments.vault_key_recheck + std::chrono::seconds(1);
    std::cout << "vault rotate: new key in " << path.string() << "; waiting " << settle.count()
              << " ms for running servers to load it\n"
              << std::flush;
    const auto report = core::run_sync(payments::rotate_key_file(*store, path, batch, settle, progress));
    std::cout << "vault rotate: current key " << report.current_key << "; " << report.resealed << " re-encrypted, "
              << report.unreadable << " unreadable, " << report.removed_keys.size()
              << " old keys removed; cards per key: " << key_counts(report.cards_per_key) << "\n";
    return report.unreadable == 0 ? 0 : kRuntimeError;
  } catch (const payments::VaultKeyError& error) {
    std::cerr << "orderly: vault rotate: " << error.what() << "\n";
    return kStartupError;
  } catch (const store::StoreError& error) {
    std::cerr << "orderly: vault rotate: store: " << error.what() << "\n";
    return kRuntimeError;
  }
}

int provider_sim(const core::Config& config, const core::HostPort& listen) {
  return run_role([&] {
    ProcessRunner runner(config, 0, "provider_sim");
    core::SecureRandom random;  // the provider's payment ids
    std::unique_ptr<payments::SimulatedProvider> simulator;
    try {
      simulator = std::make_unique<payments::SimulatedProvider>(simulator_options(config), random);
    } catch (const payments::JournalError& error) {
      throw StartupError(std::string("provider-sim: ") + error.what());
    }
    auto& provider = *simulator;
    payments::add_provider_sim_routes(runner.routes().public_api, provider);
    PublicPipeline pipeline(runner.routes().public_api, config, runner.metrics(), runner.clock(), runner.request_ids());
    try {
      runner.listen("listen", listen, pipeline.pipeline, true);
    } catch (const StartupError& error) {
      throw StartupError(std::string("provider-sim: ") + error.what());
    }
    runner.on_stopped([&provider](boost::json::object& stopped) {
      const auto counts = provider.counts();
      stopped["authorizations"] = counts.authorizations;
      stopped["captures"] = counts.captures;
      stopped["voids"] = counts.voids;
      stopped["refunds"] = counts.refunds;
    });
    return runner.run({});
  });
}

}  // namespace orderly::app
