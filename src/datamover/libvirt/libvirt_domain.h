// LibvirtDomain: the few libvirt calls a VM backup makes, on one domain,
// with RAII ownership of the connection and domain handles and errors as
// Status values. Kept apart from the backup's logic so that it stays small.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

struct _virConnect;
struct _virDomain;

namespace cairn::datamover::libvirt {

class LibvirtDomain {
 public:
  // Connects to `uri` and looks the domain up by name. Unavailable when the
  // connection fails, NotFound when there is no such domain.
  static Result<LibvirtDomain> Open(const std::string& uri, const std::string& name);

  const std::string& name() const { return name_; }
  // True while the domain runs (or is paused).
  Result<bool> IsActive() const;
  // The live XML when running, else the inactive one.
  Result<std::string> XmlDesc() const;

  // Defines checkpoint metadata from XML (VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE,
  // with REDEFINE_VALIDATE when `validate`: libvirt then checks that every
  // named bitmap is present and consistent in the running domain's images).
  Status RedefineCheckpoint(const std::string& xml, bool validate);
  // Deletes a checkpoint: only its libvirt metadata, or also its bitmaps.
  // NotFound when no checkpoint has that name.
  Status DeleteCheckpoint(const std::string& name, bool metadata_only);
  // The names of the checkpoints libvirt knows for the domain.
  Result<std::vector<std::string>> CheckpointNames() const;
  // The checkpoint's XML without the <domain> copy (VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN).
  Result<std::string> CheckpointXml(const std::string& name) const;

  // The XML of the domain's running backup job; NotFound when none runs.
  Result<std::string> BackupXml() const;
  // virDomainBackupBegin: starts a backup job, and takes a checkpoint when
  // `checkpoint_xml` is not empty.
  Status BackupBegin(const std::string& backup_xml, const std::string& checkpoint_xml);
  // Ends the domain's running job (for a pull-mode backup: stops the NBD
  // server and discards the scratch data).
  Status AbortJob();
  // Freezes / thaws the guest's file systems through the guest agent.
  Status FreezeFilesystems();
  Status ThawFilesystems();

 private:
  struct ConnectDeleter {
    void operator()(_virConnect* c) const;
  };
  struct DomainDeleter {
    void operator()(_virDomain* d) const;
  };
  LibvirtDomain() = default;

  std::unique_ptr<_virConnect, ConnectDeleter> conn_;
  std::unique_ptr<_virDomain, DomainDeleter> dom_;
  std::string name_;
};

}  // namespace cairn::datamover::libvirt
