// `cairn-manage preflight`: checks, from the node it runs on, every path the
// deployment needs: Keystone and the service user, Keystone's admin
// endpoint, Nova/Cinder/Glance/Neutron on the configured interface, the
// database and its schema, and the backup target. Each check group returns
// its rows (preflight_report.h); a check that depends on a failed one is SKIP.
#pragma once

#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "db/options.h"
#include "manage/preflight_report.h"
#include "openstack/options.h"
#include "target/options.h"

namespace cairn::manage {

// Rows "keystone" (auth_url answers), "service user" (authenticates; WARN
// without the admin role), "keystone admin endpoint" (the identity admin URL
// answers), then one row "<type> (<interface>)" for each of compute,
// volumev3, image and network on `clients`' interface and region.
std::vector<CheckRow> CheckOpenStack(const openstack::ServiceCredentials& credentials,
                                     const openstack::ClientOptions& clients);

// Rows "database" (connects and answers a query) and "database schema" (at
// the version this Cairn needs). Opens one connection; a SQLite file that
// does not exist is a FAIL (it is not created).
std::vector<CheckRow> CheckDatabase(const db::DatabaseOptions& options);

// Rows "target directory" (exists, is a directory), "target write" (a probe
// file written, fsynced, read back, compared, removed) and "target free
// space" (WARN below options.free_space_warning).
std::vector<CheckRow> CheckTarget(const target::TargetOptions& options);

// Every group above, from a Config holding manage::RegisterManageOptions. An
// option that cannot be read becomes a FAIL row of its group ("configuration").
PreflightReport RunPreflight(const Config& config);

}  // namespace cairn::manage
