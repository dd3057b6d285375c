#include "manage/policy_commands.h"

#include <set>

#include "api/policy.h"
#include "api/policy_defaults.h"
#include "api/policy_rule.h"

namespace cairn::manage {

void PolicyDefaults(std::ostream& out) { out << api::DefaultPolicyYaml(); }

PolicyCheckReport CheckPolicyFile(const std::string& path) {
  PolicyCheckReport report;
  auto texts = api::ReadPolicyFile(path);
  if (!texts.ok()) {
    report.errors.push_back(texts.status().message());
    return report;
  }
  std::set<std::string_view> known;
  for (const auto& rule : api::DefaultPolicies()) known.insert(rule.name);
  for (const auto& [name, text] : *texts) {
    ++report.rules;
    auto parsed = api::ParsePolicyRule(name, text);
    if (!parsed.ok()) report.errors.push_back(parsed.status().message());
    if (!known.contains(name)) {
      report.warnings.push_back("rule " + name +
                                " is not one of Cairn's rules (a typo? it only matters when another rule refers to it)");
    }
  }
  return report;
}

Status PrintPolicyCheck(const std::string& path, const PolicyCheckReport& report, std::ostream& out) {
  for (const auto& e : report.errors) out << "error: " << e << "\n";
  for (const auto& w : report.warnings) out << "warning: " << w << "\n";
  if (report.ok()) {
    out << report.rules << (report.rules == 1 ? " rule OK" : " rules OK") << "\n";
    return Status::OK();
  }
  const std::string summary =
      std::to_string(report.errors.size()) + (report.errors.size() == 1 ? " error in " : " errors in ") + path;
  out << summary << "\n";
  return Status::InvalidArgument(summary);
}

}  // namespace cairn::manage
