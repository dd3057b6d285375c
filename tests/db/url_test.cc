#include "db/url.h"

#include <gtest/gtest.h>

namespace cairn::db {
namespace {

TEST(DatabaseUrlTest, SqliteForms) {
  auto abs = ParseDatabaseUrl("sqlite:////var/lib/cairn/cairn.db");
  ASSERT_TRUE(abs.ok()) << abs.status().ToString();
  EXPECT_EQ(abs->backend, Backend::kSqlite);
  EXPECT_EQ(abs->path, "/var/lib/cairn/cairn.db");
  EXPECT_FALSE(abs->in_memory);

  auto rel = ParseDatabaseUrl("sqlite:///cairn.db");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->path, "cairn.db");

  auto mem = ParseDatabaseUrl("sqlite://");
  ASSERT_TRUE(mem.ok());
  EXPECT_TRUE(mem->in_memory);
  EXPECT_EQ(mem->path, "");
}

TEST(DatabaseUrlTest, PostgresqlWithDriverPortAndParams) {
  auto url = ParseDatabaseUrl("postgresql+psycopg2://cairn:s%40cret@db.example:6432/cairn?sslmode=require");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->backend, Backend::kPostgresql);
  EXPECT_EQ(url->user, "cairn");
  EXPECT_EQ(url->password, "s@cret");
  EXPECT_EQ(url->host, "db.example");
  EXPECT_EQ(url->port, 6432);
  EXPECT_EQ(url->database, "cairn");
  ASSERT_EQ(url->params.count("sslmode"), 1u);
  EXPECT_EQ(url->params.at("sslmode"), "require");
}

TEST(DatabaseUrlTest, MysqlAndIpv6) {
  auto url = ParseDatabaseUrl("mysql+pymysql://root:pw@[::1]:3306/cairn");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->backend, Backend::kMysql);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 3306);
  EXPECT_EQ(url->user, "root");
  EXPECT_EQ(url->password, "pw");

  auto plain = ParseDatabaseUrl("mysql://cairn@localhost/cairn");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 0);
  EXPECT_EQ(plain->password, "");
}

TEST(DatabaseUrlTest, BadUrlsNameTheProblem) {
  struct Case {
    const char* url;
    const char* expect;
  } cases[] = {
      {"", "empty"},
      {"cairn.db", "no scheme"},
      {"oracle://u:p@h/db", "unknown scheme 'oracle'"},
      {"sqlite:relative", "no scheme"},
      {"sqlite://cairn.db", "SQLite URL is"},
      {"sqlite:///", "no file path"},
      {"postgresql://u:p@host:99999/db", "port '99999'"},
      {"postgresql://u:p@host:abc/db", "port 'abc'"},
      {"postgresql://u:p@host:5432", "missing the database name"},
      {"postgresql://u:p@host/", "missing the database name"},
      {"mysql://u:p@[::1/db", "unterminated"},
      {"postgresql://u:p%zz@host/db", "percent escape"},
      {"postgresql://:p@host/db", "empty user name"},
  };
  for (const Case& c : cases) {
    auto url = ParseDatabaseUrl(c.url);
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().code(), ErrorCode::kInvalidArgument) << c.url;
    EXPECT_NE(url.status().message().find(c.expect), std::string::npos)
        << c.url << " -> " << url.status().message();
  }
}

TEST(DatabaseUrlTest, ErrorsMaskThePassword) {
  auto url = ParseDatabaseUrl("postgresql://cairn:topsecret@host:0/db");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().message().find("topsecret"), std::string::npos) << url.status().message();
  EXPECT_NE(url.status().message().find("cairn:***@host"), std::string::npos) << url.status().message();
}

TEST(DatabaseUrlTest, MaskUrlPassword) {
  EXPECT_EQ(MaskUrlPassword("postgresql://cairn:pw@db/cairn"), "postgresql://cairn:***@db/cairn");
  EXPECT_EQ(MaskUrlPassword("mysql+pymysql://u:p@ss@h:1/d?x=y"), "mysql+pymysql://u:***@h:1/d?x=y");
  EXPECT_EQ(MaskUrlPassword("postgresql://cairn@db/cairn"), "postgresql://cairn@db/cairn");
  EXPECT_EQ(MaskUrlPassword("sqlite:////a/b.db"), "sqlite:////a/b.db");
}

}  // namespace
}  // namespace cairn::db
