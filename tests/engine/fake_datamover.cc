#include "engine/fake_datamover.h"

#include <algorithm>

#include "datamover/backup.h"
#include "datamover/restore.h"
#include "target/identity.h"

namespace cairn::engine::testing {
namespace {

using nlohmann::json;

std::string Text(const json& body, const char* name) {
  return body.contains(name) && body[name].is_string() ? body[name].get<std::string>() : std::string();
}

json DiskResultJson(const datamover::BackupResult& r, const FakeDomainDisk& disk) {
  return {{"device", r.backup.ref.device},
          {"serial", disk.serial},
          {"source", disk.path.string()},
          {"driver_type", "raw"},
          {"resource", r.backup.resource},
          {"image_id", r.backup.image_id},
          {"dir", r.backup.dir},
          {"image_path", r.backup.image_path()},
          {"incremental", r.incremental},
          {"mode", std::string(datamover::ChangeModeName(r.mode))},
          {"warning", r.warning},
          {"virtual_size", r.virtual_size},
          {"bytes_written", r.bytes_written},
          {"image_file_size", r.image_file_size}};
}

}  // namespace

void FakeDatamover::Fail(const std::string& kind, Status status, int nth) {
  std::lock_guard lock(mu_);
  failures_[kind].emplace_back(nth, std::move(status));
}

void FakeDatamover::Hold(const std::string& kind) {
  std::lock_guard lock(mu_);
  held_kinds_.insert(kind);
}

void FakeDatamover::Release() {
  std::lock_guard lock(mu_);
  held_kinds_.clear();
  released_.notify_all();
}

int FakeDatamover::Waiting() const {
  std::lock_guard lock(mu_);
  return waiting_;
}

int FakeDatamover::MostAtOnce() const {
  std::lock_guard lock(mu_);
  return most_at_once_;
}

int FakeDatamover::Ran(const std::string& kind) const {
  std::lock_guard lock(mu_);
  auto it = ran_.find(kind);
  return it == ran_.end() ? 0 : it->second;
}

std::set<std::string> FakeDatamover::Checkpoints() const {
  std::lock_guard lock(mu_);
  return checkpoints_;
}

Status FakeDatamover::Gate(const std::string& kind, const std::atomic<bool>& cancel) {
  std::unique_lock lock(mu_);
  ++ran_[kind];
  ++running_;
  most_at_once_ = std::max(most_at_once_, running_);
  ++waiting_;
  while (held_kinds_.count(kind) && !cancel.load()) released_.wait_for(lock, std::chrono::milliseconds(10));
  --waiting_;
  if (cancel.load()) return Status::Cancelled("disk task cancelled");
  auto it = failures_.find(kind);
  if (it == failures_.end()) return Status::OK();
  for (auto f = it->second.begin(); f != it->second.end(); ++f) {
    if (--f->first == 0) {
      Status st = f->second;
      it->second.erase(f);
      return st;
    }
  }
  return Status::OK();
}

Result<json> FakeDatamover::Run(const rpc::DiskTask& task, const rpc::ProgressFn& progress,
                                const std::atomic<bool>& cancel) {
  Status gate = Gate(task.kind, cancel);
  struct Leave {
    FakeDatamover* self;
    ~Leave() {
      std::lock_guard lock(self->mu_);
      --self->running_;
    }
  } leave{this};
  CAIRN_RETURN_IF_ERROR(gate);
  if (task.kind == rpc::task_kind::kVmBackup) return BackupVm(task.body, progress, cancel);
  if (task.kind == rpc::task_kind::kRestoreDisk) return RestoreDisk(task.body, cancel);
  if (task.kind == rpc::task_kind::kRemoveCheckpoint) {
    std::lock_guard lock(mu_);
    checkpoints_.erase(Text(task.body, "domain") + "/" + Text(task.body, "xml"));
    return json::object();
  }
  return Status::NotSupported("fake datamover: no task kind \"" + task.kind + "\"");
}

Status FakeDatamover::CheckTarget(const json& body) {
  return target::CheckTargetIdentity(store_, Text(body, "target_id")).WithContext("the datamover on host " + host_);
}

Result<json> FakeDatamover::BackupVm(const json& body, const rpc::ProgressFn& progress,
                                     const std::atomic<bool>& cancel) {
  CAIRN_RETURN_IF_ERROR(CheckTarget(body));
  const std::string domain = Text(body, "domain");
  const std::vector<FakeDomainDisk> disks = cloud_.DomainDisks(host_, domain);
  if (disks.empty()) return Status::NotFound("libvirt: no domain " + domain + " on host " + host_);
  const std::string previous = Text(body, "previous_snapshot");
  const bool force_full = body.value("force_full", false);
  json out = {{"disks", json::array()}, {"checkpoint", nullptr}, {"warnings", json::array()}, {"quiesced", false}};
  for (const auto& d : disks) {
    datamover::BackupRequest request;
    request.source = d.path.string();
    request.source_format = "raw";
    request.disk = {Text(body, "workload"), Text(body, "snapshot"), Text(body, "vm"), d.device};
    if (!force_full && !previous.empty()) request.previous_snapshot = previous;
    request.mode = request.previous_snapshot ? datamover::ChangeMode::kScan : datamover::ChangeMode::kFull;
    request.threads = 1;
    request.cancel = &cancel;
    request.progress = progress;
    Result<datamover::BackupResult> result = datamover::Backup(store_, request);
    if (!result.ok()) return result.status().WithContext("disk " + d.device + " of domain " + domain);
    out["disks"].push_back(DiskResultJson(*result, d));
  }
  if (cloud_.DomainRunning(host_, domain)) {
    const std::string name = "cairn-" + Text(body, "snapshot");
    out["checkpoint"] = {{"name", name}, {"xml", "<domaincheckpoint><name>" + name + "</name></domaincheckpoint>"}};
    std::lock_guard lock(mu_);
    checkpoints_.insert(domain + "/" + out["checkpoint"].value("xml", ""));
  }
  return out;
}

Result<json> FakeDatamover::RestoreDisk(const json& body, const std::atomic<bool>& cancel) {
  CAIRN_RETURN_IF_ERROR(CheckTarget(body));
  datamover::RestoreRequest request;
  request.disk = {Text(body, "workload"), Text(body, "snapshot"), Text(body, "vm"), Text(body, "device")};
  request.in_place = true;
  request.threads = 1;
  request.cancel = &cancel;
  if (body.contains("connection_info")) {
    request.to = body["connection_info"].contains("data") ? Text(body["connection_info"]["data"], "path") : "";
    if (request.to.empty()) return Status::InvalidArgument("fake datamover: connection_info without a path");
  } else {
    const std::string domain = Text(body, "domain");
    if (cloud_.DomainRunning(host_, domain)) {
      return Status::Conflict("domain " + domain + " is running: an in-place restore needs it shut off");
    }
    for (const auto& d : cloud_.DomainDisks(host_, domain)) {
      if (d.device == request.disk.device) request.to = d.path.string();
    }
    if (request.to.empty()) return Status::NotFound("domain " + domain + " has no disk " + request.disk.device);
  }
  CAIRN_ASSIGN_OR_RETURN(datamover::RestoreResult result, datamover::Restore(store_, request));
  return json{{"virtual_size", result.virtual_size},
              {"bytes_written", result.bytes_written},
              {"clusters_written", result.clusters_written},
              {"seconds", result.seconds}};
}

}  // namespace cairn::engine::testing
