// cairn-img info and map.
#include <sys/stat.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "qcow2/image.h"
#include "qcow2/open.h"

namespace cairn::img {
namespace {

using nlohmann::ordered_json;

std::string HumanSize(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  if (u == 0) {
    snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    snprintf(buf, sizeof buf, "%.3g %s", v, units[u]);
  }
  return buf;
}

ordered_json LayerInfo(const qcow2::Disk& disk) {
  ordered_json j;
  j["filename"] = disk.name();
  j["format"] = disk.format();
  j["virtual-size"] = disk.virtual_size();
  struct stat st {};
  if (::stat(disk.name().c_str(), &st) == 0) j["actual-size"] = static_cast<uint64_t>(st.st_blocks) * 512;
  if (const auto* q = dynamic_cast<const qcow2::Qcow2Image*>(&disk)) {
    const qcow2::Header& h = q->header();
    j["cluster-size"] = h.cluster_size();
    if (!h.backing_file.empty()) {
      j["backing-filename"] = h.backing_file;
      j["full-backing-filename"] = qcow2::ResolveBackingPath(disk.name(), h.backing_file);
      if (!h.backing_format.empty()) j["backing-filename-format"] = h.backing_format;
    }
    ordered_json fs;
    fs["compat"] = h.version == 2 ? "0.10" : "1.1";
    fs["compression-type"] = h.compression_type == qcow2::CompressionType::kZstd ? "zstd" : "zlib";
    fs["refcount-bits"] = h.refcount_bits();
    fs["lazy-refcounts"] = (h.compatible_features & 1) != 0;
    fs["corrupt"] = (h.incompatible_features & qcow2::kIncompatCorrupt) != 0;
    fs["internal-snapshots"] = h.nb_snapshots;
    fs["bitmaps"] = h.has_bitmaps;
    j["format-specific"] = fs;
    j["dirty-flag"] = (h.incompatible_features & qcow2::kIncompatDirty) != 0;
  }
  return j;
}

void PrintHuman(const ordered_json& j) {
  std::cout << "image: " << j["filename"].get<std::string>() << "\n";
  std::cout << "file format: " << j["format"].get<std::string>() << "\n";
  std::cout << "virtual size: " << HumanSize(j["virtual-size"]) << " (" << j["virtual-size"].get<uint64_t>()
            << " bytes)\n";
  if (j.contains("actual-size")) std::cout << "disk size: " << HumanSize(j["actual-size"]) << "\n";
  if (j.contains("cluster-size")) std::cout << "cluster_size: " << j["cluster-size"].get<uint64_t>() << "\n";
  if (j.contains("backing-filename")) {
    std::cout << "backing file: " << j["backing-filename"].get<std::string>();
    if (j["backing-filename"] != j["full-backing-filename"])
      std::cout << " (actual path: " << j["full-backing-filename"].get<std::string>() << ")";
    std::cout << "\n";
    if (j.contains("backing-filename-format"))
      std::cout << "backing file format: " << j["backing-filename-format"].get<std::string>() << "\n";
  }
  if (j.contains("format-specific")) {
    const auto& fs = j["format-specific"];
    std::cout << "Format specific information:\n";
    for (const auto& [key, value] : fs.items()) std::cout << "    " << key << ": " << value.dump() << "\n";
  }
}

}  // namespace

int RunInfo(const InfoArgs& args) {
  auto disk = qcow2::OpenDisk(args.image);
  if (!disk.ok()) {
    PrintError(disk.status().message());
    return 1;
  }
  std::vector<ordered_json> layers;
  for (const qcow2::Disk* d = disk->get(); d != nullptr; d = args.backing_chain ? d->backing() : nullptr)
    layers.push_back(LayerInfo(*d));
  if (args.output == "json") {
    if (args.backing_chain) {
      std::cout << ordered_json(layers).dump(4) << "\n";
    } else {
      std::cout << layers[0].dump(4) << "\n";
    }
    return 0;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    if (i > 0) std::cout << "\n";
    PrintHuman(layers[i]);
  }
  return 0;
}

int RunMap(const MapArgs& args) {
  auto disk = qcow2::OpenDisk(args.image);
  if (!disk.ok()) {
    PrintError(disk.status().message());
    return 1;
  }
  // Map in windows so memory stays bounded on large disks.
  constexpr uint64_t kWindow = 1ull << 32;
  const uint64_t size = (*disk)->virtual_size();
  bool first = true;
  if (args.output == "json") std::cout << "[";
  if (args.output == "human")
    std::cout << "Offset          Length          Kind         Depth  Compressed  File offset\n";
  std::vector<qcow2::Extent> pending;
  auto print = [&](const qcow2::Extent& e) {
    if (args.output == "json") {
      ordered_json j;
      j["start"] = e.offset;
      j["length"] = e.length;
      j["depth"] = e.depth;
      j["kind"] = qcow2::ExtentKindName(e.kind);
      j["data"] = e.kind == qcow2::ExtentKind::kData;
      j["zero"] = e.kind != qcow2::ExtentKind::kData;
      j["compressed"] = e.compressed;
      if (e.host_offset != 0) j["offset"] = e.host_offset;
      std::cout << (first ? "" : ",") << "\n" << j.dump();
    } else {
      char line[160];
      snprintf(line, sizeof line, "%#-15llx %#-15llx %-12s %-6d %-11s", static_cast<unsigned long long>(e.offset),
               static_cast<unsigned long long>(e.length), std::string(qcow2::ExtentKindName(e.kind)).c_str(), e.depth,
               e.compressed ? "yes" : "no");
      std::cout << line;
      if (e.host_offset != 0) std::cout << " " << std::hex << "0x" << e.host_offset << std::dec;
      std::cout << "\n";
    }
    first = false;
  };
  for (uint64_t off = 0; off < size; off += kWindow) {
    auto extents = (*disk)->Map(off, std::min(kWindow, size - off));
    if (!extents.ok()) {
      if (args.output == "json") std::cout << "]\n";
      PrintError(extents.status().message());
      return 1;
    }
    // Merge across window boundaries before printing.
    for (const auto& e : *extents) {
      if (!pending.empty()) {
        qcow2::AppendExtent(pending, e);
        if (pending.size() == 2) {
          print(pending[0]);
          pending.erase(pending.begin());
        }
      } else {
        pending.push_back(e);
      }
    }
  }
  for (const auto& e : pending) print(e);
  if (args.output == "json") std::cout << "\n]\n";
  return 0;
}

}  // namespace cairn::img
