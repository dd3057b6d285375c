#include "target/layout.h"

#include <vector>

namespace cairn::target::layout {
namespace {

std::string Join(std::string_view a, std::string_view b) {
  std::string s(a);
  s += '/';
  s += b;
  return s;
}

std::string Prefixed(std::string_view prefix, std::string_view id) {
  std::string s(prefix);
  s += id;
  return s;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

Status ValidateId(std::string_view what, std::string_view id) {
  if (id.empty() || id.size() > 128)
    return Status::InvalidArgument(std::string(what) + " must be 1 to 128 characters");
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok)
      return Status::InvalidArgument(std::string(what) + " '" + std::string(id) +
                                     "' may only contain letters, digits, '-' and '_'");
  }
  return Status::OK();
}

Status ValidateDevice(std::string_view dev) {
  if (dev.empty() || dev.size() > 32) return Status::InvalidArgument("disk device name must be 1 to 32 characters");
  for (char c : dev) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return Status::InvalidArgument("disk device name '" + std::string(dev) +
                                     "' may only contain lower-case letters and digits");
  }
  return Status::OK();
}

std::string WorkloadDir(std::string_view w) { return Prefixed("workload_", w); }
std::string WorkloadDb(std::string_view w) { return Join(WorkloadDir(w), "workload_db"); }
std::string WorkloadVmsDb(std::string_view w) { return Join(WorkloadDir(w), "workload_vms_db"); }
std::string SnapshotDir(std::string_view w, std::string_view s) { return Join(WorkloadDir(w), Prefixed("snapshot_", s)); }
std::string SnapshotDb(std::string_view w, std::string_view s) { return Join(SnapshotDir(w, s), "snapshot_db"); }
std::string SnapshotVmsDb(std::string_view w, std::string_view s) { return Join(SnapshotDir(w, s), "snapshot_vms_db"); }
std::string ResourcesDb(std::string_view w, std::string_view s) { return Join(SnapshotDir(w, s), "resources_db"); }
std::string NetworkDir(std::string_view w, std::string_view s) { return Join(SnapshotDir(w, s), "network"); }
std::string SecurityGroupDir(std::string_view w, std::string_view s) { return Join(SnapshotDir(w, s), "security_group"); }
std::string VmDir(std::string_view w, std::string_view s, std::string_view vm) {
  return Join(SnapshotDir(w, s), Prefixed("vm_id_", vm));
}
std::string DiskDirName(std::string_view resource, std::string_view dev) {
  std::string s = Prefixed("vm_res_id_", resource);
  s += '_';
  s += dev;
  return s;
}
std::string DiskDir(std::string_view w, std::string_view s, std::string_view vm, std::string_view resource,
                    std::string_view dev) {
  return Join(VmDir(w, s, vm), DiskDirName(resource, dev));
}
std::string DiskDb(std::string_view disk_dir) { return Join(disk_dir, "disk_db"); }
std::string DiskImage(std::string_view disk_dir, std::string_view id) { return Join(disk_dir, id); }
std::string DiskManifest(std::string_view disk_dir, std::string_view id) { return Join(disk_dir, id) + ".manifest"; }

bool ParseDiskDirName(std::string_view name, std::string& resource, std::string& dev) {
  constexpr std::string_view kPrefix = "vm_res_id_";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = name.substr(kPrefix.size());
  // The device is the part after the last '_' (device names have none).
  size_t underscore = rest.rfind('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == rest.size()) return false;
  resource = std::string(rest.substr(0, underscore));
  dev = std::string(rest.substr(underscore + 1));
  return true;
}

std::string RelativePath(std::string_view from, std::string_view to) {
  auto from_parts = Split(from);
  auto to_parts = Split(to);
  if (!from_parts.empty()) from_parts.pop_back();  // the directory of `from`
  size_t common = 0;
  while (common < from_parts.size() && common + 1 < to_parts.size() && from_parts[common] == to_parts[common]) ++common;
  std::string out;
  for (size_t i = common; i < from_parts.size(); ++i) out += "../";
  for (size_t i = common; i < to_parts.size(); ++i) {
    out += to_parts[i];
    if (i + 1 < to_parts.size()) out += '/';
  }
  return out;
}

}  // namespace cairn::target::layout
