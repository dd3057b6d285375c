// INI text parsing: the syntax layer under Config (see config.h).
//
// The dialect is that of Python's configparser as OpenStack uses it:
//   [section]                 a section header; the name is trimmed
//   key = value               an option; key and value are trimmed
//   # comment / ; comment     a whole-line comment (leading whitespace allowed)
//   <blank line>              ignored; it also ends a continued value
//   <indented line>           continues the previous value, joined with "\n"
// A value wrapped in matching single or double quotes loses the quotes (as in
// oslo.config), so `key = " x "` keeps the spaces. There are no inline
// comments: `key = 5  # five` has the value "5  # five". A UTF-8 byte order
// mark and CR line ends are accepted. This layer knows nothing of option
// types; it only turns text into (section, key, value, line) entries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn {

// Where a configuration value came from: a file and a 1-based line, or a
// pseudo-source such as "<default>" (line 0).
struct SourceLocation {
  std::string file;
  int line = 0;

  // "cairn.conf:12", or just the file when line is 0.
  std::string ToString() const;
};

struct IniEntry {
  std::string section;
  std::string key;
  std::string value;
  SourceLocation location;  // the line holding `key =`
};

struct IniSectionHeader {
  std::string name;
  SourceLocation location;
};

struct IniDocument {
  std::vector<IniSectionHeader> headers;  // every header, in file order
  std::vector<IniEntry> entries;          // every option, in file order
};

// True when `name` is a section name ParseIni accepts: non-empty, only ASCII letters,
// digits, '_', '-' and '.'. Configuration schemas check their sections with it.
bool IsValidIniSectionName(std::string_view name);

// Parses `text`, naming `source_name` in messages. On malformed input returns
// InvalidArgument whose message holds one "<source>:<line>: <problem>" line per
// error found (all of them, not only the first). A key set twice within one
// section of one text is an error; a section may be opened more than once.
Result<IniDocument> ParseIni(std::string_view text, std::string_view source_name);

}  // namespace cairn
