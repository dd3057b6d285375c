#include "datamover_service/task_handler.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/log.h"
#include "datamover/libvirt/vm_backup.h"
#include "datamover/restore.h"
#include "target/identity.h"

namespace cairn::datamover_service {
namespace {

using nlohmann::json;
namespace lv = datamover::libvirt;

Result<std::string> Field(const json& body, const char* name) {
  if (!body.contains(name) || !body[name].is_string() || body[name].get<std::string>().empty()) {
    return Status::InvalidArgument(std::string("disk task: \"") + name + "\" is missing");
  }
  return body[name].get<std::string>();
}

std::optional<std::string> OptField(const json& body, const char* name) {
  if (body.contains(name) && body[name].is_string() && !body[name].get<std::string>().empty()) {
    return body[name].get<std::string>();
  }
  return std::nullopt;
}

json DiskResultJson(const datamover::BackupResult& r, const lv::DomainDisk& disk) {
  return {{"device", r.backup.ref.device},
          {"serial", disk.serial},
          {"source", disk.source},
          {"driver_type", disk.driver_type},
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

DatamoverTaskHandler::DatamoverTaskHandler(target::Store& store, DatamoverOptions options)
    : store_(store), options_(std::move(options)), connector_(MakeNfsConnector(options_.nfs_mount_point_base)) {}

Result<json> DatamoverTaskHandler::Run(const rpc::DiskTask& task, const rpc::ProgressFn& progress,
                                       const std::atomic<bool>& cancel) {
  if (!task.body.is_object()) return Status::InvalidArgument("disk task " + task.id + ": the body is not an object");
  if (task.kind == rpc::task_kind::kVmBackup || task.kind == rpc::task_kind::kRestoreDisk) {
    // This host's mount of the target must be the engine's target: not an
    // unmounted share's empty mount point, not another share.
    CAIRN_RETURN_IF_ERROR(target::CheckTargetIdentity(store_, OptField(task.body, "target_id").value_or(""))
                              .WithContext("the datamover on host " + options_.host));
  }
  if (task.kind == rpc::task_kind::kVmBackup) return BackupVm(task.body, progress, cancel);
  if (task.kind == rpc::task_kind::kRestoreDisk) return RestoreDisk(task.body, progress, cancel);
  if (task.kind == rpc::task_kind::kRemoveCheckpoint) {
    CAIRN_ASSIGN_OR_RETURN(std::string domain, Field(task.body, "domain"));
    CAIRN_ASSIGN_OR_RETURN(std::string xml, Field(task.body, "xml"));
    CAIRN_RETURN_IF_ERROR(lv::RemoveCheckpointBitmaps(options_.libvirt_uri, domain, xml));
    return json::object();
  }
  return Status::NotSupported("this datamover does not know disk tasks of kind \"" + task.kind + "\"");
}

Result<json> DatamoverTaskHandler::BackupVm(const json& body, const rpc::ProgressFn& progress,
                                            const std::atomic<bool>& cancel) {
  CAIRN_ASSIGN_OR_RETURN(std::string workload, Field(body, "workload"));
  CAIRN_ASSIGN_OR_RETURN(std::string snapshot, Field(body, "snapshot"));
  CAIRN_ASSIGN_OR_RETURN(std::string vm, Field(body, "vm"));
  CAIRN_ASSIGN_OR_RETURN(std::string domain, Field(body, "domain"));
  const std::optional<std::string> previous = OptField(body, "previous_snapshot");
  const bool force_full = body.value("force_full", false);

  CAIRN_ASSIGN_OR_RETURN(lv::DomainInfo info, lv::InspectDomain(options_.libvirt_uri, domain));
  std::vector<lv::DomainDisk> disks;
  for (const auto& d : info.disks) {
    if (d.Exportable()) disks.push_back(d);
  }
  if (disks.empty()) return Status::InvalidArgument("domain " + domain + " has no disk Cairn can back up");
  json out = {{"disks", json::array()}, {"checkpoint", nullptr}, {"warnings", json::array()}, {"quiesced", false}};

  if (info.running) {
    lv::VmBackupRequest request;
    request.uri = options_.libvirt_uri;
    request.domain = domain;
    for (const auto& d : disks) {
      request.disks.push_back(lv::VmDiskRequest{.device = d.device,
                                                .disk = {workload, snapshot, vm, d.device},
                                                .resource = "",
                                                .previous_snapshot = force_full ? std::nullopt : previous});
    }
    if (!force_full && body.contains("previous_checkpoint") && body["previous_checkpoint"].is_object()) {
      request.previous_checkpoint.name = body["previous_checkpoint"].value("name", "");
      request.previous_checkpoint.xml = body["previous_checkpoint"].value("xml", "");
    }
    request.force_full = force_full;
    request.quiesce = body.value("quiesce", false);
    request.compression = options_.compression;
    request.threads = options_.threads;
    request.progress = progress;
    request.cancel = &cancel;
    CAIRN_ASSIGN_OR_RETURN(lv::VmBackupResult result, lv::BackupVm(store_, request));
    for (size_t i = 0; i < result.disks.size() && i < disks.size(); ++i) {
      out["disks"].push_back(DiskResultJson(result.disks[i], disks[i]));
    }
    if (!result.checkpoint.empty()) out["checkpoint"] = {{"name", result.checkpoint.name}, {"xml", result.checkpoint.xml}};
    for (const auto& w : result.warnings) out["warnings"].push_back(w);
    out["quiesced"] = result.quiesced;
    return out;
  }

  // Shut off: nothing writes to the disks, read their files (compared with
  // the previous backups cluster by cluster). No checkpoint is taken, so
  // the next backup of the running VM is a full one.
  out["warnings"].push_back("VM " + vm + " is not running: its disks were read from their files; the next "
                            "snapshot of the running VM will be a full one");
  uint64_t total = 0;
  uint64_t done_before = 0;
  for (const auto& d : disks) {
    datamover::BackupRequest request;
    request.source = d.source;
    request.source_format = d.driver_type == "qcow2" ? "qcow2" : "raw";
    request.disk = {workload, snapshot, vm, d.device};
    request.previous_snapshot = force_full ? std::nullopt : previous;
    request.mode = force_full || !previous ? datamover::ChangeMode::kFull : datamover::ChangeMode::kScan;
    request.compression = options_.compression;
    request.threads = options_.threads;
    request.cancel = &cancel;
    request.progress = [&](uint64_t done, uint64_t disk_total) {
      if (progress) progress(done_before + done, std::max(total, done_before + disk_total));
    };
    Result<datamover::BackupResult> result = datamover::Backup(store_, request);
    if (!result.ok()) return result.status().WithContext("disk " + d.device + " of VM " + vm);
    done_before += result->virtual_size;
    total = done_before;
    out["disks"].push_back(DiskResultJson(*result, d));
  }
  return out;
}

Result<json> DatamoverTaskHandler::RestoreDisk(const json& body, const rpc::ProgressFn& progress,
                                               const std::atomic<bool>& cancel) {
  datamover::RestoreRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.disk.workload, Field(body, "workload"));
  CAIRN_ASSIGN_OR_RETURN(request.disk.snapshot, Field(body, "snapshot"));
  CAIRN_ASSIGN_OR_RETURN(request.disk.vm, Field(body, "vm"));
  CAIRN_ASSIGN_OR_RETURN(request.disk.device, Field(body, "device"));
  request.in_place = true;
  if (body.contains("connection_info")) {
    CAIRN_ASSIGN_OR_RETURN(request.to, connector_->LocalPath(body["connection_info"]));
  } else if (body.contains("domain")) {
    // In place into a VM's own disk: the domain must be shut off.
    CAIRN_ASSIGN_OR_RETURN(std::string domain, Field(body, "domain"));
    CAIRN_ASSIGN_OR_RETURN(lv::DomainInfo info, lv::InspectDomain(options_.libvirt_uri, domain));
    if (info.running) return Status::Conflict("domain " + domain + " is running: an in-place restore needs it shut off");
    const lv::DomainDisk* disk = nullptr;
    for (const auto& d : info.disks) {
      if (d.device == request.disk.device && d.Exportable()) disk = &d;
    }
    if (disk == nullptr) return Status::NotFound("domain " + domain + " has no disk " + request.disk.device);
    request.to = disk->source;
    if (disk->driver_type == "qcow2") {
      // A Nova disk (qcow2 on a base image): the snapshot's disk is built
      // as a standalone qcow2 beside it and replaces it by rename.
      request.in_place = false;
      request.format = qcow2::OutputFormat::kQcow2;
      const std::string replaced = disk->source;
      request.to = replaced + ".cairn-restore";
      std::error_code ec;
      std::filesystem::remove(request.to, ec);
      request.progress = progress;
      request.cancel = &cancel;
      request.threads = options_.threads;
      struct stat st;
      const bool have_owner = ::stat(replaced.c_str(), &st) == 0;
      Result<datamover::RestoreResult> result = datamover::Restore(store_, request);
      if (!result.ok()) {
        std::filesystem::remove(request.to, ec);
        return result.status();
      }
      if (have_owner) {
        (void)::chown(request.to.c_str(), st.st_uid, st.st_gid);
        (void)::chmod(request.to.c_str(), st.st_mode & 07777);
      }
      if (::rename(request.to.c_str(), replaced.c_str()) != 0) {
        Status failed = Status::FromErrno(errno, "replace " + replaced);
        std::filesystem::remove(request.to, ec);
        return failed;
      }
      return json{{"virtual_size", result->virtual_size},
                  {"bytes_written", result->bytes_written},
                  {"clusters_written", result->bytes_written / 65536},
                  {"replaced", true},
                  {"seconds", result->seconds}};
    }
  } else {
    return Status::InvalidArgument("restore_disk: give connection_info or domain");
  }
  request.threads = options_.threads;
  request.progress = progress;
  request.cancel = &cancel;
  GetLogger("datamover")->info("restoring {} into {}", request.disk.ToString(), request.to);
  CAIRN_ASSIGN_OR_RETURN(datamover::RestoreResult result, datamover::Restore(store_, request));
  return json{{"virtual_size", result.virtual_size},
              {"bytes_written", result.bytes_written},
              {"clusters_written", result.clusters_written},
              {"seconds", result.seconds}};
}

}  // namespace cairn::datamover_service
