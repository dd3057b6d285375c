// Config: option values loaded from INI files, answered by typed lookups.
//
// Semantics (docs/configuration.md is the user-facing version):
// - Files are layered: each LoadFile/LoadString applies on top of what was
//   loaded before, so a later file wins for an option both set.
// - A value for option `name` in [DEFAULT] applies to every section that
//   registers `name` and does not set it itself (configparser semantics). A
//   value set in the section wins over a [DEFAULT] one whatever the file order.
// - Precedence for option [s] n: override, then [s] n from files, then
//   [DEFAULT] n from files, then the declared default.
// - Every value is checked against its declaration while loading. Unknown
//   options in a known section (or in [DEFAULT]) are errors, so typos do not
//   pass silently; unknown sections are reported in warnings() and ignored,
//   since a file may be shared with other tools.
// - Loading is all or nothing: on error the Config is left as it was, and the
//   message holds one "<file>:<line>: option [section] name: <problem>" line
//   per problem found.
//
// A Config is a value: copyable, not thread safe to modify, safe to read from
// several threads once loaded.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config_schema.h"
#include "common/ini.h"
#include "common/status.h"

namespace cairn {

class Config {
 public:
  // A configuration in which every option has its declared default.
  explicit Config(OptionRegistry registry);

  // Loads one INI file on top of the current values. NotFound / IOError when
  // the file cannot be read, InvalidArgument when it is malformed or a value
  // is invalid (see the file comment).
  Status LoadFile(const std::string& path);
  // Loads the files in order; stops at the first that fails (the ones before
  // it stay loaded).
  Status LoadFiles(std::span<const std::string> paths);
  // Loads every "*.conf" file of a directory in name order (oslo's
  // --config-dir). A missing directory is NotFound.
  Status LoadDirectory(const std::string& path);
  // Loads INI text; `source_name` stands for the file name in messages.
  Status LoadString(std::string_view text, std::string_view source_name);

  // Sets one option, winning over files and defaults (for command line flags
  // and tests). Applies to exactly [section] name, not to sections
  // inheriting from [DEFAULT]. NotFound for an unregistered option,
  // InvalidArgument for an invalid value; on error nothing changes.
  Status SetOverride(std::string_view section, std::string_view name, std::string_view value);

  // Typed lookups. Each returns the effective value (see precedence above).
  // Errors: NotFound when the option is not registered or has neither a value
  // nor a default; InvalidArgument when the option has another type.
  Result<std::string> GetString(std::string_view section, std::string_view name) const;  // kString, kEnum
  Result<int64_t> GetInt(std::string_view section, std::string_view name) const;
  Result<bool> GetBool(std::string_view section, std::string_view name) const;
  Result<double> GetFloat(std::string_view section, std::string_view name) const;
  Result<std::vector<std::string>> GetList(std::string_view section, std::string_view name) const;
  Result<uint64_t> GetByteSize(std::string_view section, std::string_view name) const;

  // True when the option is registered and has a value (set or default).
  bool HasValue(std::string_view section, std::string_view name) const;
  // Where the effective value comes from: "<file>:<line>", "<default>" or
  // "<override>"; nullopt when there is no value. Lets later checks (a path
  // that does not exist, say) point at the line to fix.
  std::optional<SourceLocation> Source(std::string_view section, std::string_view name) const;

  // Non-fatal findings of the loads so far, e.g.
  // "cairn.conf:40: unknown section [foo] ignored".
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Every option as `[section] name = "value"  (source)`, in sample order,
  // with secret values shown as "****" (unquoted) and unset ones as
  // "<None>". For logging the effective configuration at start up.
  std::vector<std::string> Dump() const;

  const OptionRegistry& registry() const { return registry_; }

 private:
  using Key = std::pair<std::string, std::string>;  // (section, name)
  struct RawValue {
    std::string text;
    SourceLocation location;
  };
  struct Resolved {
    OptionValue value;
    std::string text;
    SourceLocation source;
  };

  // Builds the effective values from files, overrides and defaults; appends
  // an error line to `errors` for each inherited value that is invalid.
  std::map<Key, Resolved> Resolve(const std::map<Key, RawValue>& files,
                                  const std::map<Key, RawValue>& overrides,
                                  std::vector<std::string>& errors) const;
  // The resolved value of a registered option of one of `types`, or an error.
  Result<const OptionValue*> Lookup(std::string_view section, std::string_view name,
                                    std::initializer_list<OptionType> types,
                                    std::string_view wanted) const;

  OptionRegistry registry_;
  std::map<Key, RawValue> files_;      // every value read from files; later wins
  std::map<Key, RawValue> overrides_;  // from SetOverride
  std::map<Key, Resolved> resolved_;   // effective value of each option that has one
  std::vector<std::string> warnings_;
};

}  // namespace cairn
