// Parsing of configuration values from their text form, one function per type.
//
// Error messages describe only the value (e.g. `"abc" is not an integer`); the
// config loader puts the file, line and option in front of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn {

// A decimal 64-bit integer with an optional sign ("42", "-7", "+3").
Result<int64_t> ParseInt(std::string_view text);

// true/false, yes/no, on/off, 1/0, in any letter case.
Result<bool> ParseBool(std::string_view text);

// A finite decimal floating point number ("0.5", "1e3"); no inf or nan.
Result<double> ParseFloat(std::string_view text);

// A byte count: digits with an optional binary unit K, M, G, T or P (also
// written KB or KiB, any letter case), e.g. "512", "64K", "2 MiB", "1G".
// Fractions are not accepted. OutOfRange when it does not fit 64 bits.
Result<uint64_t> ParseByteSize(std::string_view text);

// The shortest exact form ParseByteSize reads back: "64K", "3M", "1000".
std::string FormatByteSize(uint64_t bytes);

// Items separated by commas or newlines, each trimmed; empty items are
// dropped, so "" is the empty list and "a, b," is {"a", "b"}.
std::vector<std::string> ParseList(std::string_view text);

}  // namespace cairn
