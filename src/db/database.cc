#include "db/database.h"

#include <filesystem>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "common/log.h"
#include "db/sql.h"

// The MySQL backend's factory, declared here rather than through
// soci/mysql/soci-mysql.h, which needs the MySQL client headers.
extern "C" soci::backend_factory const* factory_mysql();

namespace cairn::db {
namespace {

// A value for a libpq / SOCI "key=value" connection string.
std::string Quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string ConnectString(const DatabaseUrl& url, const DatabaseOptions& options) {
  std::string out;
  auto add = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!out.empty()) out += ' ';
    out += std::string(key) + "=" + Quote(value);
  };
  switch (url.backend) {
    case Backend::kSqlite: {
      std::string path = url.in_memory ? ":memory:" : url.path;
      return "db=\"" + path + "\" timeout=" + std::to_string(options.sqlite_busy_timeout);
    }
    case Backend::kPostgresql:
      add("host", url.host);
      add("port", url.port ? std::to_string(url.port) : "");
      add("dbname", url.database);
      add("user", url.user);
      add("password", url.password);
      add("connect_timeout", std::to_string(options.connect_timeout));
      if (!url.params.contains("application_name")) add("application_name", "cairn");
      for (const auto& [k, v] : url.params) add(k, v);
      return out;
    case Backend::kMysql: {
      auto plain = [&](std::string_view key, std::string_view value) {
        if (value.empty()) return;
        if (!out.empty()) out += ' ';
        out += std::string(key) + "=" + std::string(value);
      };
      plain("host", url.host);
      plain("port", url.port ? std::to_string(url.port) : "");
      plain("db", url.database);
      plain("user", url.user);
      add("password", url.password);
      plain("connect_timeout", std::to_string(options.connect_timeout));
      if (!url.params.contains("charset")) plain("charset", "utf8mb4");
      for (const auto& [k, v] : url.params) plain(k, v);
      return out;
    }
  }
  return out;
}

const soci::backend_factory& Factory(Backend backend) {
  switch (backend) {
    case Backend::kSqlite: return *soci::factory_sqlite3();
    case Backend::kPostgresql: return *soci::factory_postgresql();
    case Backend::kMysql: return *::factory_mysql();
  }
  return *soci::factory_sqlite3();
}

// Per-connection settings.
void ConfigureSession(soci::session& session, const DatabaseUrl& url, const DatabaseOptions& options) {
  switch (url.backend) {
    case Backend::kSqlite:
      session << "PRAGMA busy_timeout = " + std::to_string(options.sqlite_busy_timeout * 1000);
      if (!url.in_memory) {
        std::string mode;
        session << "PRAGMA journal_mode = WAL", soci::into(mode);
        session << "PRAGMA synchronous = NORMAL";
      }
      session << "PRAGMA foreign_keys = ON";
      break;
    case Backend::kPostgresql:
      session << "SET client_min_messages = warning";
      break;
    case Backend::kMysql:
      session << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
      session << "SET SESSION sql_mode = 'TRADITIONAL,ANSI_QUOTES,NO_AUTO_VALUE_ON_ZERO'";
      break;
  }
}

void Begin(soci::session& session, Backend backend) {
  if (backend == Backend::kSqlite) {
    session << "BEGIN IMMEDIATE";
  } else {
    session.begin();
  }
}

void Commit(soci::session& session, Backend backend) {
  if (backend == Backend::kSqlite) {
    session << "COMMIT";
  } else {
    session.commit();
  }
}

void RollbackQuietly(soci::session& session, Backend backend) {
  try {
    if (backend == Backend::kSqlite) {
      session << "ROLLBACK";
    } else {
      session.rollback();
    }
  } catch (const std::exception&) {
    // The transaction is gone already (e.g. the connection broke).
  }
}

}  // namespace

// Takes a session from the pool for the life of the lease.
class Database::Lease {
 public:
  explicit Lease(Database& db) : db_(db), session_(db.Acquire()) {}
  ~Lease() { db_.Release(session_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  soci::session& session() { return session_; }

 private:
  Database& db_;
  soci::session& session_;
};

// The Executor a Transaction callback gets: everything on one session, in
// the transaction already begun.
class Database::TxExecutor final : public Executor {
 public:
  TxExecutor(Database& db, soci::session& session) : db_(db), session_(session) {}
  Status Run(std::string_view operation, const Work& work) override { return Call(operation, work); }
  Status RunInTransaction(std::string_view operation, const Work& work) override {
    return Call(operation, work);
  }
  Backend backend() const override { return db_.backend(); }

 private:
  Status Call(std::string_view operation, const Work& work) {
    try {
      return work(session_);
    } catch (const std::exception& e) {
      return internal::StatusFromException(operation, e);
    }
  }
  Database& db_;
  soci::session& session_;
};

Database::Database(DatabaseUrl url, std::string display_url)
    : url_(std::move(url)), display_url_(std::move(display_url)) {}

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(DatabaseUrl url, ParseDatabaseUrl(options.connection));
  if (options.pool_size < 1) return Status::InvalidArgument("database pool_size must be at least 1");
  const std::string display = MaskUrlPassword(options.connection);
  if (url.backend == Backend::kSqlite && !url.in_memory) {
    std::filesystem::path parent = std::filesystem::path(url.path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Status::IOError("cannot create the directory " + parent.string() + " of database " + display +
                               ": " + ec.message());
      }
    }
  }
  int size = url.in_memory ? 1 : options.pool_size;
  std::unique_ptr<Database> db(new Database(url, display));
  const std::string connect = ConnectString(url, options);
  for (int i = 0; i < size; ++i) {
    try {
      auto session = std::make_unique<soci::session>();
      session->open(Factory(url.backend), connect);
      ConfigureSession(*session, url, options);
      db->free_.push_back(session.get());
      db->sessions_.push_back(std::move(session));
    } catch (const std::exception& e) {
      std::string message = e.what();
      if (!url.password.empty()) {
        for (size_t pos; (pos = message.find(url.password)) != std::string::npos;) {
          message.replace(pos, url.password.size(), "***");
        }
      }
      while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
      return Status::Unavailable("cannot connect to database " + display + ": " + message);
    }
  }
  GetLogger("db")->debug("opened {} sessions to {}", size, display);
  return db;
}

// First come, first served: a released session goes to the oldest waiter
// rather than to whichever thread takes the lock next, so under load no
// request waits much longer than the others for a session.
soci::session& Database::Acquire() {
  std::unique_lock lock(mu_);
  if (!free_.empty() && waiters_.empty()) {
    soci::session* session = free_.back();
    free_.pop_back();
    return *session;
  }
  Waiter waiter;
  waiters_.push_back(&waiter);
  waiter.ready.wait(lock, [&] { return waiter.session != nullptr; });
  return *waiter.session;
}

void Database::Release(soci::session& session) {
  std::lock_guard lock(mu_);
  if (waiters_.empty()) {
    free_.push_back(&session);
    return;
  }
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  next->session = &session;
  next->ready.notify_one();  // under the lock: `next` lives on its thread's stack
}

std::string Database::DisplayUrl() const { return display_url_; }

Status Database::Run(std::string_view operation, const Work& work) {
  Lease lease(*this);
  try {
    return work(lease.session());
  } catch (const std::exception& e) {
    Status status = internal::StatusFromException(operation, e);
    if (internal::IsConnectionError(e)) {
      try {
        lease.session().reconnect();
      } catch (const std::exception&) {
        // Still down; the next use reports it again.
      }
    }
    return status;
  }
}

Status Database::RunInTransaction(std::string_view operation, const Work& work) {
  return Transaction(operation, [&](Executor& tx) { return tx.Run(operation, work); });
}

Status Database::Transaction(std::string_view operation, const std::function<Status(Executor&)>& work) {
  Lease lease(*this);
  soci::session& session = lease.session();
  try {
    Begin(session, backend());
  } catch (const std::exception& e) {
    if (internal::IsConnectionError(e)) {
      try {
        session.reconnect();
        Begin(session, backend());
      } catch (const std::exception& again) {
        return internal::StatusFromException(std::string(operation) + ": begin", again);
      }
    } else {
      return internal::StatusFromException(std::string(operation) + ": begin", e);
    }
  }
  Status status;
  try {
    TxExecutor tx(*this, session);
    status = work(tx);
  } catch (const std::exception& e) {
    status = internal::StatusFromException(operation, e);
  }
  if (!status.ok()) {
    RollbackQuietly(session, backend());
    return status;
  }
  try {
    Commit(session, backend());
  } catch (const std::exception& e) {
    RollbackQuietly(session, backend());
    return internal::StatusFromException(std::string(operation) + ": commit", e);
  }
  return Status::OK();
}

}  // namespace cairn::db
