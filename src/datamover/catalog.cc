#include "datamover/catalog.h"

#include "qcow2/header.h"
#include "qcow2/open.h"
#include "target/layout.h"

namespace cairn::datamover {

namespace layout = target::layout;

Status DiskRef::Validate() const {
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("workload id", workload));
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("snapshot id", snapshot));
  CAIRN_RETURN_IF_ERROR(layout::ValidateId("vm id", vm));
  return layout::ValidateDevice(device);
}

std::string DiskRef::ToString() const {
  return "workload " + workload + " snapshot " + snapshot + " vm " + vm + " disk " + device;
}

std::string DiskBackup::image_path() const { return layout::DiskImage(dir, image_id); }
std::string DiskBackup::manifest_path() const { return layout::DiskManifest(dir, image_id); }

Result<std::optional<std::string>> FindDiskDir(target::Store& store, const DiskRef& ref) {
  const std::string vm_dir = layout::VmDir(ref.workload, ref.snapshot, ref.vm);
  auto entries = store.List(vm_dir);
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return std::optional<std::string>();
    return entries.status();
  }
  std::optional<std::string> found;
  for (const std::string& name : *entries) {
    std::string resource, dev;
    if (!layout::ParseDiskDirName(name, resource, dev) || dev != ref.device) continue;
    if (found) return Status::Corruption(vm_dir + " holds two directories for disk " + ref.device);
    found = vm_dir + "/" + name;
  }
  return found;
}

Result<DiskBackup> FindDiskBackup(target::Store& store, const DiskRef& ref) {
  CAIRN_RETURN_IF_ERROR(ref.Validate());
  CAIRN_ASSIGN_OR_RETURN(auto dir, FindDiskDir(store, ref));
  if (!dir) return Status::NotFound("no backup of " + ref.ToString() + " on " + store.Describe());
  CAIRN_ASSIGN_OR_RETURN(auto entries, store.List(*dir));
  constexpr std::string_view kSuffix = ".manifest";
  for (const std::string& name : entries) {
    if (name.size() <= kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
      continue;
    DiskBackup b;
    b.ref = ref;
    b.dir = *dir;
    b.image_id = name.substr(0, name.size() - kSuffix.size());
    std::string dev;
    layout::ParseDiskDirName(dir->substr(dir->rfind('/') + 1), b.resource, dev);
    CAIRN_ASSIGN_OR_RETURN(bool image_exists, store.Exists(b.image_path()));
    if (!image_exists) return Status::Corruption(b.manifest_path() + " has no image beside it");
    return b;
  }
  return Status::NotFound("no published backup of " + ref.ToString() + " (the disk directory " + *dir +
                          " holds no manifest: an interrupted backup)");
}

Result<std::vector<DiskBackup>> ListDiskBackups(target::Store& store, const std::string& workload,
                                                const std::string& vm, const std::string& device) {
  std::vector<DiskBackup> out;
  auto entries = store.List(layout::WorkloadDir(workload));
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return out;
    return entries.status();
  }
  constexpr std::string_view kPrefix = "snapshot_";
  for (const std::string& name : *entries) {
    if (name.compare(0, kPrefix.size(), kPrefix) != 0) continue;
    DiskRef ref{workload, name.substr(kPrefix.size()), vm, device};
    if (!ref.Validate().ok()) continue;
    auto b = FindDiskBackup(store, ref);
    if (b.ok()) {
      out.push_back(std::move(*b));
    } else if (!b.status().IsNotFound()) {
      return b.status();
    }
  }
  return out;
}

Result<Manifest> LoadManifest(target::Store& store, const DiskBackup& backup) {
  CAIRN_ASSIGN_OR_RETURN(std::string bytes, store.ReadSmall(backup.manifest_path(), 1ull << 30));
  auto m = DecodeManifest(std::span(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()));
  if (!m.ok()) return m.status().WithContext(backup.manifest_path());
  return m;
}

Result<std::unique_ptr<qcow2::Disk>> OpenBackupImage(target::Store& store, const DiskBackup& backup,
                                                     bool follow_backing) {
  CAIRN_ASSIGN_OR_RETURN(std::string path, store.LocalPath(backup.image_path()));
  qcow2::OpenOptions opts;
  opts.format = "qcow2";
  opts.follow_backing = follow_backing;
  return qcow2::OpenDisk(path, opts);
}

Result<std::optional<std::string>> BackingImagePath(target::Store& store, const std::string& image_path) {
  CAIRN_ASSIGN_OR_RETURN(auto file, store.OpenForRead(image_path));
  CAIRN_ASSIGN_OR_RETURN(qcow2::Header h, qcow2::ReadHeader(*file));
  if (h.backing_file.empty()) return std::optional<std::string>();
  if (h.backing_file[0] == '/') return Status::NotSupported(image_path + ": absolute backing file name " + h.backing_file);
  // Resolve "../.." against the image's directory, within the store.
  std::vector<std::string> parts;
  auto push_path = [&](const std::string& p) -> Status {
    size_t start = 0;
    while (start <= p.size()) {
      size_t slash = p.find('/', start);
      if (slash == std::string::npos) slash = p.size();
      std::string part = p.substr(start, slash - start);
      if (part == "..") {
        if (parts.empty()) return Status::Corruption(image_path + ": backing file " + h.backing_file + " leaves the target");
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = slash + 1;
    }
    return Status::OK();
  };
  CAIRN_RETURN_IF_ERROR(push_path(image_path.substr(0, image_path.rfind('/'))));
  CAIRN_RETURN_IF_ERROR(push_path(h.backing_file));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return std::optional<std::string>(out);
}

}  // namespace cairn::datamover
