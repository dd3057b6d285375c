// Small string helpers shared by the common layer (ASCII only, no locale).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cairn {

// `s` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view Trim(std::string_view s);

// The pieces of `s` between occurrences of `sep`; "" gives one empty piece.
std::vector<std::string_view> Split(std::string_view s, char sep);

// The parts joined with `sep` between them.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// `s` with A-Z mapped to a-z.
std::string AsciiLower(std::string_view s);

// `s` in double quotes for messages: newlines, tabs, quotes and backslashes
// escaped, and text beyond `max_chars` replaced by "...".
std::string Quoted(std::string_view s, size_t max_chars = 60);

// Levenshtein distance, used for "did you mean" hints.
size_t EditDistance(std::string_view a, std::string_view b);

// A byte count for people, in powers of 1024: "512 B", "1.5 KiB", "3.0 GiB".
std::string HumanBytes(uint64_t bytes);

// Splits `text` into lines of at most `width` characters at spaces (a longer
// word gets a line of its own). Newlines in `text` start new lines.
std::vector<std::string> WrapText(std::string_view text, size_t width);

}  // namespace cairn
