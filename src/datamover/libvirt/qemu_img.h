// The one qemu-img operation Cairn needs on a VM's own disk: dropping a
// persistent dirty bitmap from a qcow2 image that no QEMU has open (a
// shut-off domain, where libvirt refuses to delete checkpoints).
#pragma once

#include <string>

#include "common/status.h"

namespace cairn::datamover::libvirt {

// Runs `qemu-img bitmap --remove <image> <bitmap>`. OK when the bitmap is
// gone, also when it was not there; Conflict when a process holds the image
// (QEMU's image lock: the domain was started meanwhile); IOError otherwise.
Status RemoveQcow2Bitmap(const std::string& image, const std::string& bitmap);

}  // namespace cairn::datamover::libvirt
