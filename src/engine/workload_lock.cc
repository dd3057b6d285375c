#include "engine/workload_lock.h"

#include <exception>

#include "common/log.h"
#include "db/workload_repository.h"

namespace cairn::engine {
namespace {

namespace ws = db::workload_status;

Status Unlock(db::Executor& db, const std::string& workload_id) {
  Status s = db::WorkloadRepository(db).SetStatusIf(workload_id, {std::string(ws::kLocked)}, ws::kAvailable);
  // Not locked (any more), or deleted meanwhile: nothing to release.
  return s.code() == ErrorCode::kConflict || s.IsNotFound() ? Status::OK() : s;
}

}  // namespace

HeldWorkloadLock::~HeldWorkloadLock() {
  if (unlocked_ || job_.Lost()) return;
  if (Status s = Unlock(db_, workload_id_); !s.ok()) {
    GetLogger("engine")->error("job {}: workload {} stays locked: {}", job_.job.id, workload_id_, s.ToString());
  }
}

Status HeldWorkloadLock::UnlockWith(std::string_view what, const std::function<Status(db::Executor&)>& step) {
  Status done = db_.Transaction(what, [&](db::Executor& tx) -> Status {
    CAIRN_RETURN_IF_ERROR(step(tx));
    // A lost job's lock is its new owner's now.
    return job_.Lost() ? Status::OK() : Unlock(tx, workload_id_);
  });
  if (done.ok()) unlocked_ = true;
  return done;
}

Status CatchExceptions(std::string_view what, const std::function<Status()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Status::Internal("unexpected error in " + std::string(what) + ": " + e.what());
  } catch (...) {
    return Status::Internal("unexpected error in " + std::string(what));
  }
}

}  // namespace cairn::engine
