// The snapshot workflow (snapshot_create, RunSnapshot in workflows.h) in its
// steps, and the typed data that passes between them:
//
//   ChooseSnapshotBase   full or incremental, on which snapshot     (snapshot_plan.cc)
//   CaptureWorkloadVms   every VM's definition, written to the target (snapshot_capture.cc)
//   PlanVmBackups        full or incremental per VM                 (snapshot_plan.cc)
//   DispatchVmBackups    the datamovers' vm_backup tasks            (snapshot_dispatch.cc)
//   RecordSnapshot       disk and VM rows, the target's metadata     (snapshot_record.cc)
//   PublishSnapshot      available, and the workload unlocked        (snapshot_end.cc)
//   EndSnapshot          the undo of a failed or cancelled snapshot  (snapshot_end.cc)
//
// docs/engine.md describes each step. Internal to the engine: only the
// workflow and its tests include this.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "db/models.h"
#include "engine/context.h"
#include "engine/job_runner.h"
#include "engine/vm_capture.h"
#include "engine/workload_lock.h"
#include "openstack/token.h"

namespace cairn::engine {

// What every step of one snapshot works with.
struct SnapshotRun {
  EngineContext& ctx;
  const JobContext& jc;
  db::Snapshot& snapshot;  // its row as this job last wrote it
  // Said to the user in the snapshot's warning_msg, in the order they came.
  std::vector<std::string> warnings;

  // The user cancelled the snapshot, or this engine lost the job.
  bool Cancelled() const { return jc.cancel.load(); }
};

// --- Plan: the snapshot as a whole.

// What a snapshot builds on: its type and the workload's last available
// snapshot before it.
struct SnapshotBase {
  bool full = true;
  std::optional<db::Snapshot> previous;
  // The previous snapshot's VMs: what an incremental builds on, and the
  // checkpoints whose bitmaps this snapshot makes obsolete (also after a full).
  std::vector<db::SnapshotVm> previous_vms;
};

// A full when the snapshot was asked as one (its type, or the job's "full"),
// when there is no previous snapshot, or when the workload's
// fullbackup_interval says so (0: always; N: after N incrementals; -1 or
// none: only the first).
Result<SnapshotBase> ChooseSnapshotBase(db::Executor& db, const db::Snapshot& snapshot, const db::Workload& workload,
                                        const db::Job& job);

// fullbackup_interval of a workload's schedule (also spelled
// full_backup_interval; a number or a numeric string), -1 when unset.
int FullBackupInterval(const db::Workload& workload);

// --- The datamover's answer to a vm_backup task (datamover_service/task_handler.h).

struct BackedUpDisk {
  std::string device;       // the disk's target device in the domain: "vda"
  std::string serial;       // Nova sets a Cinder volume's id (or its first 20 characters)
  std::string resource;     // vm_res_id on the target
  std::string image_id;     // the disk snapshot's id (its row in snapshot_disks)
  std::string image_path;   // the backup's path on the target
  std::string driver_type;  // qcow2, raw
  std::string mode;         // how changes were found: full, bitmap, scan
  std::string warning;      // why it is a full rather than an incremental, ...
  bool incremental = false;
  int64_t virtual_size = 0;     // bytes the guest sees
  int64_t image_file_size = 0;  // bytes on the target
};

struct VmBackupAnswer {
  std::vector<BackedUpDisk> disks;
  // The checkpoint taken at this backup, as the datamover gave it ({name,
  // xml}; null when none): handed back unchanged for the next incremental,
  // its xml to remove its bitmaps.
  nlohmann::json checkpoint;
  std::vector<std::string> warnings;
  bool quiesced = false;

  bool HasCheckpoint() const { return checkpoint.is_object(); }
  std::string CheckpointXml() const { return HasCheckpoint() ? checkpoint.value("xml", "") : ""; }
};

// Reads `answer` into `out`, the checkpoint first (so that a failed
// snapshot still removes it when the rest is malformed). Internal naming the
// field when a value has the wrong type.
Status ParseVmBackupAnswer(const nlohmann::json& answer, VmBackupAnswer& out);

// --- One VM's part of the snapshot, filled in step by step.

struct VmSnapshot {
  CapturedVm vm;                      // capture
  std::vector<std::string> warnings;  // capture and plan: said in the VM's order
  // plan: the snapshot holding the VM's previous backup (none: a full)
  std::optional<db::Snapshot> previous;
  std::optional<db::SnapshotVm> previous_vm;
  bool force_full = false;
  std::optional<VmBackupAnswer> answer;  // dispatch: set once the datamover answered

  // The previous backup's checkpoint ({name, xml}), null when none.
  nlohmann::json PreviousCheckpoint() const;
};

// --- Capture.

struct CapturedWorkload {
  std::vector<VmSnapshot> vms;        // in the workload's order
  std::vector<db::SnapshotVm> rows;   // their snapshot_vms rows (snapshot_id set)
  nlohmann::json resources;           // resources_db: each VM's definition by id
};

// Captures every VM of `workload` as `user` (vm_capture.h), stopping at a
// cancel; writes workload_db and the snapshot's resources to the target.
// NotFound naming the VM when one no longer exists; InvalidArgument for a
// workload without VMs.
Result<CapturedWorkload> CaptureWorkloadVms(SnapshotRun& run, const db::Workload& workload,
                                            const openstack::Token& user);

// --- Plan: each VM.

// Sets each VM's previous backup and whether it is backed up in full: all
// of them in a full snapshot; in an incremental, a VM new in the workload
// (nothing to build on) and one that moved to another host (its change
// tracking stayed behind: a warning says so). Moves the VMs' warnings to
// run.warnings.
void PlanVmBackups(SnapshotRun& run, const SnapshotBase& base, std::vector<VmSnapshot>& vms);

// --- Dispatch.

// How many VMs' disk tasks run at once: 1 for a Serial workload, else
// [engine] max_parallel_vms (at least 1).
size_t VmsAtOnce(const db::Workload& workload, const EngineOptions& options);

// Runs a vm_backup disk task per VM on its host's datamover, `at_once` VMs
// at a time (in batches, in the workload's order), reporting progress
// between 5 and 95 percent. The first VM that fails stops the others' tasks
// and says why (naming the VM and its host); a cancel stops them all.
// Each VM's answer is kept in vms[i].answer as soon as it comes.
Status DispatchVmBackups(SnapshotRun& run, std::vector<VmSnapshot>& vms, size_t at_once,
                         const std::string& target_id);

// The body of a VM's vm_backup task.
nlohmann::json VmBackupBody(const db::Snapshot& snapshot, const VmSnapshot& vm, const std::string& target_id);

// --- Record.

// What the record step adds up.
struct RecordedSize {
  int64_t size = 0;          // bytes of the snapshot's images on the target
  int64_t restore_size = 0;  // bytes the guests see
};

// Writes a snapshot_disks row per backed-up disk (linked to the previous
// snapshot's disk when incremental) and the snapshot_vms rows (with their
// disks, quiesce and checkpoint), then the disks' disk_db and the
// resources again on the target. NotSupported when a VM's volume came back
// without a disk (a network disk such as RBD).
Result<RecordedSize> RecordSnapshot(SnapshotRun& run, CapturedWorkload& captured);

// Asks the datamover of `vm`'s host to remove the bitmaps of a checkpoint
// (remove_checkpoint) and waits for it.
Status RemoveCheckpointBitmaps(EngineContext& ctx, const std::string& job_id, const CapturedVm& vm,
                               const std::string& checkpoint_xml);

// Removes the bitmaps of the previous snapshot's checkpoints, which no
// backup needs once this one is recorded. A failure costs space in the
// disk only: a warning in the log.
void DropObsoleteCheckpoints(SnapshotRun& run, const std::vector<VmSnapshot>& vms);

// --- The end.

// Publishes the snapshot: its values, then snapshot_db on the target, then
// the status available by compare-and-set from executing, with the
// workload's unlock in the same transaction. Cancelled when the job was
// cancelled or lost, or a cancel won the compare-and-set. Updates the
// workload's storage usage.
Status PublishSnapshot(SnapshotRun& run, const RecordedSize& recorded, size_t vm_count,
                       std::chrono::steady_clock::time_point started, HeldWorkloadLock& lock);

// Ends a snapshot that failed (`why`) or was cancelled: stops the job's disk
// tasks, removes the checkpoints its VMs' backups took, its files on the
// target and its snapshot_disks rows, and sets it error (with why's
// message) or cancelled with the workload's unlock in one transaction.
void EndSnapshot(EngineContext& ctx, const db::Snapshot& snapshot, const Status& why,
                 const std::vector<VmSnapshot>& vms, const std::string& job_id, HeldWorkloadLock& lock);

}  // namespace cairn::engine
