#pragma once

#include <memory>
#include <optional>

#include "app/component.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/metrics.hpp"
#include "core/random.hpp"
#include "net/http_client.hpp"
#include "net/router.hpp"
#include "payments/api/payments_client.hpp"
#include "payments/payment_provider.hpp"
#include "payments/simulated_provider.hpp"
#include "payments/store_card_vault.hpp"
#include "resilience/circuit_breaker.hpp"
#include "resilience/retry_budget.hpp"
#include "store/store.hpp"

namespace orderly::app {

// The remote provider's client and the state its resilience keeps.
struct RemoteProviderParts {
  std::unique_ptr<net::HttpClient> client;
  std::unique_ptr<resilience::CircuitBreaker> breaker;
  std::unique_ptr<resilience::RetryBudget> budget;
};

// The payments module as the rest of the process uses it. Destroy it after
// the server has drained (no call in flight).
struct PaymentsModule {
  std::shared_ptr<payments::StoreCardVault> vault;         // the CardVault the checkout reveals cards from
  std::shared_ptr<payments::SimulatedProvider> simulator;  // the in-process provider (null when remote)
  std::shared_ptr<payments::PaymentProvider> provider;     // what the checkout calls: timeouts applied
  std::shared_ptr<RemoteProviderParts> remote;             // payments.provider set: client, breaker, budget
  std::shared_ptr<payments::PaymentsClient> service;       // what orders calls: the vault and provider behind it
};

// Reads the card vault's key ring (ORDERLY_VAULT_KEYS, else
// payments.vault_key_file, created with one fresh key on first start), builds
// the vault and the provider (the in-process simulator behind a
// ResilientProvider, or HttpPaymentProvider to payments.provider). Throws
// StartupError when the keys cannot be used (missing, malformed, readable
// by others) or the simulator's journal cannot be opened (corrupt, held by
// another process). Everything passed in must outlive the module.
[[nodiscard]] PaymentsModule wire_payments(const core::Config& config, store::Store& store, const core::Clock& clock,
                                           core::Random& random, core::metrics::Registry& metrics);

// The payments service in a process: the payment-method routes of API.md
// and, on the internal API, what orders calls (authorize, capture, void,
// refund, has_method).
class PaymentsComponent final : public Component {
 public:
  PaymentsComponent(PaymentsModule module, const core::Clock& clock) : module_(std::move(module)), clock_(clock) {}
  [[nodiscard]] std::string_view name() const override { return "payments"; }
  void add_routes(Routes& routes) override;
  // What the orders module calls in-process (embedded mode).
  [[nodiscard]] payments::PaymentsClient& service() { return *module_.service; }

 private:
  PaymentsModule module_;
  const core::Clock& clock_;
};

// An HttpPaymentProvider to the `orderly provider-sim` at `address`, with
// payments.provider_timeout per try, provider_attempts tries and the
// provider's circuit breaker; `parts` receives what it needs kept alive.
[[nodiscard]] std::shared_ptr<payments::PaymentProvider> remote_provider(
    const core::Config& config, const core::HostPort& address, const core::Clock& clock, core::Random& random,
    core::metrics::Registry& metrics, std::shared_ptr<RemoteProviderParts>& parts);

// `orderly vault rotate`: adds a key to the key file, re-encrypts every card
// under it with a progress line, removes keys no card uses, prints counts.
// With ORDERLY_VAULT_KEYS the ring cannot be written: the operator adds the
// new key (last) to the variable, and this re-encrypts under it and names
// the keys that can be dropped. Returns the exit code.
int vault_rotate(const core::Config& config);

// `orderly provider-sim --listen HOST:PORT`: the simulated payment provider
// over HTTP until SIGTERM or SIGINT. Returns the exit code.
int provider_sim(const core::Config& config, const core::HostPort& listen);

}  // namespace orderly::app
