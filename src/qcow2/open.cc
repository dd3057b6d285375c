#include "qcow2/open.h"

#include <sys/stat.h>

#include <set>
#include <utility>

#include "common/file.h"
#include "qcow2/endian.h"
#include "qcow2/format.h"
#include "qcow2/header.h"
#include "qcow2/image.h"
#include "qcow2/raw_disk.h"

namespace cairn::qcow2 {
namespace {

using FileId = std::pair<dev_t, ino_t>;

Result<std::string> ProbeFormat(const File& file) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, file.Size());
  if (size >= 4) {
    std::byte magic[4];
    CAIRN_RETURN_IF_ERROR(file.ReadAt(0, magic));
    if (LoadBE32(magic) == kMagic) return std::string("qcow2");
  }
  return std::string("raw");
}

Result<std::unique_ptr<Disk>> OpenLayer(const std::string& path, std::string format, const OpenOptions& options,
                                        std::set<FileId>& seen, int depth) {
  if (depth >= options.max_chain_length)
    return Status::Corruption(path + ": backing chain longer than " + std::to_string(options.max_chain_length));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "open " + path);
  // A backing name can point anywhere: opening a FIFO would block forever.
  if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
    return Status::NotSupported(path + ": not a regular file or block device");
  if (!seen.insert({st.st_dev, st.st_ino}).second)
    return Status::Corruption(path + ": backing chain loop (this image is already in the chain)");
  CAIRN_ASSIGN_OR_RETURN(auto file, OpenPosixFile(path, OpenMode::kReadOnly));
  if (format.empty() || format == "auto") {
    CAIRN_ASSIGN_OR_RETURN(format, ProbeFormat(*file));
  }
  if (format == "raw") {
    CAIRN_ASSIGN_OR_RETURN(auto raw, RawDisk::Open(std::move(file)));
    return std::unique_ptr<Disk>(std::move(raw));
  }
  if (format != "qcow2") return Status::NotSupported(path + ": image format '" + format + "' is not supported");
  CAIRN_ASSIGN_OR_RETURN(Header header, ReadHeader(*file));
  std::unique_ptr<Disk> backing;
  if (!header.backing_file.empty() && options.follow_backing) {
    std::string backing_path = ResolveBackingPath(path, header.backing_file);
    auto opened = OpenLayer(backing_path, header.backing_format, options, seen, depth + 1);
    if (!opened.ok()) return opened.status().WithContext(path + ": backing file");
    backing = std::move(opened).value();
  }
  CAIRN_ASSIGN_OR_RETURN(auto image, Qcow2Image::Open(std::move(file), std::move(header), std::move(backing)));
  return std::unique_ptr<Disk>(std::move(image));
}

}  // namespace

std::string ResolveBackingPath(const std::string& image_path, const std::string& backing_name) {
  if (backing_name.empty() || backing_name[0] == '/') return backing_name;
  auto slash = image_path.rfind('/');
  if (slash == std::string::npos) return backing_name;
  return image_path.substr(0, slash + 1) + backing_name;
}

Result<std::unique_ptr<Disk>> OpenDisk(const std::string& path, const OpenOptions& options) {
  std::set<FileId> seen;
  return OpenLayer(path, options.format, options, seen, 0);
}

}  // namespace cairn::qcow2
