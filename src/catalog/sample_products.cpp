#include "catalog/sample_products.hpp"

#include <array>

#include "core/logging.hpp"
#include "core/time_format.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
using store::params;

constexpr store::Statement kMarkSeeded{
    "catalog.seed_mark", "INSERT INTO catalog_seed (id, seeded_at) VALUES (1, $1) ON CONFLICT DO NOTHING"};
constexpr store::Statement kInsertSample{
    "catalog.seed_insert",
    "INSERT INTO products (id, sku, name, description, price_amount, price_currency, stock, version, created_at,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) ON CONFLICT DO NOTHING"};

struct Sample {
  const char* sku;
  const char* name;
  const char* description;
  std::int64_t price;  // cents, USD
  std::int64_t stock;
};

constexpr std::array<Sample, 12> kSamples = {{
    {"MUG-BLUE", "Blue ceramic mug", "A 350 ml stoneware mug with a deep blue glaze. Dishwasher safe.", 1499, 120},
    {"MUG-WHITE", "White ceramic mug", "The same 350 ml stoneware mug in plain white.", 1299, 150},
    {"TEE-BLACK-M", "Black cotton t-shirt (M)", "Organic cotton, regular fit, medium.", 2200, 80},
    {"TEE-BLACK-L", "Black cotton t-shirt (L)", "Organic cotton, regular fit, large.", 2200, 60},
    {"HOODIE-GREY", "Grey hoodie", "Heavyweight fleece hoodie with a kangaroo pocket.", 5900, 40},
    {"CAP-NAVY", "Navy baseball cap", "Six-panel cotton twill cap with an adjustable strap.", 1900, 75},
    {"BOTTLE-STEEL", "Steel water bottle", "Double-walled, keeps drinks cold for 24 hours. 750 ml.", 2900, 90},
    {"NOTEBOOK-A5", "A5 dotted notebook", "192 pages of 100 gsm paper, lay-flat binding.", 1600, 200},
    {"PEN-GEL-3", "Gel pens, pack of 3", "Black, blue and red 0.5 mm gel pens.", 699, 300},
    {"TOTE-CANVAS", "Canvas tote bag", "Sturdy natural canvas tote with long handles.", 1800, 110},
    {"STICKERS-10", "Sticker pack", "Ten weatherproof vinyl stickers.", 499, 500},
    {"LAMP-DESK", "Desk lamp", "LED desk lamp with three brightness levels and a USB-C cable.", 4500, 5},
}};

}  // namespace

asio::awaitable<bool> seed_sample_products(store::Store& store, ProductRepository& products, const core::Clock& clock) {
  const auto now = core::format_rfc3339(clock.now());
  bool seeded = false;
  co_await store.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    seeded = false;
    const auto marked = co_await tx.execute(kMarkSeeded, params(now));
    if (marked.affected_rows == 0) co_return;  // seeded before
    for (const auto& sample : kSamples) {
      auto sample_params = params(products.new_id(), sample.sku, sample.name, sample.description, sample.price, "USD",
                                  sample.stock, now);
      co_await tx.execute(kInsertSample, std::move(sample_params));
    }
    seeded = true;
  });
  if (seeded) core::log::info("catalog.seeded", {{"products", kSamples.size()}});
  co_return seeded;
}

}  // namespace orderly::catalog
