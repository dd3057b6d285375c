#include "common/ini.h"

#include <map>
#include <optional>
#include <utility>

#include "common/strings.h"

namespace cairn {

bool IsValidIniSectionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

namespace {

// Removes one pair of matching surrounding quotes, as oslo.config does.
std::string Unquote(std::string value) {
  if (value.size() >= 2 && value.front() == value.back() &&
      (value.front() == '"' || value.front() == '\'')) {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  void Line(int number, std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view text = Trim(line);
    if (text.empty()) {  // a blank line ends a continued value
      open_entry_.reset();
      return;
    }
    if (text.front() == '#' || text.front() == ';') return;
    const bool indented = line.front() == ' ' || line.front() == '\t';
    if (indented && open_entry_) {
      std::string& value = doc_.entries[*open_entry_].value;
      if (!value.empty()) value += '\n';
      value += text;
      return;
    }
    open_entry_.reset();
    if (text.front() == '[') {
      Header(number, text);
    } else {
      Option(number, text);
    }
  }

  Result<IniDocument> Finish() && {
    if (!errors_.empty()) return Status::InvalidArgument(Join(errors_, "\n"));
    for (IniEntry& e : doc_.entries) e.value = Unquote(std::move(e.value));
    return std::move(doc_);
  }

 private:
  void Header(int number, std::string_view text) {
    if (text.back() != ']') {
      Error(number, "malformed section header " + Quoted(text) + " (expected \"[name]\")");
      section_.reset();
      return;
    }
    const std::string_view name = Trim(text.substr(1, text.size() - 2));
    if (!IsValidIniSectionName(name)) {
      Error(number, "invalid section name " + Quoted(name) +
                        " (letters, digits, '_', '-' and '.' only)");
      section_.reset();
      return;
    }
    section_ = std::string(name);
    doc_.headers.push_back({*section_, Here(number)});
  }

  void Option(int number, std::string_view text) {
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
      Error(number, "expected \"key = value\", \"[section]\" or a comment, got " + Quoted(text));
      return;
    }
    const std::string key(Trim(text.substr(0, eq)));
    if (key.empty()) {
      Error(number, "missing option name before '='");
      return;
    }
    if (!section_) {
      Error(number, "option " + Quoted(key) + " appears before any [section] header");
      return;
    }
    auto [it, inserted] = first_line_.try_emplace({*section_, key}, number);
    if (!inserted) {
      Error(number, "option [" + *section_ + "] " + key + " is set twice (first at line " +
                        std::to_string(it->second) + ")");
      return;
    }
    doc_.entries.push_back({*section_, key, std::string(Trim(text.substr(eq + 1))), Here(number)});
    open_entry_ = doc_.entries.size() - 1;
  }

  SourceLocation Here(int number) const { return {std::string(source_), number}; }

  void Error(int number, const std::string& message) {
    errors_.push_back(Here(number).ToString() + ": " + message);
  }

  std::string_view source_;
  IniDocument doc_;
  std::optional<std::string> section_;
  std::optional<size_t> open_entry_;  // the entry a continuation line extends
  std::map<std::pair<std::string, std::string>, int> first_line_;
  std::vector<std::string> errors_;
};

}  // namespace

std::string SourceLocation::ToString() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line);
}

Result<IniDocument> ParseIni(std::string_view text, std::string_view source_name) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  Parser parser(source_name);
  int number = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    parser.Line(++number, text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return std::move(parser).Finish();
}

}  // namespace cairn
