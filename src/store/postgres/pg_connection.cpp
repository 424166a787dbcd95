#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "store/errors.hpp"
#include "store/postgres/pg_result.hpp"

namespace orderly::store::postgres {
namespace asio = boost::asio;
using Wait = asio::posix::descriptor_base::wait_type;

namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server running..."); logs want one.
std::string one_line(const char* text) {
  std::string line;
  for (const char* c = text; c != nullptr && *c != '\0'; ++c) {
    const bool space = *c == '\n' || *c == '\t' || *c == '\r';
    if (space && (line.empty() || line.back() == ' ')) continue;
    line += space ? ' ' : *c;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

// NOTICEs ("relation already exists, skipping") would go to stderr by default.
void on_notice(void*, const char* message) {
  core::log::debug("store.postgres_notice", {{"message", one_line(message)}});
}

}  // namespace

PgConnection::PgConnection(const asio::any_io_executor& loop, std::shared_ptr<const PgServer> server)
    : server_(std::move(server)), socket_(loop), timer_(loop) {}

PgConnection::~PgConnection() {
  close();
}

void PgConnection::close() {
  // Stop watching without closing: the descriptor is libpq's, and PQfinish closes it (once).
  if (socket_.is_open()) static_cast<void>(socket_.release());
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

asio::awaitable<std::unique_ptr<PgConnection>> PgConnection::open(std::shared_ptr<const PgServer> server,
                                                                  Deadline deadline) {
  const auto loop = co_await asio::this_coro::executor;
  std::unique_ptr<PgConnection> connection(new PgConnection(loop, std::move(server)));
  co_await connection->connect(deadline);
  co_return connection;
}

asio::awaitable<void> PgConnection::connect(Deadline deadline) {
  conn_ = PQconnectStartParams(server_->keywords(), server_->values(), 0);
  if (conn_ == nullptr) throw std::bad_alloc();
  PQsetNoticeProcessor(conn_, &on_notice, nullptr);
  if (PQstatus(conn_) == CONNECTION_BAD) lose("connecting");
  // As libpq's documentation says: start as if PQconnectPoll had asked for
  // writability. Each turn waits for the socket, and wait() throws once
  // `deadline` has passed, so the loop is bounded in time.
  auto state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) lose("connecting");
    watch_socket();  // the socket may change between polls (another address of the host)
    co_await wait(state == PGRES_POLLING_READING ? Wait::wait_read : Wait::wait_write, deadline, "connecting");
    state = PQconnectPoll(conn_);
  }
  watch_socket();
  if (PQsetnonblocking(conn_, 1) != 0) lose("switching to non-blocking mode");
}

void PgConnection::watch_socket() {
  if (socket_.is_open()) static_cast<void>(socket_.release());
  const int fd = PQsocket(conn_);
  if (fd < 0) lose("connecting");
  boost::system::error_code ec;
  socket_.assign(fd, ec);
  if (ec) {
    lost_ = true;
    throw StoreUnavailable("postgres " + address() + ": cannot watch the socket: " + ec.message());
  }
}

asio::awaitable<void> PgConnection::wait(Wait type, Deadline deadline, std::string_view what) {
  timer_.expires_at(deadline);
  // Whichever finishes first cancels the other; both have finished when this resumes.
  const auto [order, socket_error, timer_error] =
      co_await asio::experimental::make_parallel_group(socket_.async_wait(type, asio::deferred),
                                                       timer_.async_wait(asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  if (order[0] == 1) {
    lost_ = true;
    throw StoreUnavailable("postgres " + address() + ": " + std::string(what) +
                           ": no answer in time; connection dropped");
  }
  if (socket_error) {
    lost_ = true;
    throw StoreUnavailable("postgres " + address() + ": " + std::string(what) + ": " + socket_error.message());
  }
}

void PgConnection::lose(std::string_view what) {
  lost_ = true;
  const std::string reason = conn_ != nullptr ? one_line(PQerrorMessage(conn_)) : "no connection";
  throw StoreUnavailable("postgres " + address() + ": " + std::string(what) + ": " +
                         (reason.empty() ? "connection lost" : reason));
}

void PgConnection::start(std::string_view what) {
  if (in_flight_) throw std::logic_error("one statement at a time per connection (" + std::string(what) + ")");
  if (lost_ || conn_ == nullptr) {
    throw StoreUnavailable("postgres " + address() + ": " + std::string(what) + ": connection lost");
  }
  in_flight_ = true;  // cleared by collect() once the whole answer is read
}

asio::awaitable<void> PgConnection::flush(Deadline deadline, std::string_view what) {
  // Bounded by `deadline`: every turn that does not finish waits on the socket.
  while (true) {
    const int pending = PQflush(conn_);
    if (pending == 0) co_return;
    if (pending < 0) lose(what);
    co_await wait(Wait::wait_write, deadline, what);
    // The server may be answering already; reading keeps it from blocking on us.
    if (PQconsumeInput(conn_) == 0) lose(what);
  }
}

asio::awaitable<std::vector<PgConnection::Reply>> PgConnection::collect(std::string_view what, Deadline deadline) {
  std::vector<Reply> replies;
  ResultPtr error;
  // One turn per result of the answer (finite); reading is bounded by `deadline`.
  while (true) {
    while (PQisBusy(conn_) != 0) {
      co_await wait(Wait::wait_read, deadline, what);
      if (PQconsumeInput(conn_) == 0) lose(what);
    }
    ResultPtr result(PQgetResult(conn_));
    if (!result) break;
    switch (PQresultStatus(result.get())) {
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
        replies.push_back({command_of(result.get()), to_result(result.get())});
        break;
      case PGRES_EMPTY_QUERY:
        break;
      case PGRES_FATAL_ERROR:
        if (!error) error = std::move(result);
        break;
      default:  // COPY and the like: this connection cannot follow the protocol any further
        lose(std::string(what) + ": unsupported result " + PQresStatus(PQresultStatus(result.get())));
    }
  }
  in_flight_ = false;
  if (PQstatus(conn_) != CONNECTION_OK) lost_ = true;
  if (error) throw_error(error.get(), what);
  if (lost_) lose(what);
  co_return replies;
}

asio::awaitable<Result> PgConnection::run(Statement statement, const Params& params, Deadline deadline) {
  const std::string name(statement.name);
  const EncodedParams encoded(params, name);  // may refuse a parameter: before anything is sent
  start(name);
  if (!prepared_.contains(name)) {
    const std::string sql(statement.text(Dialect::postgres));
    if (PQsendPrepare(conn_, name.c_str(), sql.c_str(), 0, nullptr) == 0) lose(name);
    co_await flush(deadline, name);
    [[maybe_unused]] const auto prepared = co_await collect(name, deadline);  // throws when the SQL does not prepare
    prepared_.insert(name);
    in_flight_ = true;
  }
  if (PQsendQueryPrepared(conn_, name.c_str(), encoded.count(), encoded.values(), encoded.lengths(), encoded.formats(),
                          0) == 0) {
    lose(name);
  }
  co_await flush(deadline, name);
  auto replies = co_await collect(name, deadline);
  if (replies.empty()) throw StoreError(name + ": the server sent no result");
  co_return std::move(replies.back().result);
}

asio::awaitable<std::vector<PgConnection::Reply>> PgConnection::run_script(std::string sql, Deadline deadline) {
  constexpr std::string_view kWhat = "script";
  start(kWhat);
  if (PQsendQuery(conn_, sql.c_str()) == 0) lose(kWhat);
  co_await flush(deadline, kWhat);
  auto replies = co_await collect(kWhat, deadline);
  co_return replies;
}

bool PgConnection::reusable() {
  if (lost_ || in_flight_ || conn_ == nullptr || PQtransactionStatus(conn_) != PQTRANS_IDLE) return false;
  // An idle connection has nothing to read. A server that closed it
  // (restart, idle timeout, pg_terminate_backend) sent a FATAL message, which
  // libpq takes as a notice, then end of file. A few rounds read both.
  for (int round = 0; round < 4; ++round) {
    char byte = 0;
    const auto peeked = ::recv(PQsocket(conn_), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (peeked <= 0 || PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) break;
  }
  lost_ = true;
  return false;
}

bool PgConnection::in_transaction() const {
  const auto status = conn_ != nullptr ? PQtransactionStatus(conn_) : PQTRANS_UNKNOWN;
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

}  // namespace orderly::store::postgres
