#include "datamover_service/datamover_service.h"

#include <unistd.h>

#include "common/log.h"
#include "db/disk_task_repository.h"
#include "db/service_repository.h"
#include "rpc/db_transport.h"

namespace cairn::datamover_service {

Status RegisterDatamover(db::Executor& db, target::Store& store, const DatamoverOptions& options) {
  db::Service row;
  row.host = options.host;
  row.binary = std::string(kDatamoverBinary);
  row.version = CAIRN_VERSION;
  Result<uint64_t> free_space = store.FreeSpace();
  row.capacity = {{"cores", static_cast<int64_t>(std::thread::hardware_concurrency())},
                  {"task_workers", options.task_workers},
                  {"target_free_bytes", free_space.ok() ? static_cast<int64_t>(*free_space) : -1}};
  return db::ServiceRepository(db).Upsert(std::move(row)).status();
}

DatamoverService::DatamoverService(db::Database& db, target::Store& store, DatamoverOptions options)
    : db_(db), store_(store), options_(std::move(options)),
      handler_(std::make_unique<DatamoverTaskHandler>(store_, options_)) {}

DatamoverService::~DatamoverService() { Stop(); }

Status DatamoverService::Start() {
  CAIRN_RETURN_IF_ERROR(RegisterDatamover(db_, store_, options_));
  CAIRN_ASSIGN_OR_RETURN(int64_t failed,
                         db::DiskTaskRepository(db_).FailRunningOnHost(
                             options_.host, "the datamover on host " + options_.host + " restarted during the task"));
  if (failed > 0) GetLogger("datamover")->warn("{} task(s) left running by an earlier run failed", failed);
  const std::string pid = std::to_string(::getpid());
  for (int i = 0; i < options_.task_workers; ++i) {
    threads_.emplace_back([this, i, pid] {
      rpc::DbTaskWorker worker(db_, *handler_,
                               {.host = options_.host, .worker = options_.host + ":" + pid + ":" + std::to_string(i)});
      worker.RunUntil(stop_);
    });
  }
  threads_.emplace_back([this] {
    db::ServiceRepository services(db_);
    while (!stop_.load()) {
      for (auto waited = std::chrono::milliseconds(0); waited < options_.heartbeat && !stop_.load();
           waited += std::chrono::milliseconds(100)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      Result<uint64_t> free_space = store_.FreeSpace();
      nlohmann::json capacity = {{"cores", static_cast<int64_t>(std::thread::hardware_concurrency())},
                                 {"task_workers", options_.task_workers},
                                 {"target_free_bytes", free_space.ok() ? static_cast<int64_t>(*free_space) : -1}};
      if (Status s = services.Heartbeat(options_.host, kDatamoverBinary, capacity); !s.ok()) {
        GetLogger("datamover")->warn("heartbeat: {}", s.ToString());
        if (s.IsNotFound()) (void)RegisterDatamover(db_, store_, options_);
      }
    }
  });
  GetLogger("datamover")->info("serving the disk tasks of host {} with {} worker(s)", options_.host,
                               options_.task_workers);
  return Status::OK();
}

void DatamoverService::Stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace cairn::datamover_service
