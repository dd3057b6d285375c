// The device names the engine gives a meaning to, defined once for the
// snapshot and the restore workflows.
//
// The datamover reports a VM's disks by their libvirt target device only
// ("vda", "vdb", ...): it does not say which one the guest boots from. Nova's
// libvirt driver gives the root disk of a VM booted from an image the first
// device of its bus, "vda" on virtio (the bus Cairn supports); a VM booted
// from a volume boots from that Cinder volume, whatever its device.
#pragma once

#include <string_view>

#include "db/models.h"

namespace cairn::engine {

// The device of an image-booted VM's root disk (Nova's local disk that holds
// the image's copy).
inline constexpr std::string_view kImageRootDevice = "vda";

// Whether `disk` (a Nova disk, no Cinder volume behind it) sits at
// kImageRootDevice: the root disk when its VM was booted from an image. A
// restore brings it back as a Glance image; the other Nova disks
// (ephemeral, swap) are written into the new server's own disks.
inline bool IsImageRootDisk(const db::SnapshotDisk& disk) {
  return !disk.volume_id && disk.device == kImageRootDevice;
}

}  // namespace cairn::engine
