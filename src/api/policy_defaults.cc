#include "api/policy_defaults.h"

#include <nlohmann/json.hpp>

namespace cairn::api {
namespace {

constexpr std::string_view kAdminApi = "rule:admin_api";
constexpr std::string_view kOwner = "rule:admin_or_owner";    // read: any role in the project
constexpr std::string_view kMember = "rule:admin_or_member";  // write: member (or admin) of the project

constexpr PolicyDefault kDefaults[] = {
    // Base rules, referenced by the others.
    {"context_is_admin", "role:admin", "Who is a cloud admin (sets is_admin in the credentials).", ""},
    {"admin_api", "is_admin:True", "Cloud admins only.", ""},
    {"admin_or_owner", "is_admin:True or project_id:%(project_id)s",
     "Cloud admins, or any user of the project the resource belongs to (any role, reader included).", ""},
    {"member_role", "role:member or role:_member_ or role:admin",
     "The roles that may change things in their project; add a custom role here to open every write to it.", ""},
    {"admin_or_member", "is_admin:True or (project_id:%(project_id)s and rule:member_role)",
     "Cloud admins, or a user of the project holding one of the member_role roles (not a reader only).", ""},
    {"admin_or_creator", "is_admin:True or (project_id:%(project_id)s and user_id:%(user_id)s)",
     "Cloud admins, or the user who created the resource (in its project).", ""},
    {"default", "rule:admin_or_owner", "Any rule the policy does not name.", ""},

    // Workload types.
    {"workload:workload_type_get_all", kOwner, "List workload types.", "GET /workload_types[/detail]"},
    {"workload:workload_type_get", kOwner, "Show a workload type.", "GET /workload_types/{id}"},
    {"workload:workload_type_create", kAdminApi, "Create a workload type.", "POST /workload_types"},
    {"workload:workload_type_delete", kAdminApi, "Delete a workload type.", "DELETE /workload_types/{id}"},

    // Workloads.
    {"workload:workload_create", kMember, "Create a workload.", "POST /workloads"},
    {"workload:workload_get", kOwner, "Show a workload.", "GET /workloads/{id}"},
    {"workload:workload_get_all", kOwner, "List the project's workloads.", "GET /workloads[/detail]"},
    {"workload:workload_get_all_tenants", kAdminApi, "List the workloads of every project.",
     "GET /workloads[/detail]?all_workloads=True"},
    {"workload:workload_update", kMember, "Modify a workload.", "PUT /workloads/{id}"},
    {"workload:workload_delete", kMember, "Delete a workload.", "DELETE /workloads/{id}"},
    {"workload:workload_snapshot", kMember, "Take a snapshot of a workload.", "POST /workloads/{id}"},
    {"workload:workload_pause", kMember, "Pause a workload's schedule.", "POST /workloads/{id}/pause"},
    {"workload:workload_resume", kMember, "Resume a workload's schedule.", "POST /workloads/{id}/resume"},
    {"workload:workload_unlock", kMember, "Unlock a workload whose job died.", "POST /workloads/{id}/unlock"},
    {"workload:workload_reset", kMember, "Reset a workload's change tracking.", "POST /workloads/{id}/reset"},
    {"workload:scheduler_trust_validate", kOwner, "Check that a workload's scheduled jobs have a valid trust.",
     "GET /workloads/{id}/scheduler_trust_validate"},

    // Disaster recovery and reassignment.
    {"workload:get_import_workloads_list", kAdminApi, "List workloads on the backup target missing from the database.",
     "GET /workloads/get_list/import_workloads"},
    {"workload:import_workloads", kAdminApi, "Import workloads from the backup target.",
     "POST /workloads/import_workloads"},
    {"workload:get_orphan_workloads_list", kAdminApi, "List workloads whose project or user no longer exists.",
     "GET /workloads/orphan_workloads"},
    {"workload:workload_reassign", kAdminApi, "Move workloads to another project or user.",
     "POST /workloads/reasign_workloads"},

    // Admin metrics and nodes.
    {"workload:get_nodes", kAdminApi, "List the datamover nodes.", "GET /workloads/metrics/nodes"},
    {"workload:change_node_status", kAdminApi, "Enable or disable a datamover node.", "POST /workloads/service/update"},
    {"workload:get_storage_usage", kAdminApi, "Show the backup target's usage.", "GET /workloads/metrics/storage_usage"},
    {"workload:get_tenants_usage", kAdminApi, "Show the usage of every project.", "GET /workloads/metrics/tenants_usage"},
    {"workload:get_tenants_chargeback", kAdminApi, "Show the chargeback of projects.",
     "GET /workloads/metrics/tenants_chargeback"},
    {"workload:get_protected_vms", kAdminApi, "List the protected VMs.", "GET /workloads/metrics/vms_protected"},
    {"workload:get_auditlog", kAdminApi, "Read the audit log.", "GET /workloads/audit/auditlog"},

    // Global job scheduler.
    {"workload:workload_get_global_job_scheduler", kOwner, "Show whether the global job scheduler runs.",
     "GET /global_job_scheduler"},
    {"workload:workload_enable_global_job_scheduler", kAdminApi, "Enable the global job scheduler.",
     "POST /global_job_scheduler/enable"},
    {"workload:workload_disable_global_job_scheduler", kAdminApi, "Disable the global job scheduler.",
     "POST /global_job_scheduler/disable"},

    // Settings and e-mail.
    {"workload:get_settings", kOwner, "Show the settings as a name -> value map.", "POST /workloads/settings"},
    {"workload:test_email", kAdminApi, "Send a test e-mail with the given SMTP settings.",
     "GET /workloads/email/test_email"},
    {"setting:setting_create", kMember, "Create settings.", "POST /settings"},
    {"setting:setting_update", kMember, "Modify settings.", "PUT /settings"},
    {"setting:setting_get", kOwner, "Show a setting.", "GET /settings/{name}"},
    {"setting:setting_get_all", kOwner, "List settings.", "GET /settings"},
    {"setting:setting_delete", kMember, "Delete a setting.", "DELETE /settings/{name}"},

    // Trusts.
    {"trust:trust_create", kMember, "Create a Keystone trust for scheduled jobs.", "POST /trusts"},
    {"trust:trust_get", kOwner, "Show a trust.", "GET /trusts/{name}"},
    {"trust:trust_get_all", kOwner, "List trusts.", "GET /trusts"},
    {"trust:trust_delete", "rule:admin_or_creator",
     "Delete a trust (the schedules of the user who made it stop running): that user or an admin.",
     "DELETE /trusts/{name}"},

    // Workload policies.
    {"workload:policy_create", kAdminApi, "Create a workload policy.", "POST /workload_policy"},
    {"workload:policy_update", kAdminApi, "Modify a workload policy.", "PUT /workload_policy/{id}"},
    {"workload:policy_delete", kAdminApi, "Delete a workload policy.", "DELETE /workload_policy/{id}"},
    {"workload:policy_assign", kAdminApi, "Assign a workload policy to projects or remove it.",
     "POST /workload_policy/{id}/assign"},
    {"workload:policy_get", kOwner, "Show a workload policy.", "GET /workload_policy/{id}"},
    {"workload:policy_list", kOwner, "List workload policies.", "GET /workload_policy"},
    {"workload:get_assigned_policies", kOwner, "List the policies assigned to a project.",
     "GET /workload_policy/assigned/{project_id}"},

    // Quotas.
    {"workload:get_quota_type", kOwner, "Show a quota type.", "GET /project_quota_types/{id}"},
    {"workload:list_quota_type", kOwner, "List quota types.", "GET /project_quota_types"},
    {"workload:get_allowed_quotas", kOwner, "List a project's allowed quotas.",
     "GET /project_allowed_quotas/{project_id}"},
    {"workload:get_allowed_quota", kOwner, "Show an allowed quota.", "GET /project_allowed_quota/{id}"},
    {"workload:create_allowed_quota", kAdminApi, "Set a project's allowed quotas.",
     "POST /project_allowed_quotas/{project_id}"},
    {"workload:update_allowed_quota", kAdminApi, "Modify an allowed quota.", "PUT /update_allowed_quota/{id}"},
    {"workload:delete_allowed_quota", kAdminApi, "Delete an allowed quota.", "DELETE /project_allowed_quotas/{id}"},

    // Snapshots.
    {"snapshot:snapshot_get", kOwner, "Show a snapshot.", "GET /snapshots/{id}"},
    {"snapshot:snapshot_get_all", kOwner, "List snapshots.", "GET /snapshots[/detail]"},
    {"snapshot:snapshot_delete", kMember, "Delete a snapshot.", "DELETE /snapshots/{id}"},
    {"snapshot:snapshot_cancel", kMember, "Cancel a running snapshot.", "GET /snapshots/{id}/cancel"},
    {"snapshot:snapshot_restore", kMember, "Restore a snapshot.", "POST /workloads/{wid}/snapshots/{sid}/restores"},
    {"snapshot:snapshot_mount", kMember, "Mount a snapshot on a file recovery VM.", "POST /snapshots/{id}/mount"},
    {"snapshot:snapshot_dismount", kMember, "Dismount a snapshot.", "POST /snapshots/{id}/dismount"},
    {"snapshot:snapshot_mounted_list", kOwner, "List mounted snapshots.", "GET /snapshots/mounted/list"},

    // File search.
    {"workload:file_search", kMember, "Start a file search in snapshots.", "POST /search"},
    {"workload:file_search_get", kOwner, "Show a file search and its results.", "GET /search/{id}"},

    // Restores.
    {"restore:restore_get", kOwner, "Show a restore.", "GET /restores/{id}"},
    {"restore:restore_get_all", kOwner, "List restores.", "GET /restores[/detail]"},
    {"restore:restore_delete", kMember, "Delete a restore record.", "DELETE /workloads/{wid}/snapshots/{sid}/restores/{id}"},
    {"restore:restore_cancel", kMember, "Cancel a running restore.", "GET /restores/{id}/cancel"},
};

}  // namespace

std::span<const PolicyDefault> DefaultPolicies() { return kDefaults; }

PolicyTexts DefaultPolicyTexts() {
  PolicyTexts texts;
  for (const PolicyDefault& rule : kDefaults) texts.emplace(std::string(rule.name), std::string(rule.check));
  return texts;
}

std::string DefaultPolicyYaml() {
  std::string out =
      "# Cairn API policy: the defaults (oslo.policy format).\n"
      "#\n"
      "# Copy the rules you want to change into the policy file ([api] policy_file,\n"
      "# default /etc/cairn/policy.yaml); the rules it does not name keep these\n"
      "# defaults. The file is re-read when it changes. Rule language: docs/api-server.md.\n";
  for (const PolicyDefault& rule : kDefaults) {
    out += "\n# " + std::string(rule.description) + "\n";
    if (!rule.operations.empty()) out += "# " + std::string(rule.operations) + "\n";
    // JSON strings are valid YAML double-quoted scalars.
    out += nlohmann::json(std::string(rule.name)).dump() + ": " + nlohmann::json(std::string(rule.check)).dump() + "\n";
  }
  return out;
}

}  // namespace cairn::api
