#include "common/json_input.h"

#include <charconv>
#include <cmath>

#include "common/strings.h"

namespace cairn {
namespace {

using nlohmann::json;

Status Invalid(std::string_view field, std::string_view expected, const json& value) {
  return Status::InvalidArgument("Invalid value for '" + std::string(field) + "': expected " +
                                 std::string(expected) + ", got " + DescribeJson(value));
}

// True when `text` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

const json* FindMember(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string DescribeJson(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "a list";
    case json::value_t::string:
      return Quoted(value.get_ref<const std::string&>());
    default:
      return value.dump();
  }
}

Result<bool> ReadBool(const json& value, std::string_view field) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer() || value.is_number_unsigned()) {
    if (value == 0) return false;
    if (value == 1) return true;
  }
  if (value.is_string()) {
    const std::string text = AsciiLower(Trim(value.get_ref<const std::string&>()));
    if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
    if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  }
  return Invalid(field, "a boolean", value);
}

Result<int64_t> ReadInt(const json& value, std::string_view field, int64_t min, int64_t max) {
  int64_t result = 0;
  bool parsed = false;
  if (value.is_number_unsigned()) {  // checked first: is_number_integer() holds for it too
    const uint64_t u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      result = static_cast<int64_t>(u);
      parsed = true;
    }
  } else if (value.is_number_integer()) {
    result = value.get<int64_t>();
    parsed = true;
  } else if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) {
      result = static_cast<int64_t>(d);
      parsed = true;
    }
  } else if (value.is_string()) {
    std::string_view text = Trim(value.get_ref<const std::string&>());
    bool plus = false;
    if (!text.empty() && text.front() == '+') {
      text.remove_prefix(1);
      plus = true;
    }
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), result);
    // "+-3" is no integer: one sign at most.
    parsed = !text.empty() && !(plus && text.front() == '-') && ec == std::errc() &&
             ptr == text.data() + text.size();
  }
  if (!parsed) return Invalid(field, "an integer", value);
  if (result < min || result > max) {
    std::string range;
    if (max == std::numeric_limits<int64_t>::max()) {
      range = "at least " + std::to_string(min);
    } else if (min == std::numeric_limits<int64_t>::min()) {
      range = "at most " + std::to_string(max);
    } else {
      range = "between " + std::to_string(min) + " and " + std::to_string(max);
    }
    return Status::InvalidArgument("Invalid value for '" + std::string(field) + "': " +
                                   std::to_string(result) + " is not " + range);
  }
  return result;
}

Result<std::string> ReadString(const json& value, std::string_view field, size_t max_bytes) {
  if (!value.is_string()) return Invalid(field, "a string", value);
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() > max_bytes) {
    return Status::InvalidArgument("Invalid value for '" + std::string(field) + "': longer than " +
                                   std::to_string(max_bytes) + " bytes");
  }
  if (text.find('\0') != std::string::npos || !IsValidUtf8(text)) {
    return Status::InvalidArgument("Invalid value for '" + std::string(field) +
                                   "': not valid UTF-8 text");
  }
  return text;
}

Result<std::string> ReadScalarText(const json& value, std::string_view field, size_t max_bytes) {
  if (value.is_number_integer() || value.is_number_unsigned() || value.is_number_float()) {
    return value.dump();
  }
  return ReadString(value, field, max_bytes);
}

bool JsonNestsDeeperThan(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace cairn
