#pragma once

#include <memory>
#include <vector>

#include <boost/asio/post.hpp>

namespace orderly::net {

// Closes connection pools that live on event loops (one per loop, held by an
// Asio service of that loop's io_context: RedisLoopService, PgLoopService).
// A pool may only be touched from its own loop, so each close is posted
// there. A pool whose io_context is already gone died with it and is
// skipped; if its loop never runs again, the posted closure is destroyed
// with the io_context, and the pool with it.
//
// `Service` must offer erase(key); `Pool` must offer loop(), close() and the
// key accessor passed in.
template <class Service, class Pool, class Key>
void close_pools_on_their_loops(const std::vector<std::weak_ptr<Pool>>& pools, Key (Pool::*key_of)() const) {
  for (const auto& known : pools) {
    auto pool = known.lock();
    if (!pool) continue;
    auto loop = pool->loop();
    boost::asio::post(loop, [pool = std::move(pool), loop, key_of] {
      pool->close();
      boost::asio::use_service<Service>(boost::asio::query(loop, boost::asio::execution::context))
          .erase(((*pool).*key_of)());
    });
  }
}

}  // namespace orderly::net
