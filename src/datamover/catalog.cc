#include "datamover/catalog.h"

#include <algorithm>

#include "common/strings.h"
#include "qcow2/header.h"
#include "qcow2/image.h"
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

namespace {

// Resolves the backing name of the image at store path `image_path` against
// the image's directory, within the store.
Result<std::string> ResolveBackingName(const std::string& image_path, const std::string& backing) {
  if (backing[0] == '/') return Status::NotSupported(image_path + ": absolute backing file name " + backing);
  std::vector<std::string> parts;
  auto push_path = [&](const std::string& p) -> Status {
    for (std::string_view part : Split(p, '/')) {
      if (part == "..") {
        if (parts.empty()) return Status::Corruption(image_path + ": backing file " + backing + " leaves the target");
        parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.emplace_back(part);
      }
    }
    return Status::OK();
  };
  CAIRN_RETURN_IF_ERROR(push_path(image_path.substr(0, image_path.rfind('/'))));
  CAIRN_RETURN_IF_ERROR(push_path(backing));
  return Join(parts, "/");
}

// Opens one layer of a backup chain (and, with follow, the layers below it)
// through the store, as qcow2, confined to store paths starting with `confine`.
Result<std::unique_ptr<qcow2::Disk>> OpenChainLayer(target::Store& store, const std::string& path,
                                                    const std::string& confine, bool follow,
                                                    std::vector<std::string>& layers) {
  constexpr size_t kMaxChainLength = 1000;
  if (layers.size() >= kMaxChainLength)
    return Status::Corruption(path + ": backing chain longer than " + std::to_string(kMaxChainLength));
  if (std::find(layers.begin(), layers.end(), path) != layers.end())
    return Status::Corruption(layers.back() + ": backing chain loop (" + path + " is already in the chain)");
  layers.push_back(path);
  auto file = store.OpenForRead(path);
  if (!file.ok()) return file.status().WithContext("backup image " + path);
  CAIRN_ASSIGN_OR_RETURN(qcow2::Header header, qcow2::ReadHeader(**file));
  std::unique_ptr<qcow2::Disk> backing;
  if (!header.backing_file.empty() && follow) {
    if (!header.backing_format.empty() && header.backing_format != "qcow2")
      return Status::Corruption(path + ": backing file " + header.backing_file + " has format '" +
                                header.backing_format + "'; a backup chain holds qcow2 images only");
    CAIRN_ASSIGN_OR_RETURN(std::string below, ResolveBackingName(path, header.backing_file));
    if (below.compare(0, confine.size(), confine) != 0)
      return Status::Corruption(path + ": backing file " + header.backing_file + " is outside its workload (" +
                                confine + ")");
    auto opened = OpenChainLayer(store, below, confine, follow, layers);
    if (!opened.ok()) return opened.status().WithContext(path + ": backing file " + header.backing_file);
    backing = std::move(opened).value();
  }
  CAIRN_ASSIGN_OR_RETURN(auto image, qcow2::Qcow2Image::Open(std::move(file).value(), std::move(header),
                                                            std::move(backing)));
  return std::unique_ptr<qcow2::Disk>(std::move(image));
}

}  // namespace

Result<BackupChain> OpenBackupChain(target::Store& store, const DiskBackup& backup, bool follow_backing) {
  CAIRN_RETURN_IF_ERROR(backup.ref.Validate());
  BackupChain chain;
  const std::string confine = layout::WorkloadDir(backup.ref.workload) + "/";
  CAIRN_ASSIGN_OR_RETURN(chain.disk, OpenChainLayer(store, backup.image_path(), confine, follow_backing, chain.layers));
  return chain;
}

Result<std::unique_ptr<qcow2::Disk>> OpenBackupImage(target::Store& store, const DiskBackup& backup,
                                                     bool follow_backing) {
  CAIRN_ASSIGN_OR_RETURN(BackupChain chain, OpenBackupChain(store, backup, follow_backing));
  return std::move(chain.disk);
}

Result<std::optional<std::string>> BackingImagePath(target::Store& store, const std::string& image_path) {
  CAIRN_ASSIGN_OR_RETURN(auto file, store.OpenForRead(image_path));
  CAIRN_ASSIGN_OR_RETURN(qcow2::Header h, qcow2::ReadHeader(*file));
  if (h.backing_file.empty()) return std::optional<std::string>();
  CAIRN_ASSIGN_OR_RETURN(std::string path, ResolveBackingName(image_path, h.backing_file));
  return std::optional<std::string>(std::move(path));
}

}  // namespace cairn::datamover
