// Validation of Store paths (see store.h): relative, '/'-separated, no empty,
// "." or ".." components, no NUL bytes, and no component starting with '.'
// (such names are reserved for the store's own files: temporaries, locks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::target {

// The components of `path`, or InvalidArgument naming the path and the rule
// it breaks. The empty path stands for the store's root and is accepted only
// when `allow_root` is true (it then gives no components).
Result<std::vector<std::string>> SplitStorePath(std::string_view path, bool allow_root);

// `path` in single quotes with NUL and other control bytes escaped, for
// error messages.
std::string QuotePath(std::string_view path);

}  // namespace cairn::target
