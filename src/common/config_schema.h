// Option declarations and the registry that collects them (oslo.config style).
//
// Each component declares its options next to the code that reads them and
// exposes a `Status RegisterXxxOptions(OptionRegistry&)`; a program registers
// the options of the components it links, then loads a Config (config.h). The
// sample configuration and the reference docs are generated from the same
// declarations (config_sample.h), so they cannot drift from the code.
//
//   registry.Register({.section = "database", .name = "pool_size",
//                      .type = OptionType::kInt, .default_value = "5",
//                      .help = "Connections kept open.", .min = 1, .max = 100});
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/status.h"

namespace cairn {

// The section whose values every other section inherits (see config.h).
inline constexpr std::string_view kDefaultSection = "DEFAULT";

enum class OptionType {
  kString,    // any text
  kInt,       // int64_t, see ParseInt; bounded by min/max
  kBool,      // see ParseBool
  kFloat,     // double, see ParseFloat; bounded by min/max
  kList,      // std::vector<std::string>, comma separated, see ParseList
  kEnum,      // one of `choices` (case sensitive), read as a string
  kByteSize,  // uint64_t bytes from "64K"/"2M"/"1G", see ParseByteSize; bounded by min/max
};

// "string", "integer", "boolean", "floating point", "list", "enum", "byte size".
std::string_view OptionTypeName(OptionType type);

// The declaration of one option. Meant to be written with designated
// initializers, as in the example at the top of this file; every member has a
// default member initializer so -Wmissing-field-initializers stays quiet.
struct Option {
  std::string section = std::string(kDefaultSection);
  std::string name{};  // lower case letters, digits and '_'
  OptionType type = OptionType::kString;
  // The default as it would be written in a file ("5", "64K", "a,b"), or
  // nullopt for an option that has no value unless it is set.
  std::optional<std::string> default_value{};
  std::string help{};  // one or more sentences; shown in the sample and docs
  // Inclusive bounds for kInt, kFloat and kByteSize (compared exactly).
  std::optional<double> min{};
  std::optional<double> max{};
  std::vector<std::string> choices{};  // kEnum: the allowed values
  bool secret = false;               // a password or key: Config::Dump hides it
  // When not empty, shown as the default in the sample and docs instead of
  // default_value (for defaults computed at run time, e.g. "<hostname>").
  std::string sample_default{};
};

// A parsed value: std::string (kString, kEnum), int64_t (kInt), bool,
// double (kFloat), std::vector<std::string> (kList), uint64_t (kByteSize).
using OptionValue = std::variant<std::string, int64_t, bool, double, std::vector<std::string>, uint64_t>;

// A bound of `option` as text: "64K" for byte sizes, "100" or "0.5" otherwise.
std::string FormatBound(const Option& option, double bound);

// Parses `text` as a value of `option`, checking its bounds and choices. The
// message describes the value only, e.g. `"abc" is not an integer` or
// `150 is above the maximum 100`.
Result<OptionValue> ParseOptionValue(const Option& option, std::string_view text);

// The set of declared options. Not thread safe: register everything at start
// up, before sharing it.
class OptionRegistry {
 public:
  // Adds one option. InvalidArgument when the section or name is malformed,
  // an enum lacks choices, min > max, bounds are given for a type without
  // bounds, or the default does not parse or breaks the bounds or choices;
  // AlreadyExists when the section already has an option of that name.
  Status Register(Option option);
  // Registers each option in turn; stops at (and returns) the first error.
  Status Register(std::span<const Option> options);

  // The option, or nullptr. The pointer is valid until the next Register.
  const Option* Find(std::string_view section, std::string_view name) const;
  // True when the section has options; [DEFAULT] is always known.
  bool HasSection(std::string_view section) const;
  // True when some section (any) has an option of this name.
  bool HasOptionNamed(std::string_view name) const;
  // Section names with options: DEFAULT first, then the others by name.
  std::vector<std::string> Sections() const;
  // The options of a section, in registration order.
  std::vector<const Option*> OptionsIn(std::string_view section) const;
  // Every option, in registration order.
  const std::vector<Option>& options() const { return options_; }
  // The option name in `section` closest to a misspelt `name`, if one is close.
  std::optional<std::string> Suggest(std::string_view section, std::string_view name) const;

 private:
  std::vector<Option> options_;
  std::map<std::pair<std::string, std::string>, size_t> index_;  // (section, name) -> options_
};

}  // namespace cairn
