// The workloadmgr API service: what its route handlers share, and the
// functions that add each group of routes to a Router.
//
// The handlers follow OpenStack's api -> manager split: they parse and
// validate the request, enforce the policy, and hand each write to one
// method of a manager (control/workload_manager.h, snapshot_manager.h,
// restore_manager.h), which checks the quotas and records it with its job for
// cairn-engine in one transaction; they never run a workflow themselves. A
// request that starts work (create workload, snapshot, restore, delete) is
// answered 202 at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/v1/auth.h"
#include "api/policy.h"
#include "api/request.h"
#include "api/response.h"
#include "api/router.h"
#include "api/v1/views.h"
#include "common/status.h"
#include "common/time.h"
#include "control/job_origin.h"
#include "db/database.h"
#include "db/models.h"
#include "target/store.h"

namespace cairn::api {

// A Nova server as the API needs to see it when a workload is created.
struct InstanceInfo {
  std::string id;
  std::string name;
  std::string status;
  std::string project_id;
  std::string availability_zone;
  size_t volume_count = 0;
};

// Finds Nova servers on behalf of the caller. Production: NovaClient through
// the caller's catalog on the configured interface (nova_directory.h).
class InstanceDirectory {
 public:
  virtual ~InstanceDirectory() = default;
  // The server `vm_id` as the caller sees it: kNotFound when Nova does not
  // know it (or the caller may not see it), kUnavailable when Nova cannot be
  // reached.
  virtual Result<InstanceInfo> Get(const AuthContext& caller, std::string_view vm_id) = 0;
};

// Keystone lookups and trusts on behalf of the API. Production: KeystoneAdmin
// through the service session (keystone_directory.h).
class IdentityDirectory {
 public:
  virtual ~IdentityDirectory() = default;
  // kNotFound when there is no such project / user.
  virtual Status ProjectExists(std::string_view project_id) = 0;
  virtual Status UserExists(std::string_view user_id) = 0;
  // Creates a trust from the caller to Cairn's service user on the caller's
  // project with `role_name`; returns the Keystone trust id.
  virtual Result<std::string> CreateTrust(const AuthContext& caller, std::string_view role_name) = 0;
  // Deletes a trust; kNotFound when Keystone no longer has it.
  virtual Status DeleteTrust(std::string_view trust_id) = 0;
  // OK when the trust still exists in Keystone.
  virtual Status TrustValid(std::string_view trust_id) = 0;
};

struct ApiLimits {
  size_t max_instances_per_workload = 100;
  int max_page_size = 1000;  // a larger ?limit is cut to this
};

// Everything the handlers share. Owned by the program (cairn-api, cairn-aio,
// tests); must outlive the router.
struct ApiService {
  db::Database& db;
  PolicyEnforcer& policy;
  InstanceDirectory& instances;
  IdentityDirectory& identity;
  const Clock& clock;
  ApiLimits limits{};
  // Opens the backup target for the disaster-recovery routes (production:
  // the POSIX store at this node's [target] path). Empty: this server has
  // no target, and those routes answer 503.
  std::function<Result<std::unique_ptr<target::Store>>()> open_target{};
};

// Adds every route of the API (all of the functions below).
Status AddApiRoutes(Router& router, ApiService& service);

Status AddVersionRoutes(Router& router, ApiService& service);
Status AddWorkloadRoutes(Router& router, ApiService& service);
Status AddSnapshotRoutes(Router& router, ApiService& service);
Status AddRestoreRoutes(Router& router, ApiService& service);
Status AddSettingRoutes(Router& router, ApiService& service);
Status AddPolicyRoutes(Router& router, ApiService& service);
Status AddQuotaRoutes(Router& router, ApiService& service);
Status AddAdminRoutes(Router& router, ApiService& service);
Status AddImportRoutes(Router& router, ApiService& service);

// ---- helpers shared by the route files ------------------------------------

// A handler of the v1 routes: the shared service and the request.
using ServiceHandler = std::function<Result<Response>(ApiService&, const Request&)>;

// Adds routes under "/v1/{project_id}" whose handlers get the service:
//   RouteAdder add(router, service);
//   CAIRN_RETURN_IF_ERROR(add("GET", "/workloads", ListWorkloads));
class RouteAdder {
 public:
  RouteAdder(Router& router, ApiService& service) : router_(router), service_(&service) {}
  Status operator()(std::string_view method, std::string_view path, ServiceHandler handler);

 private:
  Router& router_;
  ApiService* service_;
};

// The requester of the jobs the request starts (control/job_origin.h): the
// caller's user id and token (none without auth) and the request id.
control::JobOrigin JobOriginOf(const Request& request);

// The policy credentials of a token's holder (user, project, roles, domains);
// is_admin is left false: the caller decides it (PolicyEnforcer::IsAdmin).
Credentials CredentialsOfToken(const openstack::Token& token);

// The policy credentials of the request's caller (request.auth must be set).
Credentials CallerCredentials(const Request& request);

// Enforces `rule` for the caller on a collection of `project_id` (listing it,
// creating in it: the URL's project): the target is {project_id, user_id of
// the caller, who will own what is created}.
Status Authorize(ApiService& service, const Request& request, std::string_view rule,
                 std::string_view project_id);

// Enforces `rule` for the caller on an existing object: the target is its
// owner, {project_id, user_id of the user who created it}, so a rule such as
// "user_id:%(user_id)s" lets only that user act on it.
Status Authorize(ApiService& service, const Request& request, std::string_view rule,
                 std::string_view project_id, std::string_view owner_user_id);

// The request's base URL for links: scheme and the Host header as the
// client reached us, and the URL's project.
LinkBase LinkBaseOf(const Request& request);

// ?limit= and ?marker= as the Page to show. No list answers more than
// max_page_size rows: a larger limit is cut to it, and without a limit (or
// with 0) the page is max_page_size rows. InvalidArgument for a limit that is
// not a non-negative integer or a marker that is not an id.
Result<db::Page> PageOf(const Request& request, const ApiLimits& limits);

// The page to ask the database for to show `page`: one row more, which tells
// whether a next page exists (CutToPage).
db::Page WithLookAhead(db::Page page);

// Cuts `rows`, read with WithLookAhead(page), to `page`; returns the marker of
// the next page (the last row kept) when rows were left over, else nullopt.
template <typename Row>
std::optional<std::string> CutToPage(std::vector<Row>& rows, const db::Page& page) {
  if (page.limit <= 0 || rows.size() <= static_cast<size_t>(page.limit)) return std::nullopt;
  rows.resize(static_cast<size_t>(page.limit));
  return rows.back().id;
}

// With a next page, sets body["<key>_links"] to [{"rel": "next", "href": this
// request's URL with limit=page.limit and marker=next_marker}] (the OpenStack
// convention, as Cinder and Nova answer; clients follow it to the end).
void AddNextPageLink(nlohmann::json& body, std::string_view key, const Request& request, const db::Page& page,
                     const std::optional<std::string>& next_marker);

// A query flag: true for "1", "true", "True", "yes"; false when absent.
// InvalidArgument for a value that is not a boolean.
Result<bool> QueryFlag(const Request& request, std::string_view name);

// True when `id` is a UUID (with or without dashes, any case); the handlers
// answer 404 for ids that cannot exist instead of asking the database.
bool LooksLikeId(std::string_view id);

// Records an audit entry for the caller (failures are logged, not returned:
// the action already happened).
void Audit(ApiService& service, const Request& request, std::string_view action,
           std::string_view object_type, std::string_view object_id, std::string details = {});

// The object is visible to the caller: its project is the caller's, or the
// caller is admin. Else kNotFound with `what` (not 403: no leak of existence).
Status CheckVisible(const Request& request, std::string_view object_project, std::string_view what);

}  // namespace cairn::api
