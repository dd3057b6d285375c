// Validation and normalisation of a restore request
// (POST /workloads/{wid}/snapshots/{sid}/restores); the options themselves
// are parsed into the typed RestorePlan by control/restore_plan.h, which the
// engine uses again on the stored row.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "control/restore_plan.h"

namespace cairn::api {

using control::SnapshotContents;

// A checked restore request.
struct RestoreRequest {
  std::string name = "restore";
  std::string description;
  std::string restore_type;  // oneclick | selective | inplace
  nlohmann::json options;    // normalised (control::ParseRestoreOptions), as stored
  control::RestorePlan plan;
};

// Reads `{"restore": {"name", "description", "options": {...}}}` in every
// form real clients send (docs/api.md), also the minimal `{"options": {...}}`
// without the "restore" wrapper. Name and description may sit inside options
// instead; default name "restore". The options are checked by
// control::ParseRestoreOptions. InvalidArgument naming the bad field otherwise.
Result<RestoreRequest> ParseRestoreRequest(const nlohmann::json& body, const SnapshotContents& snapshot);

}  // namespace cairn::api
