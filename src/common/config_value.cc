#include "common/config_value.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "common/strings.h"

namespace cairn {
namespace {

// from_chars takes "-5" but not "+5": drops one leading '+', and returns ""
// (invalid) when another sign follows it.
std::string_view WithoutPlus(std::string_view text) {
  if (text.empty() || text.front() != '+') return text;
  text.remove_prefix(1);
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) return {};
  return text;
}

}  // namespace

Result<int64_t> ParseInt(std::string_view text) {
  const std::string_view digits = WithoutPlus(text);
  if (digits.empty()) return Status::InvalidArgument(Quoted(text) + " is not an integer");
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 10);
  if (ec == std::errc::result_out_of_range) {
    return Status::OutOfRange(Quoted(text) + " is out of range for a 64-bit integer");
  }
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return Status::InvalidArgument(Quoted(text) + " is not an integer");
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  const std::string lower = AsciiLower(text);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return Status::InvalidArgument(Quoted(text) + " is not a boolean (use true or false)");
}

Result<double> ParseFloat(std::string_view text) {
  const std::string_view digits = WithoutPlus(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value,
                                         std::chars_format::general);
  if (digits.empty() || ec != std::errc() ||
      end != digits.data() + digits.size() || !std::isfinite(value)) {
    return Status::InvalidArgument(Quoted(text) + " is not a number");
  }
  return value;
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  const auto invalid = [&] {
    return Status::InvalidArgument(
        Quoted(text) + " is not a byte size (use digits with an optional K, M, G, T or P suffix, e.g. 64K)");
  };
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9') ++n;
  if (n == 0) return invalid();
  uint64_t count = 0;
  if (std::from_chars(text.data(), text.data() + n, count).ec != std::errc()) {
    return Status::OutOfRange(Quoted(text) + " is too large for a byte size");
  }
  const std::string unit = AsciiLower(Trim(text.substr(n)));
  unsigned shift = 0;
  if (!unit.empty()) {
    const std::string_view kUnits = "kmgtp";
    const size_t index = kUnits.find(unit[0]);
    const std::string_view rest = std::string_view(unit).substr(1);
    if (unit == "b") {
      shift = 0;
    } else if (index != std::string_view::npos && (rest.empty() || rest == "b" || rest == "ib")) {
      shift = 10 * static_cast<unsigned>(index + 1);
    } else {
      return invalid();
    }
  }
  if (shift > 0 && count > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return Status::OutOfRange(Quoted(text) + " is too large for a byte size");
  }
  return count << shift;
}

std::string FormatByteSize(uint64_t bytes) {
  static constexpr char kUnits[] = {'K', 'M', 'G', 'T', 'P'};
  if (bytes == 0) return "0";
  int unit = -1;
  while (unit + 1 < static_cast<int>(sizeof kUnits) && bytes % 1024 == 0) {
    bytes /= 1024;
    ++unit;
  }
  std::string out = std::to_string(bytes);
  if (unit >= 0) out += kUnits[unit];
  return out;
}

std::vector<std::string> ParseList(std::string_view text) {
  std::vector<std::string> items;
  for (std::string_view line : Split(text, '\n')) {
    for (std::string_view item : Split(line, ',')) {
      item = Trim(item);
      if (!item.empty()) items.emplace_back(item);
    }
  }
  return items;
}

}  // namespace cairn
