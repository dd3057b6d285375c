// The target's identity marker: a small file at the root of a backup target
// that says "this is a Cairn target", which one (a random id) and which
// version of the layout it holds. Jobs require it before they read or write
// the target, so a share that is not mounted (an empty directory in its
// place) is refused instead of filled or emptied. It is written once, when
// the target is initialised (`cairn-manage target init`, or cairn-aio for the
// directory it owns), never by a job: an empty directory cannot tell a new
// target from an unmounted one. See docs/target-layout.md.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "target/store.h"

namespace cairn::target {

// The marker's store path, at the root of the target.
inline constexpr std::string_view kIdentityFile = "cairn_target";
// The layout version this Cairn writes and reads (docs/target-layout.md §3).
inline constexpr int kLayoutVersion = 1;

struct TargetIdentity {
  std::string id;          // a UUID, chosen when the target was initialised
  int layout_version = 0;  // the layout of the data below the root
  std::string created_at;  // ISO 8601, for people
  std::string created_by;  // the host and program that initialised it, for people
};

// Reads and checks the marker (data read from the target is untrusted).
// Unavailable when there is none (the target is not mounted, or not
// initialised), Corruption when it is not a well-formed marker,
// NotSupported when its layout is newer than this Cairn reads; each message
// names the target (store.Describe()).
Result<TargetIdentity> ReadTargetIdentity(Store& store);

// ReadTargetIdentity, and when `expected_id` is not empty, Unavailable
// unless the marker carries that id (another target is mounted there).
// What every job calls before it touches the target.
Status CheckTargetIdentity(Store& store, std::string_view expected_id = {});

// Writes a new marker (fresh id, kLayoutVersion) atomically and returns it.
// AlreadyExists (the existing marker's id in the message) when the target
// has one; a marker that cannot be read is not replaced (Corruption).
Result<TargetIdentity> InitTargetIdentity(Store& store, std::string_view created_by);

}  // namespace cairn::target
