// Objects of one project seeded for the route-wide tests (isolation matrix,
// malformed-request corpus), and a valid request for every route.
#pragma once

#include <string>
#include <vector>

#include "api/router.h"
#include "api_v1/api_v1_harness.h"

namespace cairn::api::testing {

// What a project holds: ids and names that must never reach another project.
struct ProjectObjects {
  std::string project;
  std::string token;  // a member's
  std::string user;
  std::string workload, workload_name;
  std::string victim_workload;  // for DELETE routes
  std::string snapshot, snapshot_name;
  std::string victim_snapshot;
  std::string restore, restore_name;
  std::string victim_restore;
  std::string setting_name, setting_value;
  std::string trust;
  std::string quota;
  std::string policy;
  std::string spare_vm;  // a server no workload protects yet
  std::vector<std::string> vms;
  std::vector<std::string> vm_names;

  // Strings that identify the project's objects.
  std::vector<std::string> Secrets() const;
};

// Seeds project A (tag "alpha") or B (tag "beta") through the API and the
// repositories; fails the test when a step fails.
ProjectObjects SeedProject(ApiHarness& h, bool project_a);

// The path of `route` for `objects`, in the URL of project `url_project`.
std::string RoutePath(const Route& route, const ProjectObjects& objects, const std::string& url_project);

// A valid body for the route (empty when it takes none).
std::string ValidBody(const Route& route, const ProjectObjects& objects);

// True for the routes that only read (readers may call them).
bool IsReadRoute(const Route& route);
// True for the routes only admins may call.
bool IsAdminRoute(const Route& route);
// True when the route's path names an object of a project.
bool NamesAnObject(const Route& route);

}  // namespace cairn::api::testing
