// Database: a thread-safe pool of SOCI sessions to SQLite, PostgreSQL or
// MySQL, and the Executor interface the repositories run their SQL through.
//
//   CAIRN_ASSIGN_OR_RETURN(auto db, db::OpenSynced(options));   // schema.h
//   db::WorkloadRepository workloads(*db);                      // own transaction per call
//   CAIRN_RETURN_IF_ERROR(db->Transaction("create workload", [&](db::Executor& tx) {
//     CAIRN_RETURN_IF_ERROR(db::WorkloadRepository(tx).Create(w).status());
//     return db::JobRepository(tx).Enqueue(job).status();       // both or neither
//   }));
//
// No exception leaves this layer: SOCI errors become a Status naming the
// operation (kUnavailable: cannot reach or lock the database; kConflict: a
// unique or other constraint was violated; kNotFound: no such row; kInternal:
// anything else).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "db/options.h"
#include "db/url.h"

namespace soci {
class session;
}  // namespace soci

namespace cairn::db {

// Runs SQL on a session. Implemented by Database (each call takes a pooled
// session) and by the transaction handle Database::Transaction passes to its
// callback (every call runs on that transaction's session). Repositories take
// an Executor&, so the same repository code runs alone or inside a larger
// transaction.
class Executor {
 public:
  using Work = std::function<Status(soci::session&)>;
  virtual ~Executor() = default;

  // Runs `work` on a session without opening a transaction (each statement
  // commits on its own unless already inside a transaction). Exceptions
  // thrown by `work` become a Status whose message starts with `operation`.
  virtual Status Run(std::string_view operation, const Work& work) = 0;
  // Runs `work` in a write transaction: committed when it returns OK, rolled
  // back when it fails or throws. Inside an existing transaction it simply
  // joins it (no savepoint: a failure fails the whole outer transaction).
  virtual Status RunInTransaction(std::string_view operation, const Work& work) = 0;
  // The kind of server, for the few statements that differ between them.
  virtual Backend backend() const = 0;
};

class Database final : public Executor {
 public:
  // Opens `pool_size` sessions (one for SQLite in memory). SQLite: creates
  // the file's parent directory, turns on WAL, foreign keys and the busy
  // timeout. Does not look at the schema: see schema.h (OpenSynced, Sync).
  // InvalidArgument for a bad URL; Unavailable when the server cannot be
  // reached (the message masks the password).
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);

  ~Database() override;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Executor. Blocks while every pooled session is in use. Must not be
  // called from inside a Run/Transaction callback on the same thread (that
  // would wait for a second session; use the callback's Executor instead).
  Status Run(std::string_view operation, const Work& work) override;
  Status RunInTransaction(std::string_view operation, const Work& work) override;
  Backend backend() const override { return url_.backend; }

  // Runs `work` with an Executor bound to one transaction: every repository
  // built on that Executor joins it. Commits when `work` returns OK, rolls
  // back otherwise. SQLite transactions start with BEGIN IMMEDIATE (writers
  // queue on the busy timeout instead of failing on lock upgrade).
  Status Transaction(std::string_view operation, const std::function<Status(Executor&)>& work);

  // The connection URL with its password masked, for logs.
  std::string DisplayUrl() const;
  const DatabaseUrl& url() const { return url_; }
  int pool_size() const { return static_cast<int>(sessions_.size()); }

 private:
  class Lease;
  class TxExecutor;
  Database(DatabaseUrl url, std::string display_url);

  soci::session& Acquire();
  void Release(soci::session& session);

  DatabaseUrl url_;
  std::string display_url_;
  std::vector<std::unique_ptr<soci::session>> sessions_;
  // A thread waiting for a session; Release hands it one directly.
  struct Waiter {
    std::condition_variable ready;
    soci::session* session = nullptr;
  };
  std::mutex mu_;
  std::vector<soci::session*> free_;
  std::deque<Waiter*> waiters_;  // oldest first
};

}  // namespace cairn::db
