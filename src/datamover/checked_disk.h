// ManifestCheckedDisk: a backup chain read through its manifest. Every cluster
// that is read is hashed and compared with the manifest's checksum, and every
// range the chain reports as zero or unallocated must be zeros in the
// manifest too, so a restore never writes bit rot or a damaged merge out as
// good data.
#pragma once

#include <memory>
#include <string>

#include "datamover/manifest.h"
#include "qcow2/disk.h"

namespace cairn::datamover {

class ManifestCheckedDisk final : public qcow2::Disk {
 public:
  // Wraps `image` (a backup's image with its chain), whose contents
  // `manifest` describes; `label` names the image in errors. The disk's size
  // is the manifest's (the image must be at least that large).
  ManifestCheckedDisk(const qcow2::Disk& image, const Manifest& manifest, std::string label);

  uint64_t virtual_size() const override { return manifest_.virtual_size; }
  // Reads whole clusters from the image and checks each against the
  // manifest: Corruption naming the image and the guest offset on a mismatch.
  Status Read(uint64_t offset, std::span<std::byte> out) const override;
  // The image's map; Corruption when a cluster the image reports as zero or
  // unallocated has a manifest checksum other than that of zeros.
  Result<std::vector<qcow2::Extent>> Map(uint64_t offset, uint64_t length) const override;
  std::string_view format() const override { return image_.format(); }
  const std::string& name() const override { return image_.name(); }
  const qcow2::Disk* backing() const override { return image_.backing(); }

 private:
  // Checks the clusters of [start, start + data.size()), cluster-aligned.
  Status CheckClusters(uint64_t start, std::span<const std::byte> data) const;
  Status Mismatch(uint64_t cluster) const;

  const qcow2::Disk& image_;
  const Manifest& manifest_;
  std::string label_;
};

}  // namespace cairn::datamover
