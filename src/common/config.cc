#include "common/config.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "common/file.h"
#include "common/strings.h"

namespace cairn {
namespace {

std::string Label(std::string_view section, std::string_view name) {
  return "option [" + std::string(section) + "] " + std::string(name);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<File> file, OpenPosixFile(path, OpenMode::kReadOnly));
  CAIRN_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string text(size, '\0');
  CAIRN_RETURN_IF_ERROR(file->ReadAt(0, std::as_writable_bytes(std::span<char>(text))));
  return text;
}

}  // namespace

Config::Config(OptionRegistry registry) : registry_(std::move(registry)) {
  std::vector<std::string> errors;  // defaults were validated by Register
  resolved_ = Resolve(files_, overrides_, errors);
}

Status Config::LoadFile(const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return LoadString(text, path);
}

Status Config::LoadFiles(std::span<const std::string> paths) {
  for (const std::string& path : paths) CAIRN_RETURN_IF_ERROR(LoadFile(path));
  return Status::OK();
}

Status Config::LoadDirectory(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    return Status::NotFound("configuration directory " + path + " does not exist or is not a directory");
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".conf" && it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  if (ec) return Status::IOError("listing configuration directory " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return LoadFiles(files);
}

Status Config::LoadString(std::string_view text, std::string_view source_name) {
  CAIRN_ASSIGN_OR_RETURN(IniDocument doc, ParseIni(text, source_name));
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::set<std::string> unknown_sections;
  for (const IniSectionHeader& header : doc.headers) {
    if (!registry_.HasSection(header.name) && unknown_sections.insert(header.name).second) {
      warnings.push_back(header.location.ToString() + ": unknown section [" + header.name + "] ignored");
    }
  }

  std::map<Key, RawValue> files = files_;
  for (const IniEntry& entry : doc.entries) {
    if (unknown_sections.count(entry.section) > 0) continue;
    const std::string where = entry.location.ToString() + ": ";
    const Option* option = registry_.Find(entry.section, entry.key);
    // A [DEFAULT] value of a name that only other sections declare is checked
    // by Resolve, against each section that inherits it.
    const bool inheritable = entry.section == kDefaultSection && registry_.HasOptionNamed(entry.key);
    if (option == nullptr && !inheritable) {
      std::string message = where + "unknown " + Label(entry.section, entry.key);
      if (auto hint = registry_.Suggest(entry.section, entry.key)) message += " (did you mean " + *hint + "?)";
      errors.push_back(std::move(message));
      continue;
    }
    if (option != nullptr) {
      const Result<OptionValue> parsed = ParseOptionValue(*option, entry.value);
      if (!parsed.ok()) {
        errors.push_back(where + Label(entry.section, entry.key) + ": " + parsed.status().message());
        continue;
      }
    }
    files[{entry.section, entry.key}] = RawValue{entry.value, entry.location};
  }

  std::map<Key, Resolved> resolved = Resolve(files, overrides_, errors);
  if (!errors.empty()) return Status::InvalidArgument(Join(errors, "\n"));
  files_ = std::move(files);
  resolved_ = std::move(resolved);
  warnings_.insert(warnings_.end(), warnings.begin(), warnings.end());
  return Status::OK();
}

Status Config::SetOverride(std::string_view section, std::string_view name, std::string_view value) {
  const Option* option = registry_.Find(section, name);
  if (option == nullptr) return Status::NotFound("no " + Label(section, name) + " is registered");
  const Result<OptionValue> parsed = ParseOptionValue(*option, value);
  if (!parsed.ok()) return Status::InvalidArgument(Label(section, name) + ": " + parsed.status().message());
  std::map<Key, RawValue> overrides = overrides_;
  overrides[{std::string(section), std::string(name)}] = RawValue{std::string(value), {"<override>", 0}};
  std::vector<std::string> errors;
  std::map<Key, Resolved> resolved = Resolve(files_, overrides, errors);
  if (!errors.empty()) return Status::InvalidArgument(Join(errors, "\n"));
  overrides_ = std::move(overrides);
  resolved_ = std::move(resolved);
  return Status::OK();
}

std::map<Config::Key, Config::Resolved> Config::Resolve(const std::map<Key, RawValue>& files,
                                                        const std::map<Key, RawValue>& overrides,
                                                        std::vector<std::string>& errors) const {
  const auto find = [](const std::map<Key, RawValue>& map, const Key& key) -> const RawValue* {
    const auto it = map.find(key);
    return it == map.end() ? nullptr : &it->second;
  };
  std::map<Key, Resolved> resolved;
  for (const Option& option : registry_.options()) {
    const Key key{option.section, option.name};
    const RawValue* raw = find(overrides, key);
    if (raw == nullptr) raw = find(files, key);
    bool inherited = false;
    if (raw == nullptr) {
      raw = find(files, {std::string(kDefaultSection), option.name});
      inherited = raw != nullptr && option.section != kDefaultSection;
    }
    if (raw != nullptr) {
      Result<OptionValue> parsed = ParseOptionValue(option, raw->text);
      if (!parsed.ok()) {
        errors.push_back(raw->location.ToString() + ": " + Label(option.section, option.name) +
                         (inherited ? " (inherited from [DEFAULT])" : "") + ": " + parsed.status().message());
        continue;
      }
      resolved.emplace(key, Resolved{std::move(parsed).value(), raw->text, raw->location});
    } else if (option.default_value) {
      Result<OptionValue> parsed = ParseOptionValue(option, *option.default_value);
      if (parsed.ok()) {
        resolved.emplace(key, Resolved{std::move(parsed).value(), *option.default_value, {"<default>", 0}});
      }
    }
  }
  return resolved;
}

Result<const OptionValue*> Config::Lookup(std::string_view section, std::string_view name,
                                          std::initializer_list<OptionType> types,
                                          std::string_view wanted) const {
  const Option* option = registry_.Find(section, name);
  if (option == nullptr) return Status::NotFound("no " + Label(section, name) + " is registered");
  if (std::find(types.begin(), types.end(), option->type) == types.end()) {
    return Status::InvalidArgument(Label(section, name) + " has type " + std::string(OptionTypeName(option->type)) +
                                   ", not " + std::string(wanted));
  }
  const auto it = resolved_.find({std::string(section), std::string(name)});
  if (it == resolved_.end()) {
    return Status::NotFound(Label(section, name) + " is not set and has no default");
  }
  return &it->second.value;
}

Result<std::string> Config::GetString(std::string_view section, std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(const OptionValue* v, Lookup(section, name, {OptionType::kString, OptionType::kEnum}, "string"));
  return std::get<std::string>(*v);
}

Result<int64_t> Config::GetInt(std::string_view section, std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(const OptionValue* v, Lookup(section, name, {OptionType::kInt}, "integer"));
  return std::get<int64_t>(*v);
}

Result<bool> Config::GetBool(std::string_view section, std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(const OptionValue* v, Lookup(section, name, {OptionType::kBool}, "boolean"));
  return std::get<bool>(*v);
}

Result<double> Config::GetFloat(std::string_view section, std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(const OptionValue* v, Lookup(section, name, {OptionType::kFloat}, "floating point"));
  return std::get<double>(*v);
}

Result<std::vector<std::string>> Config::GetList(std::string_view section, std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(const OptionValue* v, Lookup(section, name, {OptionType::kList}, "list"));
  return std::get<std::vector<std::string>>(*v);
}

Result<uint64_t> Config::GetByteSize(std::string_view section, std::string_view name) const {
  CAIRN_ASSIGN_OR_RETURN(const OptionValue* v, Lookup(section, name, {OptionType::kByteSize}, "byte size"));
  return std::get<uint64_t>(*v);
}

bool Config::HasValue(std::string_view section, std::string_view name) const {
  return resolved_.count({std::string(section), std::string(name)}) > 0;
}

std::optional<SourceLocation> Config::Source(std::string_view section, std::string_view name) const {
  const auto it = resolved_.find({std::string(section), std::string(name)});
  if (it == resolved_.end()) return std::nullopt;
  return it->second.source;
}

std::vector<std::string> Config::Dump() const {
  std::vector<std::string> lines;
  for (const std::string& section : registry_.Sections()) {
    for (const Option* option : registry_.OptionsIn(section)) {
      std::string line = "[" + section + "] " + option->name + " = ";
      const auto it = resolved_.find({section, option->name});
      if (it == resolved_.end()) {
        line += "<None>";
      } else {
        line += option->secret ? "****" : Quoted(it->second.text, 200);
        line += "  (" + it->second.source.ToString() + ")";
      }
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

}  // namespace cairn
