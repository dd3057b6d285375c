#include "common/config_schema.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "common/config_value.h"
#include "common/ini.h"
#include "common/strings.h"

namespace cairn {
namespace {

// long double holds every int64_t and uint64_t exactly on the platforms Cairn
// runs on (x86-64: 64-bit mantissa; aarch64: 113-bit), so bounds compare exactly.
static_assert(std::numeric_limits<long double>::digits >= 64);

bool IsValidOptionName(std::string_view name) {
  if (name.empty() || !(name.front() >= 'a' && name.front() <= 'z')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool HasBounds(OptionType type) {
  return type == OptionType::kInt || type == OptionType::kFloat || type == OptionType::kByteSize;
}

// Checks a number against the option's inclusive bounds.
Status CheckBounds(const Option& option, long double value, std::string_view text) {
  if (option.min && value < static_cast<long double>(*option.min)) {
    return Status::OutOfRange(std::string(text) + " is below the minimum " + FormatBound(option, *option.min));
  }
  if (option.max && value > static_cast<long double>(*option.max)) {
    return Status::OutOfRange(std::string(text) + " is above the maximum " + FormatBound(option, *option.max));
  }
  return Status::OK();
}

std::string Label(const Option& option) { return "option [" + option.section + "] " + option.name; }

}  // namespace

std::string_view OptionTypeName(OptionType type) {
  switch (type) {
    case OptionType::kString: return "string";
    case OptionType::kInt: return "integer";
    case OptionType::kBool: return "boolean";
    case OptionType::kFloat: return "floating point";
    case OptionType::kList: return "list";
    case OptionType::kEnum: return "enum";
    case OptionType::kByteSize: return "byte size";
  }
  return "unknown";
}

std::string FormatBound(const Option& option, double bound) {
  if (option.type == OptionType::kByteSize && bound >= 0 && bound < 0x1p64 && std::floor(bound) == bound) {
    return FormatByteSize(static_cast<uint64_t>(bound));
  }
  if (std::floor(bound) == bound && std::fabs(bound) < 0x1p63) {
    return std::to_string(static_cast<int64_t>(bound));
  }
  return fmt::format("{}", bound);
}

Result<OptionValue> ParseOptionValue(const Option& option, std::string_view text) {
  switch (option.type) {
    case OptionType::kString:
      return OptionValue(std::string(text));
    case OptionType::kInt: {
      CAIRN_ASSIGN_OR_RETURN(int64_t value, ParseInt(text));
      CAIRN_RETURN_IF_ERROR(CheckBounds(option, static_cast<long double>(value), text));
      return OptionValue(value);
    }
    case OptionType::kBool: {
      CAIRN_ASSIGN_OR_RETURN(bool value, ParseBool(text));
      return OptionValue(value);
    }
    case OptionType::kFloat: {
      CAIRN_ASSIGN_OR_RETURN(double value, ParseFloat(text));
      CAIRN_RETURN_IF_ERROR(CheckBounds(option, value, text));
      return OptionValue(value);
    }
    case OptionType::kList:
      return OptionValue(ParseList(text));
    case OptionType::kEnum: {
      if (std::find(option.choices.begin(), option.choices.end(), text) == option.choices.end()) {
        return Status::InvalidArgument(Quoted(text) + " is not one of: " + Join(option.choices, ", "));
      }
      return OptionValue(std::string(text));
    }
    case OptionType::kByteSize: {
      CAIRN_ASSIGN_OR_RETURN(uint64_t value, ParseByteSize(text));
      CAIRN_RETURN_IF_ERROR(CheckBounds(option, static_cast<long double>(value), Trim(text)));
      return OptionValue(value);
    }
  }
  return Status::Internal("unknown option type");
}

Status OptionRegistry::Register(Option option) {
  if (!IsValidIniSectionName(option.section)) {
    return Status::InvalidArgument("invalid section name " + Quoted(option.section));
  }
  if (!IsValidOptionName(option.name)) {
    return Status::InvalidArgument("invalid option name " + Quoted(option.name) + " in [" + option.section +
                                   "] (lower case letters, digits and '_', starting with a letter)");
  }
  if ((option.min || option.max) && !HasBounds(option.type)) {
    return Status::InvalidArgument(Label(option) + ": a " + std::string(OptionTypeName(option.type)) +
                                   " option cannot have min or max");
  }
  if ((option.min && !std::isfinite(*option.min)) || (option.max && !std::isfinite(*option.max)) ||
      (option.min && option.max && *option.min > *option.max)) {
    return Status::InvalidArgument(Label(option) + ": invalid bounds");
  }
  if ((option.type == OptionType::kEnum) != !option.choices.empty()) {
    return Status::InvalidArgument(Label(option) + ": choices are required for, and only allowed for, enum options");
  }
  if (option.default_value) {
    const Result<OptionValue> parsed = ParseOptionValue(option, *option.default_value);
    if (!parsed.ok()) {
      return Status::InvalidArgument(Label(option) + ": invalid default: " + parsed.status().message());
    }
  }
  auto [it, inserted] = index_.try_emplace({option.section, option.name}, options_.size());
  if (!inserted) return Status::AlreadyExists(Label(option) + " is registered twice");
  options_.push_back(std::move(option));
  return Status::OK();
}

Status OptionRegistry::Register(std::span<const Option> options) {
  for (const Option& option : options) CAIRN_RETURN_IF_ERROR(Register(option));
  return Status::OK();
}

const Option* OptionRegistry::Find(std::string_view section, std::string_view name) const {
  const auto it = index_.find({std::string(section), std::string(name)});
  return it == index_.end() ? nullptr : &options_[it->second];
}

bool OptionRegistry::HasSection(std::string_view section) const {
  if (section == kDefaultSection) return true;
  return std::any_of(options_.begin(), options_.end(), [&](const Option& o) { return o.section == section; });
}

bool OptionRegistry::HasOptionNamed(std::string_view name) const {
  return std::any_of(options_.begin(), options_.end(), [&](const Option& o) { return o.name == name; });
}

std::vector<std::string> OptionRegistry::Sections() const {
  std::vector<std::string> sections;
  for (const Option& o : options_) {
    if (o.section != kDefaultSection) sections.push_back(o.section);
  }
  std::sort(sections.begin(), sections.end());
  sections.erase(std::unique(sections.begin(), sections.end()), sections.end());
  if (!OptionsIn(kDefaultSection).empty()) sections.insert(sections.begin(), std::string(kDefaultSection));
  return sections;
}

std::vector<const Option*> OptionRegistry::OptionsIn(std::string_view section) const {
  std::vector<const Option*> out;
  for (const Option& o : options_) {
    if (o.section == section) out.push_back(&o);
  }
  return out;
}

std::optional<std::string> OptionRegistry::Suggest(std::string_view section, std::string_view name) const {
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const Option* o : OptionsIn(section)) {
    const size_t d = EditDistance(name, o->name);
    if (d < best_distance) {
      best_distance = d;
      best = o->name;
    }
  }
  return best;
}

}  // namespace cairn
