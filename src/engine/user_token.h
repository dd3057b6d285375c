// The token a job acts with: the requesting user's own token (carried by the
// job while it runs), or, when that expired (a job that waited long, a
// scheduled job), a token of a Keystone trust the user gave Cairn for the
// project (trust-create).
#pragma once

#include "common/status.h"
#include "db/models.h"
#include "engine/context.h"
#include "openstack/token.h"

namespace cairn::engine {

// A scoped token with its catalog to act as the job's user in the job's
// project. PermissionDenied, saying what to do, when neither the user's
// token nor a trust works.
Result<openstack::Token> UserTokenForJob(EngineContext& ctx, const db::Job& job);

}  // namespace cairn::engine
