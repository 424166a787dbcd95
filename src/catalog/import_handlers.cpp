#include "catalog/import_handlers.hpp"

#include <variant>

#include <boost/json/serialize.hpp>

#include "auth/access.hpp"
#include "catalog/catalog_problems.hpp"
#include "catalog/product_csv.hpp"
#include "core/ids.hpp"
#include "core/logging.hpp"

namespace orderly::catalog {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::size_t kJobIdBytes = 12;

}  // namespace

asio::awaitable<net::Response> ImportHandlers::start_import(net::RequestContext& context, net::Request& request) {
  const auto header = check_product_csv_header(request.body);
  if (const auto* problem = std::get_if<std::string>(&header)) throw problems::invalid_field("body", *problem);

  const auto job_id = core::random_hex(random_, kJobIdBytes);
  const auto created_by = auth::caller(context).user_id;
  queue::Message message{"",  // filled in by the outbox
                         std::string(kBulkQueue),
                         std::string(kImportMessageType),
                         1,
                         json::serialize(json::object{{"job_id", job_id}}),
                         context.trace.traceparent(),
                         ""};
  auto& body = request.body;
  co_await store_.transaction([&](store::Transaction& tx) -> asio::awaitable<void> {
    co_await jobs_.create(tx, job_id, body, created_by);
    co_await outbox_.write(tx, message);
  });
  core::log::info("catalog.import_queued",
                  {{"job_id", job_id}, {"bytes", request.body.size()}, {"request_id", context.request_id}});
  auto response = net::Response::json(202, json::serialize(json::object{{"job_id", job_id}}));
  response.headers.set("Location", "/api/v1/jobs/" + job_id);
  co_return response;
}

asio::awaitable<net::Response> ImportHandlers::get_job(net::RequestContext& context, net::Request&) {
  const auto id = context.param("id");
  std::string job_id(id.value_or(""));
  auto job = co_await jobs_.find(std::move(job_id));
  if (!job) throw problems::job_not_found();
  co_return net::Response::json(200, json::serialize(job_to_json(*job)));
}

}  // namespace orderly::catalog
