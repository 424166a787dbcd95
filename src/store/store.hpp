#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "store/errors.hpp"
#include "store/row.hpp"
#include "store/statement.hpp"
#include "store/value.hpp"

namespace orderly::store {

// Identifies a committed write, so a later read can insist on seeing it
// (read-your-writes on replicas). PostgreSQL: the commit's WAL position;
// SQLite: empty (every read sees every commit).
struct CommitToken {
  std::string position;
};

struct ReadOptions {
  bool allow_replica = true;             // false: always the primary
  std::optional<CommitToken> at_least = {};  // a replica is used only once it has replayed this
};

// The statements of one transaction, run in order on one connection.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual boost::asio::awaitable<Result> execute(const Statement& statement, Params params = {}) = 0;
  // Several statements without parameters (migrations only).
  virtual boost::asio::awaitable<void> execute_script(std::string_view sql) = 0;
};

// The database, as every module sees it: embedded (SQLite) or scale-out
// (PostgreSQL with replicas) behind one interface. Calls are made from event
// loops and never block them. Thread-safe.
class Store {
 public:
  using Body = std::function<boost::asio::awaitable<void>(Transaction&)>;

  virtual ~Store() = default;

  [[nodiscard]] virtual Dialect dialect() const = 0;

  // A read outside a transaction; may be served by a replica (see ReadOptions).
  virtual boost::asio::awaitable<Result> query(const Statement& statement, Params params = {},
                                               ReadOptions options = {}) = 0;

  // Runs `body` in one transaction on the primary and commits it; an
  // exception from `body` rolls it back and propagates. A SerializationFailure
  // restarts `body` from the beginning (a bounded number of times), so `body`
  // must only change state through `tx` and must be safe to run again.
  // Keep network calls out of `body`: it holds the write connection.
  virtual boost::asio::awaitable<CommitToken> transaction(Body body) = 0;

  // One statement in its own transaction.
  virtual boost::asio::awaitable<Result> execute(const Statement& statement, Params params = {}) = 0;
};

}  // namespace orderly::store
