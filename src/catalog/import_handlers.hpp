#pragma once

#include <boost/asio/awaitable.hpp>

#include "catalog/import_jobs.hpp"
#include "catalog/product_repository.hpp"
#include "core/random.hpp"
#include "net/http_message.hpp"
#include "net/request_context.hpp"
#include "queue/event_outbox.hpp"
#include "store/store.hpp"

namespace orderly::catalog {

// POST /api/v1/products/import and GET /api/v1/jobs/{id}. The POST checks the
// CSV's header row (422 when it cannot be imported at all), then stores the
// job and its catalog.import message (queue "bulk") in one transaction, so a
// job exists if and only if the bulk worker will run it; 202 {job_id} with
// Location. Admin only (catalog_routes.hpp). Thread-safe.
class ImportHandlers {
 public:
  ImportHandlers(store::Store& store, ImportJobs& jobs, queue::EventOutbox& outbox, core::Random& random)
      : store_(store), jobs_(jobs), outbox_(outbox), random_(random) {}

  boost::asio::awaitable<net::Response> start_import(net::RequestContext& context, net::Request& request);
  // {id, type, status, total, processed, imported, failed, errors:[{line, message}], ...}; 404.
  boost::asio::awaitable<net::Response> get_job(net::RequestContext& context, net::Request& request);

 private:
  store::Store& store_;
  ImportJobs& jobs_;
  queue::EventOutbox& outbox_;
  core::Random& random_;
};

}  // namespace orderly::catalog
