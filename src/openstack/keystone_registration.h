// KeystoneRegistrar: idempotent registration of Cairn in Keystone, for
// `cairn-manage register`: the region, the service user, the service and its
// endpoints. Each Ensure* call creates what is missing, corrects what differs,
// leaves what is right alone, and reports which it did; running it twice
// changes nothing the second time. Acts with an admin token.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "openstack/keystone_admin.h"

namespace cairn::openstack {

// What an Ensure* call did to one Keystone resource.
enum class EnsureAction { kUnchanged, kCreated, kUpdated };

// "unchanged", "created", "updated".
std::string_view EnsureActionName(EnsureAction action);

struct EnsureOutcome {
  std::string kind{};  // "region", "user", "role assignment", "service", "endpoint"
  std::string id{};    // the resource's Keystone id
  EnsureAction action = EnsureAction::kUnchanged;
  std::string detail{};  // e.g. "internal http://a -> http://b"

  // "created service workloads (id 1234)", "updated endpoint ...", ...
  std::string ToString() const;
};

struct ServiceUserSpec {
  std::string name{};
  std::string password{};
  std::string domain = "Default";   // the user's domain (name or id)
  std::string project = "service";  // project (name or id, in `project_domain`)
  std::string project_domain = "Default";
  std::string role = "admin";       // role granted on the project
};

struct ServiceSpec {
  std::string type = "workloads";
  std::string name = "workloadmgr";
  std::string description{};
};

struct EndpointUrls {
  std::string public_url{};
  std::string internal_url{};
  std::string admin_url{};
};

class KeystoneRegistrar {
 public:
  // `admin` must outlive this.
  explicit KeystoneRegistrar(const KeystoneAdmin& admin) : admin_(admin) {}

  // The region exists (created without a parent when missing).
  Result<EnsureOutcome> EnsureRegion(std::string_view token, std::string_view region_id) const;

  // The user exists, is enabled, has `password` (set again when the user
  // exists: Keystone cannot tell whether it matches, so the outcome is
  // kUpdated for an existing user only when another field was changed), and
  // holds `role` on `project`. Returns the user's outcome then the role
  // assignment's.
  Result<std::vector<EnsureOutcome>> EnsureServiceUser(std::string_view token, const ServiceUserSpec& spec) const;

  // The service of `spec.type` exists with that name and description (the
  // first of that type is used; name and description are corrected).
  Result<EnsureOutcome> EnsureService(std::string_view token, const ServiceSpec& spec) const;

  // One endpoint per interface (public, internal, admin) in `region` for the
  // service: missing ones created, a differing URL updated, correct ones left
  // alone; an interface whose URL is "" is left as it is. One outcome per
  // interface, in that order.
  Result<std::vector<EnsureOutcome>> EnsureEndpoints(std::string_view token, std::string_view service_id,
                                                     std::string_view region, const EndpointUrls& urls) const;

 private:
  const KeystoneAdmin& admin_;
};

}  // namespace cairn::openstack
