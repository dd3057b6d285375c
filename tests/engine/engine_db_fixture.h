// A fresh SQLite database at the current schema in a temporary directory,
// for the engine's tests that need rows but no cloud (retention, scheduler).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "db/options.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::engine::testing {

class EngineDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-engine-db-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    db::DatabaseOptions options;
    options.connection = "sqlite:///" + dir_ + "/cairn.db";
    auto db = db::Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db::Sync(*db_).ok());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // An available workload of user u1 in project p1 with `jobschedule`.
  std::string AddWorkload(const nlohmann::json& jobschedule, const std::string& status = "available") {
    db::Workload w;
    w.project_id = "p1";
    w.user_id = "u1";
    w.name = "w";
    w.status = status;
    w.jobschedule = jobschedule;
    auto created = db::WorkloadRepository(*db_).Create(w);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : "";
  }
  std::string AddSnapshot(const std::string& wid, const std::string& status = "available", bool pinned = false) {
    db::Snapshot s;
    s.workload_id = wid;
    s.project_id = "p1";
    s.user_id = "u1";
    s.status = status;
    s.pinned = pinned;
    auto created = db::SnapshotRepository(*db_).Create(s);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? created->id : "";
  }

  std::string dir_;
  std::unique_ptr<db::Database> db_;
};

}  // namespace cairn::engine::testing
