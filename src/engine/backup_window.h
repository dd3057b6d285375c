// The backup window: the hours of the day, in one time zone, in which
// scheduled snapshots may start ([scheduler] backup_window). A window may
// wrap past midnight ("22:00-06:00"); none means any time.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time.h"

namespace cairn::engine {

struct BackupWindow {
  // Minutes after local midnight; both set or neither (any time).
  std::optional<std::chrono::minutes> start;
  std::optional<std::chrono::minutes> end;
  std::string timezone = "UTC";  // an IANA zone name

  bool Unlimited() const { return !start.has_value(); }
};

// Parses "" (any time) or "HH:MM-HH:MM" (24-hour clock, end excluded) in
// `timezone`. InvalidArgument naming the option and the bad value, also for
// an empty window (start equal to end) or an unknown time zone.
Result<BackupWindow> ParseBackupWindow(std::string_view text, const std::string& timezone);

// Whether `t` lies inside the window (always, when unlimited).
bool InBackupWindow(const BackupWindow& window, TimePoint t);

// For `t` inside a limited window: when that window closes. nullopt for an
// unlimited window or a `t` outside.
std::optional<TimePoint> BackupWindowCloses(const BackupWindow& window, TimePoint t);

// For the job of a scheduled snapshot (its payload's "window_closes_at",
// ISO 8601, and "window", the window's text): OutOfRange "missed its backup
// window (...)" when `now` is at or after the close. OK for jobs without.
Status CheckWindowOfJob(const nlohmann::json& payload, TimePoint now);

// "22:00-06:00 Europe/Paris", or "any time".
std::string BackupWindowText(const BackupWindow& window);

}  // namespace cairn::engine
