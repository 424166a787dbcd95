#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "cache/cache.hpp"
#include "cache/single_flight.hpp"

namespace orderly::cache {

// Cache-aside read: the cached value if there is one, else `load` (run once
// per key however many callers miss at the same moment), stored for `ttl`.
// Writers keep the cache right by erasing the key after they commit
// (invalidation), so a reader never keeps a stale value longer than `ttl`.
boost::asio::awaitable<std::string> get_or_load(Cache& cache, SingleFlight& flights, std::string key,
                                                std::chrono::milliseconds ttl, SingleFlight::Loader load);

}  // namespace orderly::cache
