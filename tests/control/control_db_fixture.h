// A fresh SQLite database at the current schema in a temporary directory and
// a manual clock, for the managers' tests: rows, quotas and jobs, no cloud.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/time.h"
#include "control/job_origin.h"
#include "db/job_repository.h"
#include "db/options.h"
#include "db/quota_repository.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace cairn::control::testing {

class ControlDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-control-db-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    db::DatabaseOptions options;
    options.connection = "sqlite:///" + dir_ + "/cairn.db";
    auto db = db::Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db::Sync(*db_).ok());
    clock_.Set(UtcNow());
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A workload of user u1 in project p1 with `vms` VMs (ids "<prefix>-vm<i>").
  db::Workload AddWorkload(std::string_view status = "available", int vms = 1, const std::string& prefix = "w") {
    db::Workload w;
    w.project_id = "p1";
    w.user_id = "u1";
    w.name = prefix;
    w.status = std::string(status);
    for (int i = 0; i < vms; ++i) w.vms.push_back({.vm_id = prefix + "-vm" + std::to_string(i)});
    auto created = db::WorkloadRepository(*db_).Create(w);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : w;
  }
  db::Snapshot AddSnapshot(const db::Workload& w, std::string_view status = "available", int64_t size = 100) {
    db::Snapshot s;
    s.workload_id = w.id;
    s.project_id = w.project_id;
    s.user_id = w.user_id;
    s.status = std::string(status);
    s.size = size;
    s.restore_size = size * 2;
    auto created = db::SnapshotRepository(*db_).Create(s);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : s;
  }
  void SetQuota(std::string_view type_id, int64_t allowed) {
    db::AllowedQuota q;
    q.project_id = "p1";
    q.quota_type_id = std::string(type_id);
    q.allowed_value = allowed;
    ASSERT_TRUE(db::QuotaRepository(*db_).Create(q).ok());
  }
  std::vector<db::Job> Jobs(std::string_view kind = "") {
    db::JobFilter filter;
    if (!kind.empty()) filter.kind = std::string(kind);
    auto jobs = db::JobRepository(*db_).List(filter);
    EXPECT_TRUE(jobs.ok()) << jobs.status().ToString();
    return jobs.ok() ? *jobs : std::vector<db::Job>{};
  }
  std::string WorkloadStatus(const std::string& id) {
    auto w = db::WorkloadRepository(*db_).Get(id);
    return w.ok() ? w->status : w.status().ToString();
  }
  std::string SnapshotStatus(const std::string& id) {
    auto s = db::SnapshotRepository(*db_).Get(id);
    return s.ok() ? s->status : s.status().ToString();
  }

  // A request of user u1 with a token.
  const JobOrigin origin_{.user_id = "u1", .request_id = "req-1", .auth_token = "tok-1"};
  std::string dir_;
  std::unique_ptr<db::Database> db_;
  ManualClock clock_;
};

}  // namespace cairn::control::testing
