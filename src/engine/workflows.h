// The engine's workflows, one per job kind (db::job_kind), and the cancel
// probes that tell a running job its object is being cancelled.
// docs/engine.md describes what each does, step by step.
#pragma once

#include "engine/context.h"
#include "engine/job_runner.h"

namespace cairn::engine {

// snapshot_create: capture every VM's definition, back up its disks through
// the datamover of its host (full or incremental), record and publish.
Status RunSnapshot(EngineContext& ctx, const JobContext& job);
// snapshot_delete: drop the snapshot's disk backups with the datamover's
// merge (later incrementals stay restorable), then its files and rows.
Status RunSnapshotDelete(EngineContext& ctx, const JobContext& job);
// restore_create: oneclick, selective or inplace (restore_workflow.cc).
Status RunRestore(EngineContext& ctx, const JobContext& job);
// workload_create: check the VMs exist, write workload_db, make it available.
Status RunWorkloadCreate(EngineContext& ctx, const JobContext& job);
// workload_delete: remove the workload's data on the target (unless
// database_only) and its rows.
Status RunWorkloadDelete(EngineContext& ctx, const JobContext& job);
// workload_reset: end what a dead job left (locks, leftovers on the target).
Status RunWorkloadReset(EngineContext& ctx, const JobContext& job);
// snapshot_cancel / restore_cancel: the running job sees the cancelling
// status itself; this job finishes the cancel when no job runs it any more.
Status RunSnapshotCancel(EngineContext& ctx, const JobContext& job);
Status RunRestoreCancel(EngineContext& ctx, const JobContext& job);

// Asks the datamovers to stop the disk tasks of a job and waits until none
// runs (a datamover that stopped reporting has its tasks failed), at most
// [engine] datamover_timeout + 5 s. For jobs that end while tasks may still
// run: taken over from a dead engine, failed, cancelled.
void StopDiskTasksOfJob(EngineContext& ctx, const std::string& job_id);

bool SnapshotIsCancelling(EngineContext& ctx, const db::Job& job);
bool RestoreIsCancelling(EngineContext& ctx, const db::Job& job);

// Registers every workflow above with its job kind.
void RegisterWorkflows(JobRunner& runner, EngineContext& ctx);

}  // namespace cairn::engine
