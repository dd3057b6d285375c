// SchemaLock: one libvirt call at a time on this host among the calls that
// make libvirtd validate XML against its RelaxNG schemas (beginning a backup,
// defining a checkpoint).
//
// Why: libvirtd validates backup and checkpoint XML with libxml2, and the
// first schema parse after libvirtd starts sets up libxml2's XML Schema type
// library. In Debian 12's libxml2 (2.9.14) that set-up is not thread safe:
// two libvirtd worker threads parsing schemas for the first time at once can
// fail with "Unable to parse RNG .../domainbackup.rng: Error type
// 'unsignedInt' is not exported by type library". A datamover that begins the
// backups of two VMs at once right after a libvirtd restart hits it. These
// calls are short, so they are serialised on the host: a mutex within the
// process and an advisory lock on a file under /run/lock shared by every Cairn
// process on the host (where that directory is writable).
#pragma once

namespace cairn::datamover::libvirt {

class SchemaLock {
 public:
  // Blocks until this thread holds the host's lock.
  SchemaLock();
  ~SchemaLock();
  SchemaLock(const SchemaLock&) = delete;
  SchemaLock& operator=(const SchemaLock&) = delete;

  // The file whose flock() is the cross-process lock.
  static const char* LockFilePath();

 private:
  int fd_ = -1;  // the lock file, held with flock(LOCK_EX), or -1
};

}  // namespace cairn::datamover::libvirt
