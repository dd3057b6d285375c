// The default RBAC rules of the workloadmgr API, and their documented form.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "api/policy.h"

namespace cairn::api {

struct PolicyDefault {
  std::string_view name;         // e.g. "workload:workload_create"
  std::string_view check;        // the rule text
  std::string_view description;  // what it guards, one sentence
  std::string_view operations;   // the API calls it guards, "" for base rules
};

// Every default rule: the base rules first (context_is_admin, admin_api,
// admin_or_owner, member_role, admin_or_member, default), then one per API
// action, grouped by resource.
std::span<const PolicyDefault> DefaultPolicies();

// The defaults as rule texts.
PolicyTexts DefaultPolicyTexts();

// The defaults as a YAML policy file (oslo format) with a comment above each
// rule saying what it guards: what `cairn-manage policy defaults` prints.
// Reading it back gives DefaultPolicyTexts().
std::string DefaultPolicyYaml();

}  // namespace cairn::api
