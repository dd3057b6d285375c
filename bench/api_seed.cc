// api_seed: fills a Cairn database with workloads (1-3 VMs each) and
// snapshots spread over them, for bench/api_bench.sh. Syncs the schema first.
//
//   api_seed --connection sqlite:////tmp/x/cairn.db --project P --user U
//            [--workloads 1000] [--snapshots 10000]
//            [--other-project Q] [--other-workloads 100] [--other-snapshots 1000]
//
// Prints the id of one workload of --project (the bench shows it with GET).
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/time.h"
#include "common/uuid.h"
#include "db/database.h"
#include "db/models.h"
#include "db/schema.h"
#include "db/snapshot_repository.h"
#include "db/workload_repository.h"

namespace {

using namespace cairn;

// Creates `workloads` available workloads in `project` and `snapshots`
// available snapshots spread round-robin over them, in transactions of a
// few hundred rows. Returns the workload ids.
Result<std::vector<std::string>> Seed(db::Database& database, const std::string& project, const std::string& user,
                                      int workloads, int snapshots, std::mt19937& random) {
  std::vector<std::string> ids;
  constexpr int kBatch = 250;
  for (int first = 0; first < workloads; first += kBatch) {
    CAIRN_RETURN_IF_ERROR(database.Transaction("seed workloads", [&](db::Executor& tx) -> Status {
      db::WorkloadRepository repo(tx);
      for (int i = first; i < std::min(workloads, first + kBatch); ++i) {
        db::Workload w;
        w.project_id = project;
        w.user_id = user;
        w.name = "bench-workload-" + std::to_string(i);
        w.description = "api bench";
        w.status = std::string(db::workload_status::kAvailable);
        w.jobschedule = {{"enabled", false}, {"interval", "24hr"}, {"retention_policy_type", "Number of Snapshots to Keep"},
                         {"retention_policy_value", "30"}, {"fullbackup_interval", "-1"}, {"timezone", "UTC"},
                         {"start_date", "01/01/2026"}, {"start_time", "10:00 PM"}};
        const int vms = 1 + static_cast<int>(random() % 3);
        for (int v = 0; v < vms; ++v) {
          db::WorkloadVm vm;
          vm.vm_id = Uuid::Random().ToString();
          vm.vm_name = w.name + "-vm" + std::to_string(v);
          w.vms.push_back(std::move(vm));
        }
        CAIRN_ASSIGN_OR_RETURN(db::Workload created, repo.Create(std::move(w)));
        ids.push_back(created.id);
      }
      return Status::OK();
    }));
  }
  if (ids.empty()) return ids;
  for (int first = 0; first < snapshots; first += kBatch) {
    CAIRN_RETURN_IF_ERROR(database.Transaction("seed snapshots", [&](db::Executor& tx) -> Status {
      db::SnapshotRepository repo(tx);
      for (int i = first; i < std::min(snapshots, first + kBatch); ++i) {
        db::Snapshot s;
        s.workload_id = ids[static_cast<size_t>(i) % ids.size()];
        s.project_id = project;
        s.user_id = user;
        s.name = "bench-snapshot-" + std::to_string(i);
        s.snapshot_type = std::string(i < static_cast<int>(ids.size()) ? db::kSnapshotTypeFull
                                                                      : db::kSnapshotTypeIncremental);
        s.status = std::string(db::snapshot_status::kAvailable);
        s.progress_percent = 100;
        s.size = static_cast<int64_t>(random() % (1u << 30));
        s.restore_size = 10LL << 30;
        s.uploaded_size = s.size;
        s.time_taken = static_cast<int64_t>(random() % 600);
        s.host = "bench-engine";
        s.finished_at = SystemClock::Get().Now();
        CAIRN_RETURN_IF_ERROR(repo.Create(std::move(s)).status());
      }
      return Status::OK();
    }));
  }
  return ids;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "api_seed: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"api_seed: fills a Cairn database with workloads and snapshots for the API bench"};
  std::string connection, project, user, other_project;
  int workloads = 1000, snapshots = 10000, other_workloads = 100, other_snapshots = 1000;
  cli.add_option("--connection", connection, "Database URL")->required();
  cli.add_option("--project", project, "Project of the workloads")->required();
  cli.add_option("--user", user, "User id of the workloads")->required();
  cli.add_option("--workloads", workloads, "Workloads in --project")->capture_default_str();
  cli.add_option("--snapshots", snapshots, "Snapshots in --project")->capture_default_str();
  cli.add_option("--other-project", other_project, "A second project (none when empty)");
  cli.add_option("--other-workloads", other_workloads, "Workloads in --other-project")->capture_default_str();
  cli.add_option("--other-snapshots", other_snapshots, "Snapshots in --other-project")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  db::DatabaseOptions options;
  options.connection = connection;
  options.pool_size = 1;
  auto database = db::Database::Open(options);
  if (!database.ok()) return Fail(database.status());
  if (auto synced = db::Sync(**database); !synced.ok()) return Fail(synced.status());

  std::mt19937 random(42);
  auto ids = Seed(**database, project, user, workloads, snapshots, random);
  if (!ids.ok()) return Fail(ids.status());
  if (!other_project.empty()) {
    auto other = Seed(**database, other_project, user, other_workloads, other_snapshots, random);
    if (!other.ok()) return Fail(other.status());
  }
  if (!ids->empty()) std::printf("%s\n", (*ids)[ids->size() / 2].c_str());
  return 0;
}
