// RestoreRun: one restore_create job (workflows.h), in steps. Private to the
// engine's restore_*.cc files:
//   restore_workflow.cc  RunRestore, Run (plan, then each VM), the ledger's undo
//   restore_ports.cc     ports: the VM's ports, with their IPs, MACs and security groups
//   restore_volumes.cc   volumes: new Cinder volumes written by a datamover
//   restore_server.cc    server: flavor, boot image, the server; data: its
//                        local disks and volumes attached
//   restore_in_place.cc  in place: the VM's own disks written back
//
// Every OpenStack object a step creates is written to the restore's
// "instances" ledger before the next call, so a failure, a cancel or an
// engine that died (the job is taken over) removes exactly what was made.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/restore_plan.h"
#include "db/models.h"
#include "engine/context.h"
#include "engine/job_runner.h"
#include "engine/workload_lock.h"
#include "openstack/nova.h"
#include "rpc/task.h"

namespace cairn::engine {

// What a restore made so far, kept in restores.instances: one entry per VM
// {vm_id, name, ports[], volumes[], attachments[], images[], server,
// status (building | available | removed), id, in_place, clusters_written}.
struct RestoreLedger {
  nlohmann::json doc = nlohmann::json::array();
  // The entry of `vm_id`, added (building, nothing made) when missing. The
  // reference is valid until the next For of another VM.
  nlohmann::json& For(const std::string& vm_id);
};

// One VM being rebuilt (oneclick, selective): what the steps pass on.
struct VmRestore {
  const db::SnapshotVm& vm;
  control::VmPlan plan;
  nlohmann::json def;     // the VM's resources_db entry (server, image, ...)
  std::string name;       // of the new VM
  nlohmann::json& entry;  // its ledger entry
  std::vector<openstack::ServerNetwork> networks{};         // ports step: the new ports
  std::vector<std::pair<std::string, std::string>> volumes{};  // volumes step: new volume id, device
  std::string server_id{};                                   // server step
};

class RestoreRun {
 public:
  RestoreRun(EngineContext& ctx, const JobContext& jc, db::Restore restore);

  // Restores every included VM; the restore becomes available and the
  // workload `lock` is released together.
  Status Run(HeldWorkloadLock& lock);
  // Removes everything in the ledger that is not a finished VM (all of it
  // when `everything`). Best effort: what cannot be removed is logged and
  // named in the returned text.
  std::string Undo(bool everything);

 private:
  // Plan: the snapshot's rows and resources, the typed plan of the row's
  // options, a token. InvalidArgument when no VM is included.
  Status Plan();
  Status RestoreVm(const db::SnapshotVm& vm, const control::VmPlan& plan);
  Status FinishVm(VmRestore& r);

  // Ports (restore_ports.cc).
  Status CreatePorts(VmRestore& r);
  Result<std::vector<std::string>> SecurityGroupIds(const db::SnapshotVm& vm);
  openstack::PortCreate PortSpec(const VmRestore& r, const std::vector<nlohmann::json>& ips,
                                 const std::string& network, size_t index) const;
  Status CheckAddressesFree(const db::SnapshotVm& vm, const openstack::PortCreate& port);

  // Volumes (restore_volumes.cc).
  Status CreateVolumes(VmRestore& r);
  Result<std::string> NewVolume(VmRestore& r, const db::SnapshotDisk& disk);
  Status WriteVolume(VmRestore& r, const db::SnapshotDisk& disk, const std::string& volume_id);
  Result<std::string> DatamoverHost(const std::string& preferred);

  // Server (restore_server.cc).
  Status CreateServer(VmRestore& r);
  Result<std::string> FindFlavor(const nlohmann::json& captured, const control::VmPlan& plan);
  Result<std::string> BootImage(VmRestore& r);
  Result<std::string> StageBootDisk(const db::SnapshotVm& vm, const db::SnapshotDisk& boot);
  openstack::ImageCreate BootImageSpec(const VmRestore& r) const;
  // Data (restore_server.cc): Nova's other local disks (ephemeral, swap) of
  // the new VM, which Nova makes empty: the VM is stopped, their data
  // written in place, started; then the volumes attached.
  Status RestoreData(VmRestore& r);
  Status RestoreLocalDisks(const db::SnapshotVm& vm, const std::string& server_id);
  Status AttachVolumes(VmRestore& r);

  // In place (restore_in_place.cc): the VM is shut off, its disks written
  // back, it starts again as it was.
  Status InPlaceVm(const db::SnapshotVm& vm, const control::VmPlan& plan);
  Status CheckVolumesStillAttached(const db::SnapshotVm& vm);
  Status WriteBackDisks(const db::SnapshotVm& vm, const control::VmPlan& plan, const openstack::Server& admin_view,
                        nlohmann::json& entry);

  // Undo of one ledger entry (restore_workflow.cc); `note` records what is left.
  void UndoEntry(nlohmann::json& entry, const std::function<void(const std::string&, const Status&)>& note);
  // Finish: the restore available and the workload unlocked together.
  Status Finish(HeldWorkloadLock& lock, int restored, int64_t seconds);

  // The restore_disk task writing the snapshot's disk `device` of VM
  // `vm_id` into that disk of the (shut-off) server `target`.
  rpc::DiskTask IntoDomainDisk(const std::string& vm_id, const std::string& device,
                               const openstack::Server& target) const;
  // Stops `server_id` and waits until it is SHUTOFF.
  Status StopServer(const std::string& server_id);
  // The name of an object made for VM `vm_name`: the prefix, the restore's id, the VM.
  std::string ObjectName(const std::string& vm_name) const;
  Status CheckCancel() const { return jc_.cancel.load() ? Status::Cancelled("cancelled") : Status::OK(); }
  // A fresh token for the next phase: a restore can outlive a token.
  Status RefreshToken();
  Status SaveLedger();
  void Progress(const std::string& msg);
  std::vector<db::SnapshotDisk> DisksOf(const std::string& vm_id) const;

  EngineContext& ctx_;
  const JobContext& jc_;
  CloudDriver& cloud_;
  db::Restore r_;
  db::Snapshot s_;
  control::RestorePlan plan_;
  openstack::Token user_;
  openstack::WaitOptions waits_;
  std::string target_id_;  // the target's identity marker, checked by every datamover
  std::vector<db::SnapshotVm> vms_;
  std::vector<db::SnapshotDisk> disks_;
  nlohmann::json resources_ = nlohmann::json::object();
  RestoreLedger ledger_;
  std::vector<std::string> warnings_;
  uint64_t bytes_ = 0;
  int progress_percent_ = 0;
};

}  // namespace cairn::engine
