// FakeDatamover: the datamover of one host of a FakeCloud, for the
// workflows' unit tests. It serves the real disk tasks (rpc/task.h) with the
// real datamover library on the FakeCloud's disk files: vm_backup backs up
// every disk of the domain (datamover::Backup, full or incremental by scan)
// and answers as DatamoverTaskHandler does; restore_disk writes a backup
// into a volume (connection_info.data.path) or, in place, into a shut-off
// domain's disk; remove_checkpoint drops a checkpoint it handed out. Only
// libvirt is missing: checkpoints are names it keeps. Tasks can be made to
// fail or to wait for a test's signal (Hold), to test cancel and stall.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "engine/fake_cloud.h"
#include "rpc/task.h"
#include "target/store.h"

namespace cairn::engine::testing {

class FakeDatamover final : public rpc::TaskHandler {
 public:
  // The datamover of `host`; `cloud` and `store` must outlive it.
  FakeDatamover(FakeCloud& cloud, target::Store& store, std::string host)
      : cloud_(cloud), store_(store), host_(std::move(host)) {}

  Result<nlohmann::json> Run(const rpc::DiskTask& task, const rpc::ProgressFn& progress,
                             const std::atomic<bool>& cancel) override;

  // The `nth` next task of `kind` fails with `status`.
  void Fail(const std::string& kind, Status status, int nth = 1);
  // Tasks of `kind` wait (until Release, or their cancel) before they run.
  void Hold(const std::string& kind);
  void Release();
  // Tasks waiting in Hold now; most tasks that ran at the same time.
  int Waiting() const;
  int MostAtOnce() const;
  // Tasks run, by kind, and the checkpoints handed out and not removed.
  int Ran(const std::string& kind) const;
  std::set<std::string> Checkpoints() const;

 private:
  Result<nlohmann::json> BackupVm(const nlohmann::json& body, const rpc::ProgressFn& progress,
                                  const std::atomic<bool>& cancel);
  Result<nlohmann::json> RestoreDisk(const nlohmann::json& body, const std::atomic<bool>& cancel);
  Status CheckTarget(const nlohmann::json& body);
  Status Gate(const std::string& kind, const std::atomic<bool>& cancel);

  FakeCloud& cloud_;
  target::Store& store_;
  const std::string host_;
  mutable std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, std::vector<std::pair<int, Status>>> failures_;
  std::set<std::string> held_kinds_;
  std::map<std::string, int> ran_;
  std::set<std::string> checkpoints_;
  int waiting_ = 0;
  int running_ = 0;
  int most_at_once_ = 0;
};

}  // namespace cairn::engine::testing
