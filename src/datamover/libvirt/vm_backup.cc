#include "datamover/libvirt/vm_backup.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "common/log.h"
#include "common/time.h"
#include "common/uuid.h"
#include "datamover/libvirt/libvirt_domain.h"
#include "datamover/libvirt/nbd_disk.h"
#include "datamover/libvirt/qemu_img.h"
#include "target/layout.h"

namespace cairn::datamover::libvirt {
namespace {

constexpr std::string_view kCheckpointPrefix = "cairn-";

// A private directory for the NBD server's socket and the scratch files,
// owned by the user QEMU runs as (QEMU creates the socket); removed with its
// contents on destruction.
class SocketDir {
 public:
  static Result<std::unique_ptr<SocketDir>> Create(const std::optional<DacOwner>& owner) {
    std::string pattern = (std::filesystem::temp_directory_path() / (SocketDirPrefix(::getpid()) + "XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) return Status::FromErrno(errno, "mkdtemp " + pattern);
    auto dir = std::unique_ptr<SocketDir>(new SocketDir(pattern));
    if (owner && ::chown(pattern.c_str(), owner->uid, owner->gid) != 0)
      return Status::FromErrno(errno, "chown " + pattern + " to the user QEMU runs as");
    return dir;
  }
  ~SocketDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  SocketDir(const SocketDir&) = delete;
  SocketDir& operator=(const SocketDir&) = delete;
  const std::string& path() const { return path_; }
  std::string socket() const { return path_ + "/nbd.sock"; }

 private:
  explicit SocketDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// How one requested disk is read.
struct DiskPlan {
  const VmDiskRequest* request = nullptr;
  DomainDisk disk;
  std::string incremental;  // the checkpoint its dirty bitmap starts at; "": no bitmap is used
  std::unique_ptr<NbdDisk> nbd;
};

class VmBackupRun {
 public:
  VmBackupRun(target::Store& store, const VmBackupRequest& req) : store_(store), req_(req) {}

  Result<VmBackupResult> Run() {
    Stopwatch watch;
    Status s = Execute();
    if (!s.ok()) {
      Cleanup();
      return s;
    }
    result_.seconds = watch.ElapsedSeconds();
    return std::move(result_);
  }

 private:
  Status Execute() {
    CAIRN_RETURN_IF_ERROR(Validate());
    CAIRN_ASSIGN_OR_RETURN(auto domain, LibvirtDomain::Open(req_.uri, req_.domain));
    domain_ = std::make_unique<LibvirtDomain>(std::move(domain));
    CAIRN_ASSIGN_OR_RETURN(bool active, domain_->IsActive());
    if (!active) return Status::Conflict("domain " + req_.domain + " is not running: a pull-mode backup needs it running");
    CAIRN_ASSIGN_OR_RETURN(std::string xml, domain_->XmlDesc());
    CAIRN_ASSIGN_OR_RETURN(domain_disks_, ParseDomainDisks(xml));
    CAIRN_RETURN_IF_ERROR(PlanDisks());
    CAIRN_RETURN_IF_ERROR(EndLeftoverJob());
    CAIRN_RETURN_IF_ERROR(ClearLeftoverCheckpoints());
    RestorePreviousCheckpoint();
    ChooseIncrementals();
    if (req_.cancel != nullptr && req_.cancel->load()) return Status::Cancelled("cancelled on request");

    CAIRN_ASSIGN_OR_RETURN(socket_dir_, SocketDir::Create(ParseDacOwner(xml)));
    CAIRN_RETURN_IF_ERROR(BeginBackup());
    CAIRN_ASSIGN_OR_RETURN(result_.checkpoint.xml, domain_->CheckpointXml(new_checkpoint_));
    result_.checkpoint.name = new_checkpoint_;

    CAIRN_RETURN_IF_ERROR(OpenExports());
    for (DiskPlan& p : plans_) CAIRN_RETURN_IF_ERROR(BackupDisk(p));
    plans_.clear();  // closes the NBD connections before the job ends

    if (Status s = domain_->AbortJob(); !s.ok()) result_.warnings.push_back("ending the backup job: " + s.message());
    job_running_ = false;
    ForgetCheckpoints();
    return Status::OK();
  }

  Status Validate() {
    if (req_.domain.empty()) return Status::InvalidArgument("no domain named");
    if (req_.disks.empty()) return Status::InvalidArgument("no disk to back up");
    std::set<std::string> seen;
    for (const VmDiskRequest& d : req_.disks) {
      if (!seen.insert(d.device).second) return Status::InvalidArgument("device " + d.device + " is named twice");
      CAIRN_RETURN_IF_ERROR(d.disk.Validate());
    }
    return Status::OK();
  }

  Status PlanDisks() {
    for (const VmDiskRequest& r : req_.disks) {
      auto it = std::find_if(domain_disks_.begin(), domain_disks_.end(),
                             [&](const DomainDisk& d) { return d.device == r.device; });
      if (it == domain_disks_.end())
        return Status::InvalidArgument("domain " + req_.domain + " has no disk " + r.device);
      if (!it->Exportable())
        return Status::InvalidArgument("disk " + r.device + " of domain " + req_.domain + " (" + it->device_type + ", " +
                                       it->source_type + (it->read_only ? ", read-only" : "") + ") cannot be exported");
      DiskPlan p;
      p.request = &r;
      p.disk = *it;
      plans_.push_back(std::move(p));
    }
    return Status::OK();
  }

  // A backup job of a Cairn process that died (its socket directory names
  // its pid) is ended; a live one of another run, or a job that is not
  // Cairn's, is a Conflict: libvirt runs one job per domain.
  Status EndLeftoverJob() {
    auto xml = domain_->BackupXml();
    if (!xml.ok()) return xml.status().IsNotFound() ? Status::OK() : xml.status();
    CAIRN_ASSIGN_OR_RETURN(std::string socket, ParseBackupSocket(*xml));
    const std::optional<int> owner = SocketDirOwner(socket);
    if (!owner) return Status::Conflict("domain " + req_.domain + " runs a backup job that is not Cairn's");
    if (::kill(*owner, 0) == 0 || errno != ESRCH)
      return Status::Conflict("domain " + req_.domain + " is being backed up by process " + std::to_string(*owner));
    GetLogger("datamover")->warn("domain {}: ending the backup job left by process {}", req_.domain, *owner);
    CAIRN_RETURN_IF_ERROR(domain_->AbortJob());
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(socket).parent_path(), ec);
    return Status::OK();
  }

  // Checkpoints named like ours are what a run that died left in libvirt.
  // The previous checkpoint is only forgotten (its bitmap serves this run);
  // any other one was never handed to the caller, or is older than the
  // previous one: it goes with its bitmaps.
  Status ClearLeftoverCheckpoints() {
    CAIRN_ASSIGN_OR_RETURN(auto names, domain_->CheckpointNames());
    for (const std::string& name : names) {
      if (name.rfind(kCheckpointPrefix, 0) != 0) continue;
      const bool previous = name == req_.previous_checkpoint.name;
      GetLogger("datamover")->warn("domain {}: removing the leftover checkpoint {}{}", req_.domain, name,
                                   previous ? " (metadata only)" : "");
      if (!previous && domain_->DeleteCheckpoint(name, /*metadata_only=*/false).ok()) continue;
      CAIRN_RETURN_IF_ERROR(domain_->DeleteCheckpoint(name, /*metadata_only=*/true));
    }
    return Status::OK();
  }

  // Defines the previous checkpoint again from its XML, validated against
  // the disks' bitmaps. Any doubt makes the bitmaps unusable (fulls).
  void RestorePreviousCheckpoint() {
    const CheckpointRef& prev = req_.previous_checkpoint;
    if (req_.force_full || prev.empty()) return;
    auto info = ParseCheckpointXml(prev.xml);
    auto xml = RedefinableCheckpointXml(prev.xml);
    std::string why;
    if (!info.ok()) {
      why = info.status().message();
    } else if (info->name != prev.name) {
      why = "its XML names checkpoint '" + info->name + "'";
    } else if (!xml.ok()) {
      why = xml.status().message();
    } else if (Status s = domain_->RedefineCheckpoint(*xml, /*validate=*/true); !s.ok()) {
      why = s.message();
    }
    if (!why.empty()) {
      previous_warning_ = "the previous checkpoint '" + prev.name + "' is unusable (" + why + ")";
      return;
    }
    previous_ = std::move(*info);
  }

  void ChooseIncrementals() {
    for (DiskPlan& p : plans_) {
      if (!p.disk.CanHaveBitmap() || req_.force_full || !p.request->previous_snapshot) continue;
      if (!previous_) {
        const std::string why = req_.previous_checkpoint.empty() ? "no previous checkpoint was given" : previous_warning_;
        full_reasons_[p.disk.device] = why;
        continue;
      }
      const std::string bitmap = previous_->BitmapOf(p.disk.device);
      if (bitmap.empty()) {
        full_reasons_[p.disk.device] = "the previous checkpoint '" + previous_->name + "' has no bitmap for it";
        continue;
      }
      p.incremental = previous_->name;
    }
  }

  std::string BackupXml() const {
    std::vector<BackupDiskPlan> disks;
    for (const DomainDisk& d : domain_disks_) {
      BackupDiskPlan b;
      b.device = d.device;
      for (const DiskPlan& p : plans_)
        if (p.disk.device == d.device) {
          b.backup = true;
          b.incremental = p.incremental;
        }
      disks.push_back(std::move(b));
    }
    return BuildBackupXml(socket_dir_->socket(), socket_dir_->path(), disks);
  }

  std::string CheckpointXml() const {
    std::vector<std::string> all, bitmaps;
    for (const DomainDisk& d : domain_disks_) all.push_back(d.device);
    for (const DiskPlan& p : plans_)
      if (p.disk.CanHaveBitmap()) bitmaps.push_back(p.disk.device);
    return BuildCheckpointXml(new_checkpoint_, all, bitmaps);
  }

  // Starts the pull-mode backup and takes the new checkpoint at the same
  // instant, with the file systems frozen around it when asked. When
  // libvirt refuses the incremental exports, every disk is exported in full.
  Status BeginBackup() {
    new_checkpoint_ = std::string(kCheckpointPrefix) + Uuid::Random().ToString();
    if (req_.quiesce) {
      if (Status s = domain_->FreezeFilesystems(); s.ok()) {
        frozen_ = true;
      } else {
        result_.warnings.push_back("not quiesced: " + s.message() + "; the backup is crash-consistent");
      }
    }
    Status s = domain_->BackupBegin(BackupXml(), CheckpointXml());
    const bool any_incremental =
        std::any_of(plans_.begin(), plans_.end(), [](const DiskPlan& p) { return !p.incremental.empty(); });
    if (!s.ok() && any_incremental) {
      for (DiskPlan& p : plans_) {
        if (p.incremental.empty()) continue;
        full_reasons_[p.disk.device] = "libvirt refused the incremental export (" + s.message() + ")";
        p.incremental.clear();
      }
      s = domain_->BackupBegin(BackupXml(), CheckpointXml());
    }
    if (frozen_) {
      if (Status t = domain_->ThawFilesystems(); !t.ok()) result_.warnings.push_back(t.message());
      result_.quiesced = s.ok();
      frozen_ = false;
    }
    if (!s.ok()) return s;
    job_running_ = true;
    checkpoint_created_ = true;
    return Status::OK();
  }

  Status OpenExports() {
    int connections = req_.threads > 0 ? req_.threads : static_cast<int>(std::thread::hardware_concurrency());
    connections = std::clamp(connections, 1, 8);
    for (DiskPlan& p : plans_) {
      NbdDiskOptions o;
      o.socket = socket_dir_->socket();
      o.export_name = ExportName(p.disk.device);
      o.connections = connections;
      if (!p.incremental.empty()) o.dirty_bitmap = ExportBitmapName(p.disk.device);
      auto nbd = NbdDisk::Open(o);
      if (!nbd.ok() && !p.incremental.empty()) {
        // Without the bitmap the export still holds the instant's data: a full.
        full_reasons_[p.disk.device] = "the export has no dirty bitmap (" + nbd.status().message() + ")";
        p.incremental.clear();
        o.dirty_bitmap.clear();
        nbd = NbdDisk::Open(o);
      }
      if (!nbd.ok()) return nbd.status().WithContext("disk " + p.disk.device);
      total_ += (*nbd)->virtual_size();
      p.nbd = std::move(*nbd);
    }
    return Status::OK();
  }

  Status BackupDisk(DiskPlan& p) {
    const VmDiskRequest& r = *p.request;
    BackupRequest b;
    b.source = "libvirt:" + req_.domain + "/" + p.disk.device + " (" + p.disk.source + ")";
    b.source_disk = p.nbd.get();
    b.disk = r.disk;
    b.resource = r.resource;
    b.previous_snapshot = r.previous_snapshot;
    b.compression = req_.compression;
    b.threads = req_.threads;
    b.lock_timeout = req_.lock_timeout;
    b.cancel = req_.cancel;
    if (p.disk.CanHaveBitmap()) b.checkpoint = new_checkpoint_;
    if (req_.force_full) {
      b.mode = ChangeMode::kFull;
    } else if (!p.incremental.empty()) {
      auto dirty = p.nbd->DirtyExtents();
      if (dirty.ok()) {
        b.mode = ChangeMode::kBitmap;
        b.changed = std::move(*dirty);
        b.changes_since = p.incremental;
      } else {
        b.mode = ChangeMode::kFull;
        full_reasons_[p.disk.device] = "its dirty bitmap could not be read (" + dirty.status().message() + ")";
      }
    } else if (p.disk.CanHaveBitmap() || !r.previous_snapshot) {
      b.mode = ChangeMode::kFull;
    } else {
      b.mode = ChangeMode::kScan;  // raw disks: per-cluster checksums against the previous manifest
    }
    const uint64_t base = done_;
    if (req_.progress) b.progress = [&, base](uint64_t done, uint64_t) { req_.progress(base + done, total_); };
    CAIRN_ASSIGN_OR_RETURN(BackupResult br, Backup(store_, b));
    done_ += br.virtual_size;
    auto reason = full_reasons_.find(p.disk.device);
    if (reason != full_reasons_.end() && !br.incremental)
      result_.warnings.push_back(p.disk.device + ": full backup instead of an incremental: " + reason->second);
    else if (!br.warning.empty())
      result_.warnings.push_back(p.disk.device + ": " + br.warning);
    p.nbd.reset();
    result_.disks.push_back(std::move(br));
    return Status::OK();
  }

  // Leaves no checkpoint metadata in libvirt; the bitmaps stay in the disks.
  void ForgetCheckpoints() {
    if (checkpoint_created_) {
      if (Status s = domain_->DeleteCheckpoint(new_checkpoint_, true); !s.ok() && !s.IsNotFound())
        result_.warnings.push_back("forgetting the new checkpoint: " + s.message());
      checkpoint_created_ = false;
    }
    if (previous_) {
      if (Status s = domain_->DeleteCheckpoint(previous_->name, true); !s.ok() && !s.IsNotFound())
        result_.warnings.push_back("forgetting the previous checkpoint: " + s.message());
      previous_.reset();
    }
  }

  // After a failure: end the job, drop the new checkpoint with its bitmaps
  // (no backup records it), forget the previous one, remove what was written.
  void Cleanup() {
    auto log = GetLogger("datamover");
    plans_.clear();
    if (domain_ && frozen_) (void)domain_->ThawFilesystems();
    if (domain_ && job_running_) {
      if (Status s = domain_->AbortJob(); !s.ok()) log->warn("domain {}: {}", req_.domain, s.message());
    }
    if (domain_ && checkpoint_created_) {
      Status s = domain_->DeleteCheckpoint(new_checkpoint_, /*metadata_only=*/false);
      if (!s.ok() && !s.IsNotFound()) {
        log->warn("domain {}: {}; forgetting it instead", req_.domain, s.message());
        (void)domain_->DeleteCheckpoint(new_checkpoint_, /*metadata_only=*/true);
      }
    }
    if (domain_ && previous_) (void)domain_->DeleteCheckpoint(previous_->name, /*metadata_only=*/true);
    if (result_.disks.empty()) return;
    auto lock = store_.LockWorkload(result_.disks.front().backup.ref.workload, req_.lock_timeout);
    if (!lock.ok()) {
      log->warn("cannot remove the disk backups of the failed run: {}", lock.status().ToString());
      return;
    }
    for (const BackupResult& r : result_.disks) {
      if (Status s = store_.RemoveAll(r.backup.dir); !s.ok()) log->warn("removing {}: {}", r.backup.dir, s.ToString());
      (void)store_.SyncDirectory(target::layout::VmDir(r.backup.ref.workload, r.backup.ref.snapshot, r.backup.ref.vm));
    }
  }

  target::Store& store_;
  const VmBackupRequest& req_;
  std::unique_ptr<LibvirtDomain> domain_;
  std::vector<DomainDisk> domain_disks_;
  std::vector<DiskPlan> plans_;
  std::optional<CheckpointInfo> previous_;  // redefined in libvirt
  std::string previous_warning_;
  std::map<std::string, std::string> full_reasons_;  // device -> why it is not incremental
  std::string new_checkpoint_;
  std::unique_ptr<SocketDir> socket_dir_;
  bool frozen_ = false;
  bool job_running_ = false;
  bool checkpoint_created_ = false;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  VmBackupResult result_;
};

}  // namespace

Result<DomainInfo> InspectDomain(const std::string& uri, const std::string& domain_name) {
  CAIRN_ASSIGN_OR_RETURN(LibvirtDomain domain, LibvirtDomain::Open(uri, domain_name));
  DomainInfo info;
  info.name = domain_name;
  CAIRN_ASSIGN_OR_RETURN(info.running, domain.IsActive());
  CAIRN_ASSIGN_OR_RETURN(std::string xml, domain.XmlDesc());
  CAIRN_ASSIGN_OR_RETURN(info.disks, ParseDomainDisks(xml));
  return info;
}

Result<VmBackupResult> BackupVm(target::Store& store, const VmBackupRequest& request) {
  return VmBackupRun(store, request).Run();
}

Status RemoveCheckpointBitmaps(const std::string& uri, const std::string& domain_name,
                               const std::string& checkpoint_xml) {
  CAIRN_ASSIGN_OR_RETURN(CheckpointInfo info, ParseCheckpointXml(checkpoint_xml));
  CAIRN_ASSIGN_OR_RETURN(std::string xml, RedefinableCheckpointXml(checkpoint_xml));
  CAIRN_ASSIGN_OR_RETURN(LibvirtDomain domain, LibvirtDomain::Open(uri, domain_name));
  CAIRN_ASSIGN_OR_RETURN(bool active, domain.IsActive());
  if (active) {
    // libvirt removes the bitmaps from the running QEMU's images.
    CAIRN_RETURN_IF_ERROR(domain.RedefineCheckpoint(xml, /*validate=*/false));
    if (domain.DeleteCheckpoint(info.name, /*metadata_only=*/false).ok()) return Status::OK();
    (void)domain.DeleteCheckpoint(info.name, /*metadata_only=*/true);  // leave no metadata
    // libvirt refuses the whole deletion when one disk lacks its bitmap
    // ("not found in backing chain"): go disk by disk, each checkpoint
    // validated first, so that only bitmaps still present are removed.
    CAIRN_ASSIGN_OR_RETURN(std::string domain_xml, domain.XmlDesc());
    CAIRN_ASSIGN_OR_RETURN(auto disks, ParseDomainDisks(domain_xml));
    std::vector<std::string> devices;
    for (const DomainDisk& d : disks) devices.push_back(d.device);
    for (const CheckpointDisk& c : info.disks) {
      if (c.bitmap.empty() || std::find(devices.begin(), devices.end(), c.device) == devices.end()) continue;
      if (c.bitmap != info.name)
        return Status::NotSupported("checkpoint " + info.name + " names bitmap " + c.bitmap + " on " + c.device);
      if (!domain.RedefineCheckpoint(BuildCheckpointXml(info.name, devices, {c.device}), /*validate=*/true).ok())
        continue;  // not (or not intact) on this disk
      Status s = domain.DeleteCheckpoint(info.name, /*metadata_only=*/false);
      if (!s.ok()) {
        (void)domain.DeleteCheckpoint(info.name, /*metadata_only=*/true);
        return s;
      }
    }
    return Status::OK();
  }
  // Shut off: libvirt 9 refuses ("cannot delete checkpoint for inactive
  // domain"); no QEMU has the images open, so qemu-img edits them (its image
  // lock refuses if the domain starts meanwhile).
  CAIRN_ASSIGN_OR_RETURN(std::string domain_xml, domain.XmlDesc());
  CAIRN_ASSIGN_OR_RETURN(auto disks, ParseDomainDisks(domain_xml));
  for (const CheckpointDisk& c : info.disks) {
    if (c.bitmap.empty()) continue;
    auto it = std::find_if(disks.begin(), disks.end(), [&](const DomainDisk& d) { return d.device == c.device; });
    if (it == disks.end() || !it->CanHaveBitmap()) continue;  // detached or replaced: nothing to remove
    CAIRN_RETURN_IF_ERROR(RemoveQcow2Bitmap(it->source, c.bitmap));
  }
  return Status::OK();
}

}  // namespace cairn::datamover::libvirt
