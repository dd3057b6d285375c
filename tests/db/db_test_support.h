// Test support for tests/db: a throwaway PostgreSQL 15 server started once
// per test binary (a gtest Environment), and a value-parameterised fixture
// that gives every test a fresh, synced database on SQLite or PostgreSQL.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "db/database.h"
#include "db/options.h"
#include "db/schema.h"
#include "db/url.h"

namespace cairn::db::testing {

// The PostgreSQL server of this test binary. Started lazily on first use
// (initdb into a temp directory as the postgres OS user, listening on
// 127.0.0.1 on a free port, socket in the temp directory, trust auth) and
// stopped and removed by the Environment's TearDown.
class PostgresServer {
 public:
  static PostgresServer& Get();
  // Starts the server when it is not running. Empty on success, otherwise
  // why it could not start (the PostgreSQL tests then FAIL with it).
  const std::string& Start();
  // Creates a new empty database; returns its URL.
  Result<std::string> CreateDatabase();
  void Stop();
  int port() const { return port_; }

 private:
  bool started_ = false;
  std::string error_;
  std::string dir_;
  int port_ = 0;
  int next_db_ = 0;
};

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A fresh database URL for `backend` (SQLite: a file in `dir`). Fails the
// current test (and returns "") when PostgreSQL is unavailable.
std::string FreshDatabaseUrl(Backend backend, const TempDir& dir);

// Fixture: a fresh synced database per test, for each backend.
class DbTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  // Opens another Database on the same URL (a second "process").
  std::unique_ptr<Database> OpenAnother(int pool_size = 2);

  TempDir dir_;
  std::string url_;
  std::unique_ptr<Database> db_;
};

// "Sqlite" / "Postgresql", for test names.
std::string BackendParamName(const ::testing::TestParamInfo<Backend>& info);

}  // namespace cairn::db::testing

// Instantiates a DbTest-derived fixture for SQLite and PostgreSQL.
#define CAIRN_DB_TEST_SUITE(fixture)                                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, fixture,                                                 \
                           ::testing::Values(::cairn::db::Backend::kSqlite,                   \
                                             ::cairn::db::Backend::kPostgresql),              \
                           ::cairn::db::testing::BackendParamName)

// Asserts a Status/Result is OK, printing the error otherwise.
#define CAIRN_ASSERT_OK(expr)                                          \
  do {                                                                 \
    const auto& cairn_assert_tmp_ = (expr);                            \
    ASSERT_TRUE(cairn_assert_tmp_.ok()) << ::cairn::db::testing::StatusText(cairn_assert_tmp_); \
  } while (0)

namespace cairn::db::testing {
inline std::string StatusText(const Status& s) { return s.ToString(); }
template <typename T>
std::string StatusText(const Result<T>& r) {
  return r.status().ToString();
}
}  // namespace cairn::db::testing
