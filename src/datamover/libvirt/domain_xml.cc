#include "datamover/libvirt/domain_xml.h"

#include <algorithm>
#include <charconv>

#include "datamover/libvirt/xml.h"

namespace cairn::datamover::libvirt {

bool DomainDisk::Exportable() const {
  return (device_type == "disk" || device_type == "lun") && !read_only &&
         (source_type == "file" || source_type == "block") && !source.empty();
}

Result<std::vector<DomainDisk>> ParseDomainDisks(std::string_view domain_xml) {
  CAIRN_ASSIGN_OR_RETURN(XmlElement root, ParseXml(domain_xml));
  if (root.name != "domain") return Status::InvalidArgument("not a domain XML: root element <" + root.name + ">");
  std::vector<DomainDisk> disks;
  const XmlElement* devices = root.Child("devices");
  if (devices == nullptr) return disks;
  for (const XmlElement* d : devices->Children("disk")) {
    DomainDisk disk;
    disk.source_type = d->Attribute("type");
    disk.device_type = d->HasAttribute("device") ? d->Attribute("device") : "disk";
    if (const XmlElement* t = d->Child("target")) {
      disk.device = t->Attribute("dev");
      disk.bus = t->Attribute("bus");
    }
    if (const XmlElement* drv = d->Child("driver")) disk.driver_type = drv->Attribute("type");
    if (const XmlElement* src = d->Child("source")) {
      if (disk.source_type == "file") disk.source = src->Attribute("file");
      else if (disk.source_type == "block") disk.source = src->Attribute("dev");
      else if (disk.source_type == "network") disk.source = src->Attribute("protocol") + ":" + src->Attribute("name");
      else if (disk.source_type == "volume") disk.source = src->Attribute("pool") + "/" + src->Attribute("volume");
    }
    disk.serial = d->ChildText("serial");
    disk.read_only = d->Child("readonly") != nullptr;
    if (disk.device.empty()) return Status::InvalidArgument("domain XML: a <disk> has no <target dev=...>");
    disks.push_back(std::move(disk));
  }
  return disks;
}

std::optional<DacOwner> ParseDacOwner(std::string_view domain_xml) {
  auto root = ParseXml(domain_xml);
  if (!root.ok()) return std::nullopt;
  for (const XmlElement* label : root->Children("seclabel")) {
    if (label->Attribute("model") != "dac") continue;
    std::string text = label->ChildText("label");  // "+64055:+110"
    const size_t colon = text.find(':');
    if (colon == std::string::npos) return std::nullopt;
    auto number = [](std::string_view s) -> std::optional<uint32_t> {
      if (!s.empty() && s[0] == '+') s.remove_prefix(1);
      uint32_t v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
      return v;
    };
    auto uid = number(std::string_view(text).substr(0, colon));
    auto gid = number(std::string_view(text).substr(colon + 1));
    if (!uid || !gid) return std::nullopt;
    return DacOwner{*uid, *gid};
  }
  return std::nullopt;
}

std::string CheckpointInfo::BitmapOf(std::string_view device) const {
  for (const CheckpointDisk& d : disks)
    if (d.device == device) return d.bitmap;
  return "";
}

Result<CheckpointInfo> ParseCheckpointXml(std::string_view checkpoint_xml) {
  CAIRN_ASSIGN_OR_RETURN(XmlElement root, ParseXml(checkpoint_xml));
  if (root.name != "domaincheckpoint")
    return Status::InvalidArgument("not a checkpoint XML: root element <" + root.name + ">");
  CheckpointInfo info;
  info.name = root.ChildText("name");
  if (info.name.empty()) return Status::InvalidArgument("checkpoint XML without a <name>");
  if (const XmlElement* disks = root.Child("disks")) {
    for (const XmlElement* d : disks->Children("disk")) {
      CheckpointDisk disk;
      disk.device = d->Attribute("name");
      if (d->Attribute("checkpoint") != "no") disk.bitmap = d->HasAttribute("bitmap") ? d->Attribute("bitmap") : info.name;
      if (disk.device.empty()) return Status::InvalidArgument("checkpoint XML: a <disk> has no name");
      info.disks.push_back(std::move(disk));
    }
  }
  return info;
}

Result<std::string> RedefinableCheckpointXml(std::string_view checkpoint_xml) {
  CAIRN_ASSIGN_OR_RETURN(XmlElement root, ParseXml(checkpoint_xml));
  if (root.name != "domaincheckpoint")
    return Status::InvalidArgument("not a checkpoint XML: root element <" + root.name + ">");
  std::erase_if(root.children, [](const XmlElement& c) { return c.name == "parent"; });
  return WriteXml(root);
}

std::string BuildCheckpointXml(const std::string& name, const std::vector<std::string>& all_devices,
                               const std::vector<std::string>& bitmap_devices) {
  std::string xml = "<domaincheckpoint>\n  <name>" + XmlEscape(name) + "</name>\n";
  xml += "  <description>Cairn backup checkpoint</description>\n  <disks>\n";
  for (const std::string& dev : all_devices) {
    const bool bitmap = std::find(bitmap_devices.begin(), bitmap_devices.end(), dev) != bitmap_devices.end();
    xml += "    <disk name='" + XmlEscape(dev) + "' checkpoint='" + (bitmap ? "bitmap' bitmap='" + XmlEscape(name) : "no") +
           "'/>\n";
  }
  xml += "  </disks>\n</domaincheckpoint>\n";
  return xml;
}

Result<std::string> ParseBackupSocket(std::string_view backup_xml) {
  CAIRN_ASSIGN_OR_RETURN(XmlElement root, ParseXml(backup_xml));
  if (root.name != "domainbackup") return Status::InvalidArgument("not a backup XML: root element <" + root.name + ">");
  const XmlElement* server = root.Child("server");
  if (server == nullptr || server->Attribute("transport") != "unix") return std::string();
  return server->Attribute("socket");
}

std::string SocketDirPrefix(int pid) { return "cairn-vmbackup-" + std::to_string(pid) + "-"; }

std::optional<int> SocketDirOwner(std::string_view socket_path) {
  const size_t slash = socket_path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  std::string_view dir = socket_path.substr(0, slash);
  dir = dir.substr(dir.rfind('/') + 1);
  constexpr std::string_view kPrefix = "cairn-vmbackup-";
  if (dir.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  dir.remove_prefix(kPrefix.size());
  int pid = 0;
  auto [p, ec] = std::from_chars(dir.data(), dir.data() + dir.size(), pid);
  if (ec != std::errc() || p == dir.data() || p == dir.data() + dir.size() || *p != '-' || pid <= 0) return std::nullopt;
  return pid;
}

std::string ExportName(const std::string& device) { return device; }
std::string ExportBitmapName(const std::string& device) { return "backup-" + device; }

std::string BuildBackupXml(const std::string& socket, const std::string& scratch_dir,
                           const std::vector<BackupDiskPlan>& disks) {
  std::string xml = "<domainbackup mode='pull'>\n";
  xml += "  <server transport='unix' socket='" + XmlEscape(socket) + "'/>\n  <disks>\n";
  for (const BackupDiskPlan& d : disks) {
    xml += "    <disk name='" + XmlEscape(d.device) + "'";
    if (!d.backup) {
      xml += " backup='no'/>\n";
      continue;
    }
    // The guest's writes during the backup first copy the old data to a
    // scratch file (libvirt 9 needs its name when the disk lists a type).
    xml += " backup='yes' type='file' exportname='" + XmlEscape(ExportName(d.device)) + "'";
    if (d.incremental.empty()) {
      xml += " backupmode='full'>\n";
    } else {
      xml += " backupmode='incremental' incremental='" + XmlEscape(d.incremental) + "' exportbitmap='" +
             XmlEscape(ExportBitmapName(d.device)) + "'>\n";
    }
    xml += "      <scratch file='" + XmlEscape(scratch_dir + "/" + d.device + ".scratch") + "'/>\n    </disk>\n";
  }
  xml += "  </disks>\n</domainbackup>\n";
  return xml;
}

}  // namespace cairn::datamover::libvirt
