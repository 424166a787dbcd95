#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "store/postgres/pg_server.hpp"
#include "store/row.hpp"
#include "store/statement.hpp"
#include "store/value.hpp"

struct pg_conn;  // libpq's PGconn: only pg_connection.cpp sees its definition

namespace orderly::store::postgres {

// One libpq connection in non-blocking mode, bound for its whole life to the
// event loop (executor) that opened it. libpq's socket is wrapped in a
// posix::stream_descriptor for readiness only: every wait is an async_wait on
// the loop's reactor, raced against a deadline timer, so nothing blocks the
// loop and no extra thread exists. libpq reads, writes and closes the socket
// (the descriptor is released before PQfinish).
//
// Not thread-safe: used by one coroutine at a time on its loop (a pool lease).
// One statement at a time: a second concurrent call throws std::logic_error.
//
// Failures: an error answer from the server is thrown as the matching
// StoreError (pg_result.hpp) and leaves the connection usable; a lost link,
// a missed deadline or a protocol surprise throws StoreUnavailable and marks
// the connection lost(), never to be reused.
class PgConnection {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  // The answer to one statement of a script.
  struct Reply {
    std::string command;  // the command tag: "COMMIT", "ROLLBACK", "SELECT 1"
    Result result;
  };

  // Connects to `server` (PQconnectStartParams, then PQconnectPoll driven by
  // socket readiness) on the calling coroutine's executor. Throws
  // StoreUnavailable when the server refuses, fails or the deadline passes.
  static boost::asio::awaitable<std::unique_ptr<PgConnection>> open(std::shared_ptr<const PgServer> server,
                                                                    Deadline deadline);

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs a named statement with the extended protocol: prepared on this
  // connection on first use of its name (PQsendPrepare), then executed with
  // `params` (PQsendQueryPrepared; text, Blob as binary).
  boost::asio::awaitable<Result> run(Statement statement, const Params& params, Deadline deadline);

  // Runs `sql` with the simple protocol: several statements, no parameters.
  // One reply per statement; throws the first error.
  boost::asio::awaitable<std::vector<Reply>> run_script(std::string sql, Deadline deadline);

  // True when the next caller may use it: not lost, nothing in flight, no
  // transaction open, and not closed by the server meanwhile (checked without
  // blocking).
  [[nodiscard]] bool reusable();
  [[nodiscard]] bool in_transaction() const;
  [[nodiscard]] bool lost() const { return lost_; }
  // Marks it lost (e.g. a ROLLBACK failed): its pool closes it instead of reusing it.
  void discard() { lost_ = true; }

  [[nodiscard]] const PgServer& server() const { return *server_; }
  [[nodiscard]] const std::string& address() const { return server_->address(); }

 private:
  PgConnection(const boost::asio::any_io_executor& loop, std::shared_ptr<const PgServer> server);

  boost::asio::awaitable<void> connect(Deadline deadline);
  void watch_socket();
  boost::asio::awaitable<void> wait(boost::asio::posix::descriptor_base::wait_type type, Deadline deadline,
                                    std::string_view what);
  boost::asio::awaitable<void> flush(Deadline deadline, std::string_view what);
  boost::asio::awaitable<std::vector<Reply>> collect(std::string_view what, Deadline deadline);
  void start(std::string_view what);
  [[noreturn]] void lose(std::string_view what);
  void close();

  std::shared_ptr<const PgServer> server_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer timer_;
  pg_conn* conn_ = nullptr;
  std::unordered_set<std::string> prepared_;  // statement names prepared on this connection
  bool in_flight_ = false;                    // a statement was sent and its answer not fully read
  bool lost_ = false;
};

}  // namespace orderly::store::postgres
