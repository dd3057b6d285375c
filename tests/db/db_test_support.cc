#include "db_test_support.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace cairn::db::testing {
namespace {

constexpr const char* kPgBin = "/usr/lib/postgresql/15/bin";

// Runs a shell command; returns its exit status and appends its output to `out`.
int RunCommand(const std::string& command, std::string* out) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    if (out) out->append(buffer, n);
  }
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::Get().Stop(); }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

}  // namespace

PostgresServer& PostgresServer::Get() {
  static PostgresServer server;
  return server;
}

const std::string& PostgresServer::Start() {
  if (started_ || !error_.empty()) return error_;
  char templ[] = "/tmp/cairn-pg-XXXXXX";
  if (!mkdtemp(templ)) {
    error_ = "mkdtemp failed";
    return error_;
  }
  dir_ = templ;
  std::string out;
  const std::string as_pg = geteuid() == 0 ? "runuser -u postgres -- " : "";
  if (geteuid() == 0 && RunCommand("chown postgres:postgres " + dir_, &out) != 0) {
    error_ = "cannot give " + dir_ + " to the postgres user: " + out;
    return error_;
  }
  if (RunCommand(as_pg + kPgBin + "/initdb --no-sync -A trust -U postgres -E UTF8 -D " + dir_ + "/data", &out) !=
      0) {
    error_ = "initdb failed: " + out;
    return error_;
  }
  for (int attempt = 0; attempt < 5 && !started_; ++attempt) {
    port_ = FreePort();
    out.clear();
    std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
                          " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
    if (RunCommand(as_pg + kPgBin + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -t 120 -o \"" + options +
                       "\" start",
                   &out) == 0) {
      started_ = true;
    }
  }
  if (!started_) {
    std::string log;
    RunCommand("tail -20 " + dir_ + "/log", &log);
    error_ = "pg_ctl start failed: " + out + "\nserver log:\n" + log;
  }
  return error_;
}

Result<std::string> PostgresServer::CreateDatabase() {
  if (const std::string& error = Start(); !error.empty()) {
    return Status::Unavailable("PostgreSQL did not start: " + error);
  }
  std::string name = "cairn_test_" + std::to_string(getpid()) + "_" + std::to_string(next_db_++);
  std::string out;
  if (RunCommand(std::string(kPgBin) + "/psql -X -q -h 127.0.0.1 -p " + std::to_string(port_) +
                     " -U postgres -d postgres -c 'CREATE DATABASE " + name + "'",
                 &out) != 0) {
    return Status::Unavailable("CREATE DATABASE failed: " + out);
  }
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

void PostgresServer::Stop() {
  if (dir_.empty()) return;
  const std::string as_pg = geteuid() == 0 ? "runuser -u postgres -- " : "";
  if (started_) RunCommand(as_pg + kPgBin + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop", nullptr);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  started_ = false;
  dir_.clear();
}

TempDir::TempDir() {
  char templ[] = "/tmp/cairn-db-test-XXXXXX";
  if (mkdtemp(templ)) path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

std::string FreshDatabaseUrl(Backend backend, const TempDir& dir) {
  if (backend == Backend::kSqlite) return "sqlite:///" + dir.path() + "/cairn.db";
  Result<std::string> url = PostgresServer::Get().CreateDatabase();
  if (!url.ok()) {
    ADD_FAILURE() << url.status().ToString();
    return "";
  }
  return *url;
}

void DbTest::SetUp() {
  url_ = FreshDatabaseUrl(GetParam(), dir_);
  ASSERT_FALSE(url_.empty());
  DatabaseOptions options;
  options.connection = url_;
  options.pool_size = 4;
  Result<std::unique_ptr<Database>> db = Database::Open(options);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(*db);
  Result<int> version = Sync(*db_);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  ASSERT_EQ(*version, LatestSchemaVersion());
}

std::unique_ptr<Database> DbTest::OpenAnother(int pool_size) {
  DatabaseOptions options;
  options.connection = url_;
  options.pool_size = pool_size;
  Result<std::unique_ptr<Database>> db = Database::Open(options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(*db) : nullptr;
}

std::string BackendParamName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgresql";
}

}  // namespace cairn::db::testing
