#include "datamover/libvirt/libvirt_domain.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <mutex>

#include "datamover/libvirt/schema_lock.h"

namespace cairn::datamover::libvirt {
namespace {

// libvirt prints every error to stderr unless told otherwise; the errors are
// reported as Status values instead.
void QuietErrors(void* /*data*/, virErrorPtr /*error*/) {}

void InitLibvirt() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)virInitialize();
    virSetErrorFunc(nullptr, QuietErrors);
  });
}

// The calling thread's last libvirt error as a Status of `code`.
Status LastError(ErrorCode code, std::string_view what) {
  const char* msg = virGetLastErrorMessage();
  return Status(code, std::string(what) + ": " + (msg != nullptr ? msg : "unknown libvirt error"));
}

struct CheckpointDeleter {
  void operator()(virDomainCheckpointPtr c) const { virDomainCheckpointFree(c); }
};
using Checkpoint = std::unique_ptr<virDomainCheckpoint, CheckpointDeleter>;

struct FreeDeleter {
  void operator()(char* p) const { free(p); }  // NOLINT: libvirt allocates with malloc
};

}  // namespace

void LibvirtDomain::ConnectDeleter::operator()(_virConnect* c) const {
  if (c != nullptr) virConnectClose(c);
}
void LibvirtDomain::DomainDeleter::operator()(_virDomain* d) const {
  if (d != nullptr) virDomainFree(d);
}

Result<LibvirtDomain> LibvirtDomain::Open(const std::string& uri, const std::string& name) {
  InitLibvirt();
  LibvirtDomain d;
  d.name_ = name;
  d.conn_.reset(virConnectOpen(uri.c_str()));
  if (!d.conn_) return LastError(ErrorCode::kUnavailable, "cannot connect to libvirt at " + uri);
  d.dom_.reset(virDomainLookupByName(d.conn_.get(), name.c_str()));
  if (!d.dom_) {
    const bool missing = virGetLastErrorCode() == VIR_ERR_NO_DOMAIN;
    return LastError(missing ? ErrorCode::kNotFound : ErrorCode::kIOError, "domain " + name);
  }
  return d;
}

Result<bool> LibvirtDomain::IsActive() const {
  const int r = virDomainIsActive(dom_.get());
  if (r < 0) return LastError(ErrorCode::kIOError, "domain " + name_ + ": is it active");
  return r == 1;
}

Result<std::string> LibvirtDomain::XmlDesc() const {
  std::unique_ptr<char, FreeDeleter> xml(virDomainGetXMLDesc(dom_.get(), 0));
  if (!xml) return LastError(ErrorCode::kIOError, "domain " + name_ + ": XML");
  return std::string(xml.get());
}

Status LibvirtDomain::RedefineCheckpoint(const std::string& xml, bool validate) {
  unsigned flags = VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE;
  if (validate) flags |= VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE;
  const SchemaLock schema_lock;
  Checkpoint c(virDomainCheckpointCreateXML(dom_.get(), xml.c_str(), flags));
  if (!c) return LastError(ErrorCode::kIOError, "domain " + name_ + ": redefining a checkpoint");
  return Status::OK();
}

Status LibvirtDomain::DeleteCheckpoint(const std::string& name, bool metadata_only) {
  Checkpoint c(virDomainCheckpointLookupByName(dom_.get(), name.c_str(), 0));
  if (!c) {
    const bool missing = virGetLastErrorCode() == VIR_ERR_NO_DOMAIN_CHECKPOINT;
    return LastError(missing ? ErrorCode::kNotFound : ErrorCode::kIOError, "domain " + name_ + ": checkpoint " + name);
  }
  if (virDomainCheckpointDelete(c.get(), metadata_only ? VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY : 0) < 0)
    return LastError(ErrorCode::kIOError, "domain " + name_ + ": deleting checkpoint " + name);
  return Status::OK();
}

Result<std::vector<std::string>> LibvirtDomain::CheckpointNames() const {
  virDomainCheckpointPtr* list = nullptr;
  const int n = virDomainListAllCheckpoints(dom_.get(), &list, 0);
  if (n < 0) return LastError(ErrorCode::kIOError, "domain " + name_ + ": listing checkpoints");
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    Checkpoint c(list[i]);
    if (const char* name = virDomainCheckpointGetName(c.get())) names.emplace_back(name);
  }
  free(list);  // NOLINT: allocated by libvirt
  return names;
}

Result<std::string> LibvirtDomain::CheckpointXml(const std::string& name) const {
  Checkpoint c(virDomainCheckpointLookupByName(dom_.get(), name.c_str(), 0));
  if (!c) return LastError(ErrorCode::kNotFound, "domain " + name_ + ": checkpoint " + name);
  std::unique_ptr<char, FreeDeleter> xml(virDomainCheckpointGetXMLDesc(c.get(), VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN));
  if (!xml) return LastError(ErrorCode::kIOError, "domain " + name_ + ": XML of checkpoint " + name);
  return std::string(xml.get());
}

Result<std::string> LibvirtDomain::BackupXml() const {
  std::unique_ptr<char, FreeDeleter> xml(virDomainBackupGetXMLDesc(dom_.get(), 0));
  if (!xml) {
    const bool none = virGetLastErrorCode() == VIR_ERR_NO_DOMAIN_BACKUP;
    return LastError(none ? ErrorCode::kNotFound : ErrorCode::kIOError, "domain " + name_ + ": backup job");
  }
  return std::string(xml.get());
}

Status LibvirtDomain::BackupBegin(const std::string& backup_xml, const std::string& checkpoint_xml) {
  const SchemaLock schema_lock;
  if (virDomainBackupBegin(dom_.get(), backup_xml.c_str(), checkpoint_xml.empty() ? nullptr : checkpoint_xml.c_str(),
                           0) < 0)
    return LastError(ErrorCode::kIOError, "domain " + name_ + ": starting the backup");
  return Status::OK();
}

Status LibvirtDomain::AbortJob() {
  if (virDomainAbortJob(dom_.get()) < 0) return LastError(ErrorCode::kIOError, "domain " + name_ + ": ending the job");
  return Status::OK();
}

Status LibvirtDomain::FreezeFilesystems() {
  if (virDomainFSFreeze(dom_.get(), nullptr, 0, 0) < 0)
    return LastError(ErrorCode::kUnavailable, "domain " + name_ + ": freezing file systems");
  return Status::OK();
}

Status LibvirtDomain::ThawFilesystems() {
  if (virDomainFSThaw(dom_.get(), nullptr, 0, 0) < 0)
    return LastError(ErrorCode::kUnavailable, "domain " + name_ + ": thawing file systems");
  return Status::OK();
}

}  // namespace cairn::datamover::libvirt
