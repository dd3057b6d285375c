// Reading, validating and writing the qcow2 header, its extensions and the
// backing file name (all of which live in the image's first cluster).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/file.h"
#include "common/status.h"
#include "qcow2/format.h"

namespace cairn::qcow2 {

// Reads and validates the header of `file`. Every field that later code uses
// as an offset, size or count is checked against the file size and QEMU's
// limits, so a hostile image yields Corruption/NotSupported, never a huge
// allocation. Unknown incompatible features, encryption and external data
// files are refused with NotSupported.
Result<Header> ReadHeader(const File& file);

// Encodes `header` (version 3) with a backing format extension when
// backing_format is set and the backing name after the extensions, into a
// buffer of exactly one cluster. Fails if it does not fit in one cluster.
Result<std::vector<std::byte>> EncodeHeader(const Header& header);

}  // namespace cairn::qcow2
