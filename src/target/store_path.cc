#include "target/store_path.h"

#include <cstdio>

namespace cairn::target {

std::string QuotePath(std::string_view path) {
  std::string out = "'";
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == 0) {
      out += "\\0";
    } else if (byte < 0x20 || byte == 0x7f || c == '\\' || c == '\'') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", byte);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

Result<std::vector<std::string>> SplitStorePath(std::string_view path, bool allow_root) {
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid store path " + QuotePath(path) + ": " + std::string(why));
  };
  if (path.empty()) {
    if (allow_root) return std::vector<std::string>{};
    return invalid("must not be empty");
  }
  if (path.find('\0') != std::string_view::npos) return invalid("contains a NUL byte");
  if (path.front() == '/') return invalid("must be relative to the store's root");
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view part = path.substr(start, slash - start);
    if (part.empty()) return invalid("has an empty component");
    if (part == "." || part == "..") return invalid("has a '.' or '..' component");
    if (part.front() == '.') return invalid("has a component starting with '.' (reserved for the store)");
    parts.emplace_back(part);
    if (slash == path.size()) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace cairn::target
