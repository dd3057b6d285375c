#include "common/config_sample.h"

#include <algorithm>

#include "common/strings.h"

namespace cairn {
namespace {

constexpr size_t kWrapColumn = 70;

// The default as the sample and reference show it.
std::string ShownDefault(const Option& option) {
  if (!option.sample_default.empty()) return option.sample_default;
  if (!option.default_value) return "<None>";
  const std::string& value = *option.default_value;
  // Quotes keep surrounding spaces when the line is read back (see ini.h).
  if (!value.empty() && Trim(value) != value) return "\"" + value + "\"";
  return value;
}

void AppendComment(std::string& out, std::string_view text) {
  for (const std::string& line : WrapText(text, kWrapColumn - 2)) {
    out += line.empty() ? "#\n" : "# " + line + "\n";
  }
}

void AppendSampleOption(std::string& out, const Option& option) {
  std::string help = option.help;
  if (!help.empty()) help += " ";
  help += "(" + std::string(OptionTypeName(option.type)) + " value)";
  AppendComment(out, help);
  if (option.min) out += "# Minimum value: " + FormatBound(option, *option.min) + "\n";
  if (option.max) out += "# Maximum value: " + FormatBound(option, *option.max) + "\n";
  if (option.type == OptionType::kEnum) out += "# Possible values: " + Join(option.choices, ", ") + "\n";
  if (option.type == OptionType::kByteSize) out += "# A byte count with an optional K, M, G, T or P suffix.\n";
  std::string shown = ShownDefault(option);
  // A multi-line default continues on indented, still commented lines.
  std::string continued;
  for (std::string_view piece : Split(shown, '\n')) {
    if (!continued.empty()) continued += "\n#    ";
    continued += piece;
  }
  out += "#" + option.name + " =";
  if (!continued.empty()) out += " " + continued;
  out += "\n\n";
}

}  // namespace

std::string GenerateSampleConfig(const OptionRegistry& registry) {
  std::string out =
      "# Cairn sample configuration, generated from the option declarations.\n"
      "# Every option is commented out and shows its default. Values in\n"
      "# [DEFAULT] also apply to other sections that have an option of the\n"
      "# same name and do not set it.\n";
  for (const std::string& section : registry.Sections()) {
    out += "\n[" + section + "]\n\n";
    for (const Option* option : registry.OptionsIn(section)) AppendSampleOption(out, *option);
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

std::string GenerateConfigReference(const OptionRegistry& registry, int heading_level) {
  const std::string section_heading(static_cast<size_t>(std::clamp(heading_level, 1, 5)), '#');
  const std::string option_heading = section_heading + "#";
  std::string out;
  for (const std::string& section : registry.Sections()) {
    if (!out.empty()) out += "\n";
    out += section_heading + " [" + section + "]\n";
    for (const Option* option : registry.OptionsIn(section)) {
      out += "\n" + option_heading + " `" + option->name + "`\n\n";
      out += "- Type: " + std::string(OptionTypeName(option->type)) + "\n";
      const std::string shown = ShownDefault(*option);
      out += "- Default: " + (shown.empty() ? std::string("(empty)") : "`" + shown + "`") + "\n";
      if (option->min) out += "- Minimum: " + FormatBound(*option, *option->min) + "\n";
      if (option->max) out += "- Maximum: " + FormatBound(*option, *option->max) + "\n";
      if (option->type == OptionType::kEnum) {
        out += "- Choices: `" + Join(option->choices, "`, `") + "`\n";
      }
      if (!option->help.empty()) out += "\n" + option->help + "\n";
    }
  }
  return out;
}

}  // namespace cairn
