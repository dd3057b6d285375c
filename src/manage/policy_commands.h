// `cairn-manage policy defaults|check`: the default RBAC rules as a policy
// file, and the check of an operator's policy file.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::manage {

// Prints api::DefaultPolicyYaml(): every default rule with a comment saying
// what it guards.
void PolicyDefaults(std::ostream& out);

// What CheckPolicyFile found.
struct PolicyCheckReport {
  int rules = 0;                      // rules in the file
  std::vector<std::string> errors;    // one per rule that does not parse (or the file's own error)
  std::vector<std::string> warnings;  // rule names Cairn does not use (typos)

  bool ok() const { return errors.empty(); }
};

// Reads the policy file (api::ReadPolicyFile: JSON for *.json, else YAML)
// and parses every rule on its own, so all broken rules are reported, not
// only the first. A file that cannot be read or parsed at all gives one error.
PolicyCheckReport CheckPolicyFile(const std::string& path);

// Prints the report: "error: ..." and "warning: ..." lines, then
// "N rules OK" when there is no error, else "N errors in <path>".
// InvalidArgument (with that last line as message) when there are errors.
Status PrintPolicyCheck(const std::string& path, const PolicyCheckReport& report, std::ostream& out);

}  // namespace cairn::manage
