#include "engine/openstack_cloud.h"

#include "db/job_repository.h"
#include "db/trust_repository.h"
#include "openstack/keystone.h"

namespace cairn::engine {

Result<openstack::Token> OpenStackCloud::UserToken(const db::Job& job) {
  std::string why;
  if (job.payload.is_object() && job.payload.contains(db::kAuthTokenKey) &&
      job.payload[std::string(db::kAuthTokenKey)].is_string()) {
    Result<openstack::Token> token =
        service_.ValidateUserToken(job.payload[std::string(db::kAuthTokenKey)].get<std::string>());
    // Keep a margin: the job must be able to finish its calls with it.
    if (token.ok() && !token->ExpiresWithin(std::chrono::minutes(2), clock_.Now())) return token;
    why = token.ok() ? "the user's token expires in less than 2 minutes" : token.status().message();
  } else {
    why = "the job carries no user token (a scheduled job)";
  }
  // A trust of the user for the project.
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Trust> trusts, db::TrustRepository(db_).ListByProject(job.project_id));
  for (const db::Trust& trust : trusts) {
    if (trust.user_id != job.user_id || trust.status != "available") continue;
    openstack::KeystoneClient keystone(service_.http(), service_.credentials().auth_url);
    Result<openstack::Token> token =
        keystone.Authenticate(service_.credentials().Method(), openstack::TrustScope{.trust_id = trust.name});
    if (token.ok()) return token;
    why += "; trust " + trust.name + ": " + token.status().message();
  }
  return Status::PermissionDenied("cannot act for user " + job.user_id + " in project " + job.project_id + ": " +
                                  why + ". Create a trust (cairn trust-create) for jobs that run later.");
}

}  // namespace cairn::engine
