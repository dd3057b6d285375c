// The oslo.policy rule language: parse a rule text into a check tree and
// evaluate it against credentials and a target.
//
//   "is_admin:True or (role:member and project_id:%(project_id)s)"
//
// Checks: `@` (always), `!` (never), `rule:NAME` (another rule), `role:NAME`
// (the caller has the role, any letter case), `KEY:VALUE` (the credential
// KEY equals VALUE; VALUE may be `%(field)s` taken from the target, a quoted
// 'literal' or a bare word such as True), and `'literal':%(field)s` /
// `True:%(field)s` (a target field equals the literal). `%(field)s` may
// appear inside a longer VALUE too; a field the target lacks fails the check.
// Operators as in oslo.policy, from tightest: `not`, `and`, `or`
// (keywords in any case), with parentheses. The empty text always passes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::api {

// Who is asking: from the Keystone token (set by the auth middleware).
struct Credentials {
  std::string user_id{};
  std::string project_id{};
  std::vector<std::string> roles{};
  // True for cloud admins; set it from PolicyEnforcer::IsAdmin (the
  // context_is_admin rule), as oslo.context does.
  bool is_admin = false;
  // Any other credential a rule may name (domain_id, user_domain_id, ...).
  std::map<std::string, std::string, std::less<>> extra{};

  // The credential `key` as text: user_id, project_id (also "tenant" and
  // "tenant_id"), is_admin ("True"/"False"), else extra[key]; nullopt when
  // unknown. Roles are matched by HasRole, not here.
  std::optional<std::string> Get(std::string_view key) const;
  // True when `role` is among roles, ignoring ASCII letter case.
  bool HasRole(std::string_view role) const;
};

// What the action is about: field -> value, e.g. {"project_id": "..."}.
using PolicyTarget = std::map<std::string, std::string, std::less<>>;

// A parsed rule (immutable; share freely between threads).
class PolicyCheck {
 public:
  virtual ~PolicyCheck() = default;
  // The rule in canonical text form (fully parenthesised).
  virtual std::string ToString() const = 0;

  // Looks up the rule named by a `rule:NAME` check; nullptr when unknown.
  using RuleLookup = std::function<const PolicyCheck*(std::string_view name)>;
  struct Context {
    const Credentials& creds;
    const PolicyTarget& target;
    const RuleLookup& lookup;
    int depth = 0;  // of rule: references, to stop loops
  };
  // True when the check passes. An unknown `rule:NAME` fails, and so does a
  // chain of rule references deeper than kMaxRuleDepth (a loop).
  virtual bool Evaluate(const Context& context) const = 0;
};

inline constexpr int kMaxRuleDepth = 32;

// Parses the text of rule `rule_name`. InvalidArgument naming the rule, the
// problem and the 0-based character position, e.g.
//   policy rule "workload:x": expected ')' at position 17 in "(role:a or role:b"
Result<std::shared_ptr<const PolicyCheck>> ParsePolicyRule(std::string_view rule_name, std::string_view text);

}  // namespace cairn::api
