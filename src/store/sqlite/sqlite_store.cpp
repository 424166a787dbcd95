#include "store/sqlite/sqlite_store.hpp"

#include <deque>
#include <mutex>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/logging.hpp"
#include "store/statement_metrics.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace orderly::store::sqlite {
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

constexpr Statement kBegin{"sqlite.begin", "BEGIN IMMEDIATE"};
constexpr Statement kCommit{"sqlite.commit", "COMMIT"};
constexpr Statement kRollback{"sqlite.rollback", "ROLLBACK"};

}  // namespace

struct SqliteStore::Impl {
  Impl(SqliteOptions opts, core::metrics::Registry& registry)
      : options(std::move(opts)),
        writer_thread(1),
        reader_threads(std::max<std::size_t>(1, options.readers)),
        statements(registry) {
    // The writer first: it creates the file and switches it to WAL, which the
    // read-only connections need.
    writer = std::make_unique<SqliteConnection>(options.path, SqliteConnection::Mode::writer, options.busy_timeout);
    for (std::size_t i = 0; i < std::max<std::size_t>(1, options.readers); ++i) {
      readers.push_back(
          std::make_unique<SqliteConnection>(options.path, SqliteConnection::Mode::reader, options.busy_timeout));
      free_readers.push_back(readers.back().get());
    }
  }

  ~Impl() {
    writer_thread.join();
    reader_threads.join();
  }

  template <class Work>
  auto measured(const Statement& statement, Work work) {
    const auto started = Clock::now();
    try {
      auto result = work();
      record(statement, "ok", started);
      return result;
    } catch (const std::exception&) {
      record(statement, "error", started);
      throw;
    }
  }

  void record(const Statement& statement, const char* outcome, Clock::time_point started) {
    statements.record(statement, outcome, started);
  }

  // One transaction at a time on the writer: the next waits on a timer whose
  // expiry the current one moves to the past when it ends. All of this runs
  // on the single writer thread, so no lock is needed.
  asio::awaitable<void> acquire_writer() {
    if (!writer_busy) {
      writer_busy = true;
      co_return;
    }
    auto turn = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                     asio::steady_timer::time_point::max());
    writer_queue.push_back(turn);
    co_await turn->async_wait(asio::as_tuple(asio::use_awaitable));
  }

  void release_writer() {
    if (writer_queue.empty()) {
      writer_busy = false;
      return;
    }
    auto next = writer_queue.front();
    writer_queue.pop_front();
    next->expires_at(asio::steady_timer::time_point::min());  // ownership passes straight on
  }

  asio::awaitable<void> run_transaction(Body& body, const TableOwner* owner);
  asio::awaitable<Result> query(const Statement& statement, Params params, const TableOwner* owner);
  asio::awaitable<CommitToken> transaction(Body body, const TableOwner* owner);
  asio::awaitable<Result> execute(const Statement& statement, Params params, const TableOwner* owner);

  void rollback() {
    try {
      writer->run(kRollback, {});
    } catch (const StoreError&) {
      // No transaction open (BEGIN itself failed): nothing to undo.
    }
  }

  SqliteConnection* take_reader() {
    const std::lock_guard lock(readers_mutex);
    // There are as many connections as reader threads, and each query holds
    // one only while it runs on a reader thread, so one is always free.
    auto* connection = free_readers.back();
    free_readers.pop_back();
    return connection;
  }

  void give_back(SqliteConnection* connection) {
    const std::lock_guard lock(readers_mutex);
    free_readers.push_back(connection);
  }

  SqliteOptions options;
  asio::thread_pool writer_thread;
  asio::thread_pool reader_threads;
  std::unique_ptr<SqliteConnection> writer;
  bool writer_busy = false;  // writer thread only
  std::deque<std::shared_ptr<asio::steady_timer>> writer_queue;  // writer thread only
  std::vector<std::unique_ptr<SqliteConnection>> readers;
  std::mutex readers_mutex;
  std::vector<SqliteConnection*> free_readers;
  StatementMetrics statements;
};

namespace {

// The handle a transaction body gets. The body runs on the writer thread, so
// each statement is a direct call on the writer connection.
class WriterTransaction final : public Transaction {
 public:
  WriterTransaction(SqliteStore::Impl& impl, const TableOwner* owner) : impl_(impl), owner_(owner) {}
  asio::awaitable<Result> execute(const Statement& statement, Params params) override {
    co_return impl_.measured(statement, [&] { return impl_.writer->run(statement, params, owner_); });
  }
  asio::awaitable<void> execute_script(std::string_view sql) override {
    impl_.writer->run_script(sql);
    co_return;
  }

 private:
  SqliteStore::Impl& impl_;
  const TableOwner* owner_;
};

// One service's view of the store (SqliteStore::owned_by).
class OwnedStore final : public Store {
 public:
  OwnedStore(SqliteStore::Impl& impl, TableOwner owner) : impl_(impl), owner_(std::move(owner)) {}
  [[nodiscard]] Dialect dialect() const override { return Dialect::sqlite; }
  asio::awaitable<Result> query(const Statement& statement, Params params, ReadOptions) override {
    return impl_.query(statement, std::move(params), &owner_);
  }
  asio::awaitable<CommitToken> transaction(Body body) override { return impl_.transaction(std::move(body), &owner_); }
  asio::awaitable<Result> execute(const Statement& statement, Params params) override {
    return impl_.execute(statement, std::move(params), &owner_);
  }

 private:
  SqliteStore::Impl& impl_;
  const TableOwner owner_;
};

}  // namespace

asio::awaitable<void> SqliteStore::Impl::run_transaction(Body& body, const TableOwner* owner) {
  co_await acquire_writer();
  struct Release {
    Impl& self;
    ~Release() { self.release_writer(); }
  } release{*this};

  for (unsigned attempt = 1;; ++attempt) {
    WriterTransaction tx(*this, owner);
    try {
      writer->run(kBegin, {});
      co_await body(tx);
      writer->run(kCommit, {});
      co_return;
    } catch (const SerializationFailure& error) {
      rollback();
      if (attempt >= options.max_transaction_attempts) throw;
      core::log::warn("store.transaction_retry", {{"attempt", attempt}, {"error", error.what()}});
    } catch (...) {
      rollback();
      throw;
    }
  }
}

SqliteStore::SqliteStore(SqliteOptions options, core::metrics::Registry& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), metrics)) {}

SqliteStore::~SqliteStore() = default;

asio::awaitable<Result> SqliteStore::Impl::query(const Statement& statement, Params params,
                                                  const TableOwner* owner) {
  auto& impl = *this;
  // A named lambda, moved into co_spawn: GCC 12 destroys a capturing lambda
  // temporary twice when it is created inside a co_await expression.
  auto on_reader = [&impl, &statement, owner, params = std::move(params)]() -> asio::awaitable<Result> {
    auto* connection = impl.take_reader();
    struct GiveBack {
      Impl& impl;
      SqliteConnection* connection;
      ~GiveBack() { impl.give_back(connection); }
    } give_back{impl, connection};
    co_return impl.measured(statement, [&] { return connection->run(statement, params, owner); });
  };
  co_return co_await asio::co_spawn(reader_threads, std::move(on_reader), asio::use_awaitable);
}

asio::awaitable<CommitToken> SqliteStore::Impl::transaction(Body body, const TableOwner* owner) {
  co_await asio::co_spawn(writer_thread, run_transaction(body, owner), asio::use_awaitable);
  co_return CommitToken{};
}

asio::awaitable<Result> SqliteStore::Impl::execute(const Statement& statement, Params params,
                                                    const TableOwner* owner) {
  Result result;
  Body one_statement = [&](Transaction&) -> asio::awaitable<void> {
    result = measured(statement, [&] { return writer->run(statement, params, owner); });
    co_return;
  };
  co_await transaction(std::move(one_statement), owner);
  co_return result;
}

asio::awaitable<Result> SqliteStore::query(const Statement& statement, Params params, ReadOptions) {
  return impl_->query(statement, std::move(params), nullptr);
}

asio::awaitable<CommitToken> SqliteStore::transaction(Body body) { return impl_->transaction(std::move(body), nullptr); }

asio::awaitable<Result> SqliteStore::execute(const Statement& statement, Params params) {
  return impl_->execute(statement, std::move(params), nullptr);
}

std::unique_ptr<Store> SqliteStore::owned_by(TableOwner owner) {
  return std::make_unique<OwnedStore>(*impl_, std::move(owner));
}

asio::awaitable<std::string> SqliteStore::writer_pragma(std::string name) {
  std::string value;
  co_await transaction([&](Transaction&) -> asio::awaitable<void> {
    value = impl_->writer->pragma(name);
    co_return;
  });
  co_return value;
}

}  // namespace orderly::store::sqlite
