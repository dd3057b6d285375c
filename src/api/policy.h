// The RBAC policy engine: named rules (defaults merged with an operator's
// policy file, oslo.policy format) and their enforcement.
//
//   CAIRN_ASSIGN_OR_RETURN(auto enforcer, PolicyEnforcer::Create("/etc/cairn/policy.yaml"));
//   creds.is_admin = enforcer->IsAdmin(creds);
//   CAIRN_RETURN_IF_ERROR(enforcer->Enforce("workload:workload_create", creds,
//                                           {{"project_id", project_id}}));
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/policy_rule.h"
#include "common/status.h"
#include "common/time.h"

namespace cairn::api {

// Rule name -> rule text, as written in a policy file.
using PolicyTexts = std::map<std::string, std::string, std::less<>>;

// A set of parsed rules. Immutable once built; thread safe to read.
class PolicyRules {
 public:
  PolicyRules() = default;
  // Parses every text; the first error names its rule.
  static Result<PolicyRules> Parse(const PolicyTexts& texts);

  // Replaces or adds the rules of `overrides`.
  void Merge(const PolicyRules& overrides);

  // True when a rule of that name exists.
  bool Has(std::string_view name) const;
  // The rule, or nullptr.
  const PolicyCheck* Find(std::string_view name) const;
  // Evaluates rule `name`; an unknown name evaluates the "default" rule
  // instead, and without a "default" rule it fails.
  bool Allows(std::string_view name, const Credentials& creds, const PolicyTarget& target) const;
  // Rule names, sorted.
  std::vector<std::string> Names() const;
  // The rules in canonical text form.
  PolicyTexts ToTexts() const;

 private:
  std::map<std::string, std::shared_ptr<const PolicyCheck>, std::less<>> rules_;
};

// Reads a policy file's rule texts: JSON when the name ends in ".json",
// YAML otherwise (JSON is valid YAML too). The top level must be a mapping
// of rule name to rule text (or the old list-of-lists form:
// [["role:a", "role:b"], ["role:c"]] is "(role:a and role:b) or role:c",
// [] always passes). An empty YAML file has no rules. InvalidArgument
// naming the file (and the line or byte for syntax errors); NotFound when
// the file does not exist; IOError when it cannot be read.
Result<PolicyTexts> ReadPolicyFile(const std::string& path);
// The same for text in memory; `origin` names it in messages.
Result<PolicyTexts> ParsePolicyText(std::string_view text, bool json, std::string_view origin);

// The message of a refusal: "Policy doesn't allow <rule> to be performed."
std::string PolicyRefusalMessage(std::string_view rule_name);

// Enforces the defaults (policy_defaults.h) merged with a policy file, which
// it re-reads when the file changes (checked at most once per
// check_interval, on the next Enforce). Thread safe.
class PolicyEnforcer {
 public:
  struct Options {
    // Policy file; empty or missing: the defaults only.
    std::string policy_file;
    // Time source for the reload interval (tests pass a ManualClock).
    const Clock* clock = &SystemClock::Get();
    std::chrono::milliseconds check_interval{1000};
  };

  // Loads the defaults and the file. A file that exists but cannot be read or
  // parsed is an error here (InvalidArgument/IOError naming the file); a
  // missing file is not (logged at info).
  static Result<std::unique_ptr<PolicyEnforcer>> Create(Options options);
  static Result<std::unique_ptr<PolicyEnforcer>> Create(std::string policy_file) {
    return Create(Options{.policy_file = std::move(policy_file)});
  }
  // The defaults with `overrides` merged in, no file (tests, tools).
  static Result<std::unique_ptr<PolicyEnforcer>> FromTexts(const PolicyTexts& overrides);

  // OK when rule `rule_name` (or "default" when unknown) allows the action,
  // else PermissionDenied with PolicyRefusalMessage(rule_name).
  Status Enforce(std::string_view rule_name, const Credentials& creds, const PolicyTarget& target) const;
  // The same as a bool.
  bool Check(std::string_view rule_name, const Credentials& creds, const PolicyTarget& target) const;
  // The context_is_admin rule evaluated with the credentials as the target
  // (as oslo.context computes is_admin).
  bool IsAdmin(const Credentials& creds) const;

  // Re-reads the policy file now if its modification time, size or inode
  // changed since the last load (a file that went away means defaults only).
  // A file that cannot be read or parsed keeps the previous rules, is logged
  // as an error and returned. Normally Enforce calls this for you.
  Status ReloadIfChanged() const;

  // The rules in force now.
  std::shared_ptr<const PolicyRules> rules() const;

 private:
  explicit PolicyEnforcer(Options options);
  struct FileStamp {
    bool exists = false;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
  };
  void MaybeReload() const;
  Result<FileStamp> StampFile() const;
  Result<PolicyRules> BuildRules(const FileStamp& stamp) const;
  Status LoadLocked() const;

  Options options_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const PolicyRules> rules_;
  mutable TimePoint last_check_{};
  mutable FileStamp stamp_{};
  mutable std::optional<FileStamp> failed_stamp_;  // a broken version already reported
  mutable Status failed_status_;
};

}  // namespace cairn::api
