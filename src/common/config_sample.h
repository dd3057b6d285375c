// Generated documentation of the registered options: a sample configuration
// file (as oslo-config-generator writes) and a Markdown reference.
//
// Both list sections in OptionRegistry::Sections() order and options in
// registration order, and depend on nothing but the registry, so the output is
// stable and can be checked into the repository and compared in tests.
#pragma once

#include <string>

#include "common/config_schema.h"

namespace cairn {

// An INI file with every section and option, each option commented out with
// its default, after its help text (wrapped at 70 columns), type and bounds:
//
//   # Maximum connections. (integer value)
//   # Minimum value: 1
//   #pool_size = 5
//
// Loading the sample unchanged gives the same values as loading nothing.
std::string GenerateSampleConfig(const OptionRegistry& registry);

// A Markdown reference: a "## [section]" heading per section and a
// "### `name`" heading per option, with its type, default, bounds or
// choices, and help text. `heading_level` sets the level of the section
// headings (2 gives "##"), to fit the reference into a larger page.
std::string GenerateConfigReference(const OptionRegistry& registry, int heading_level = 2);

}  // namespace cairn
