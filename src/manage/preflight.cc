#include "manage/preflight.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>

#include "common/strings.h"
#include "common/time.h"
#include "db/database.h"
#include "db/schema.h"
#include "db/url.h"
#include "openstack/endpoint_selector.h"
#include "openstack/probe.h"
#include "openstack/service_session.h"
#include "target/directory_probe.h"
#include "target/identity.h"
#include "target/store.h"

namespace cairn::manage {
namespace {

using std::chrono::milliseconds;

milliseconds Since(const Stopwatch& watch) { return std::chrono::duration_cast<milliseconds>(watch.Elapsed()); }

std::string ProbeDetail(const openstack::ProbeResult& probe) {
  if (probe.ok()) return "HTTP " + std::to_string(probe.http_status);
  return probe.status.message();
}

CheckRow Skipped(std::string check, std::string target, std::string why) {
  return CheckRow{.check = std::move(check), .target = std::move(target), .result = CheckResult::kSkip,
                  .detail = std::move(why)};
}


}  // namespace

std::vector<CheckRow> CheckOpenStack(const openstack::ServiceCredentials& credentials,
                                     const openstack::ClientOptions& clients) {
  std::vector<CheckRow> rows;
  openstack::ServiceSession session(credentials);

  // Keystone's auth_url answers at all.
  const auto keystone = openstack::ProbeEndpoint(session.http(), credentials.auth_url);
  rows.push_back({.check = "keystone",
                  .target = credentials.auth_url,
                  .result = keystone.ok() ? CheckResult::kPass : CheckResult::kFail,
                  .detail = ProbeDetail(keystone),
                  .latency = keystone.latency,
                  .fix = keystone.ok() ? "" : "check [keystone_authtoken] auth_url, and that this node reaches it "
                                              "(routing, firewall, proxy, DNS, TLS: cafile/insecure)"});

  // The service user authenticates.
  const std::string who = credentials.username + " in project " + credentials.project_name;
  Stopwatch watch;
  auto token = session.GetToken();
  CheckRow user{.check = "service user", .target = who, .latency = Since(watch)};
  if (!token.ok()) {
    user.result = CheckResult::kFail;
    user.detail = token.status().message();
    user.fix = token.status().code() == ErrorCode::kPermissionDenied
                   ? "check [keystone_authtoken] username, password, project_name and the domains; "
                     "`cairn-manage register` creates the user and resets its password"
                   : "Keystone did not answer the authentication: see the keystone row";
  } else {
    const auto roles = token->RoleNames();
    user.detail = "token issued, roles " + Join(roles, ",");
    if (std::find(roles.begin(), roles.end(), "admin") == roles.end()) {
      user.result = CheckResult::kWarn;
      user.fix = "grant the service user the admin role on its project (`cairn-manage register` does)";
    }
  }
  rows.push_back(std::move(user));

  if (!token.ok()) {
    rows.push_back(Skipped("keystone admin endpoint", "", "needs the service user's token"));
    for (const std::string_view type : {openstack::kComputeService, openstack::kVolumeService,
                                        openstack::kImageService, openstack::kNetworkService}) {
      rows.push_back(Skipped(std::string(type) + " (" + std::string(openstack::InterfaceName(clients.interface)) + ")",
                             "", "needs the service user's token (the catalog)"));
    }
    return rows;
  }

  // The identity admin endpoint (admin-only Keystone calls go there).
  auto admin_url = session.IdentityAdminUrl();
  if (!admin_url.ok()) {
    rows.push_back({.check = "keystone admin endpoint", .result = CheckResult::kFail,
                    .detail = admin_url.status().message(), .fix = "see the service user row"});
  } else {
    const bool from_catalog = token->catalog.EndpointFor(openstack::kIdentityService, openstack::Interface::kAdmin,
                                                         credentials.region_name).ok();
    const auto probe = openstack::ProbeEndpoint(session.http(), *admin_url);
    rows.push_back({.check = "keystone admin endpoint",
                    .target = *admin_url,
                    .result = probe.ok() ? CheckResult::kPass : CheckResult::kFail,
                    .detail = ProbeDetail(probe) + (from_catalog ? "" : " (no admin identity endpoint in the catalog: "
                                                                        "auth_url used)"),
                    .latency = probe.latency,
                    .fix = probe.ok() ? "" : "this node must reach the catalog's admin identity endpoint (user and "
                                             "trust calls go there): open the path, or correct that endpoint"});
  }

  // The services, on the configured interface.
  const std::string interface(openstack::InterfaceName(clients.interface));
  const openstack::HttpClient http(clients.http);
  const openstack::EndpointSelector selector(clients.interface, clients.region_name);
  for (const auto& probe : openstack::ProbeServices(http, selector, *token)) {
    CheckRow row{.check = probe.service_type + " (" + interface + ")",
                 .target = probe.url,
                 .result = probe.ok() ? CheckResult::kPass : CheckResult::kFail,
                 .detail = ProbeDetail(probe)};
    if (!probe.url.empty()) row.latency = probe.latency;
    if (!probe.ok()) {
      row.fix = probe.status.IsNotFound()
                    ? "the catalog has no " + probe.service_type + " endpoint on the " + interface +
                          " interface (in the region): register it, or set [clients] endpoint_type/region_name"
                    : "this node cannot use the " + interface + " endpoint of " + probe.service_type +
                          ": open the path, or set [clients] endpoint_type to an interface it reaches";
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<CheckRow> CheckDatabase(const db::DatabaseOptions& options) {
  std::vector<CheckRow> rows;
  const std::string display = db::MaskUrlPassword(options.connection);
  // A SQLite file that does not exist would be created by opening it: say so
  // instead (preflight changes nothing).
  auto url = db::ParseDatabaseUrl(options.connection);
  if (url.ok() && url->backend == db::Backend::kSqlite && !url->in_memory && !std::filesystem::exists(url->path)) {
    rows.push_back({.check = "database", .target = display, .result = CheckResult::kFail,
                    .detail = "the SQLite file " + url->path + " does not exist",
                    .fix = "run `cairn-manage db sync` (it creates the file), or correct [database] connection"});
    rows.push_back(Skipped("database schema", display, "needs the database"));
    return rows;
  }
  db::DatabaseOptions one = options;
  one.pool_size = 1;
  Stopwatch watch;
  auto database = db::Database::Open(one);
  Result<int> version = database.ok() ? db::CurrentSchemaVersion(**database) : Result<int>(database.status());
  CheckRow reach{.check = "database", .target = display, .latency = Since(watch)};
  if (!version.ok()) {
    reach.result = CheckResult::kFail;
    reach.detail = version.status().message();
    reach.fix = "check [database] connection (URL, user, password, database name), that the server runs, "
                "and that it accepts connections from this node";
    rows.push_back(std::move(reach));
    rows.push_back(Skipped("database schema", display, "needs the database"));
    return rows;
  }
  reach.detail = "connected to " + std::string(db::BackendName((*database)->backend()));
  rows.push_back(std::move(reach));

  const int latest = db::LatestSchemaVersion();
  CheckRow schema{.check = "database schema", .target = display};
  schema.detail = "version " + std::to_string(*version) + ", this Cairn needs " + std::to_string(latest);
  if (*version != latest) {
    schema.result = CheckResult::kFail;
    schema.fix = *version < latest ? "run `cairn-manage db sync`" : "this Cairn is older than the database: upgrade it";
  }
  rows.push_back(std::move(schema));
  return rows;
}

// The target's identity marker: jobs refuse a target without one (an
// unmounted share), so preflight says so first.
CheckRow CheckTargetIdentityRow(const std::string& path) {
  CheckRow row{.check = "target identity", .target = path};
  auto store = target::OpenPosixStore(path);
  Result<target::TargetIdentity> identity =
      store.ok() ? target::ReadTargetIdentity(**store) : Result<target::TargetIdentity>(store.status());
  if (identity.ok()) {
    row.detail = "target " + identity->id + ", layout version " + std::to_string(identity->layout_version);
    return row;
  }
  row.result = CheckResult::kFail;
  row.detail = identity.status().message();
  if (identity.status().code() == ErrorCode::kUnavailable) {
    auto mount_point = target::IsMountPoint(path);
    const bool mounted = mount_point.ok() && *mount_point;
    row.fix = mounted ? "a new target: run cairn-manage target init"
                      : "mount the target's share there (it is not a mount point); a new target on this host's "
                        "own disks: cairn-manage target init --local";
  } else {
    row.fix = "check what is mounted there: the marker cairn_target is not one this Cairn reads";
  }
  return row;
}

std::vector<CheckRow> CheckTarget(const target::TargetOptions& options) {
  std::vector<CheckRow> rows;
  const std::string& path = options.path;
  Status dir = target::CheckIsDirectory(path);
  rows.push_back({.check = "target directory",
                  .target = path,
                  .result = dir.ok() ? CheckResult::kPass : CheckResult::kFail,
                  .detail = dir.ok() ? "a directory" : dir.message(),
                  .fix = dir.ok() ? "" : dir.IsNotFound()
                                             ? "create it or mount the target there, or set [target] path"
                                             : "[target] path must name a directory: set it to the target's mount point"});
  if (!dir.ok()) {
    rows.push_back(Skipped("target write", path, "needs the directory"));
    rows.push_back(Skipped("target free space", path, "needs the directory"));
    rows.push_back(Skipped("target identity", path, "needs the directory"));
    return rows;
  }
  Stopwatch watch;
  Status write = target::ProbeWritable(path);
  rows.push_back({.check = "target write",
                  .target = path,
                  .result = write.ok() ? CheckResult::kPass : CheckResult::kFail,
                  .detail = write.ok() ? "64 KiB written, fsynced, read back, removed" : write.message(),
                  .latency = Since(watch),
                  .fix = write.ok() ? "" : "make the directory writable by the user Cairn runs as (permissions, "
                                           "read-only or full mount, NFS export options such as root_squash)"});
  auto space = target::GetSpaceInfo(path);
  if (!space.ok()) {
    rows.push_back({.check = "target free space", .target = path, .result = CheckResult::kFail,
                    .detail = space.status().message(), .fix = "check the mount"});
    rows.push_back(CheckTargetIdentityRow(path));
    return rows;
  }
  CheckRow free{.check = "target free space", .target = path};
  free.detail = HumanBytes(space->available_bytes) + " free of " + HumanBytes(space->total_bytes);
  if (space->available_bytes < options.free_space_warning) {
    free.result = CheckResult::kWarn;
    free.detail += ", below [target] free_space_warning " + HumanBytes(options.free_space_warning);
    free.fix = "add space to the target, or delete old snapshots";
  }
  rows.push_back(std::move(free));
  rows.push_back(CheckTargetIdentityRow(path));
  return rows;
}

PreflightReport RunPreflight(const Config& config) {
  PreflightReport report;
  const auto append = [&](std::vector<CheckRow> rows) {
    for (auto& r : rows) report.rows.push_back(std::move(r));
  };
  const auto config_error = [&](const Status& s, std::string_view group) {
    report.rows.push_back({.check = "configuration", .target = std::string(group), .result = CheckResult::kFail,
                           .detail = s.message(), .fix = "correct the configuration file"});
  };

  auto credentials = openstack::ServiceCredentialsFromConfig(config);
  auto clients = openstack::ClientOptionsFromConfig(config);
  if (!credentials.ok()) {
    config_error(credentials.status(), "[keystone_authtoken]");
  } else if (!clients.ok()) {
    config_error(clients.status(), "[clients]");
  } else {
    append(CheckOpenStack(*credentials, *clients));
  }

  auto database = db::DatabaseOptionsFromConfig(config);
  if (database.ok()) {
    append(CheckDatabase(*database));
  } else {
    config_error(database.status(), "[database]");
  }

  auto target = target::TargetOptionsFromConfig(config);
  if (target.ok()) {
    append(CheckTarget(*target));
  } else {
    config_error(target.status(), "[target]");
  }
  return report;
}

}  // namespace cairn::manage
