// A workload's job schedule: when scheduled snapshots run, how often a full
// one is taken, and how many snapshots are kept.
//
// The API takes the schedule in every spelling real workloadmgr clients send
// (see ParseJobSchedule) and always answers the one canonical form of
// JobScheduleToJson. The scheduler asks NextRun when the next snapshot is due.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time.h"

namespace cairn::control {

enum class RetentionType {
  kSnapshotCount,  // "Number of Snapshots to Keep"
  kDays,           // "Number of days to retain Snapshots"
};

// The text workloadmgr uses for a retention type.
std::string_view RetentionTypeText(RetentionType type);

struct JobSchedule {
  bool enabled = false;
  std::chrono::sys_days start_date{};             // a calendar date in `timezone`
  std::optional<std::chrono::sys_days> end_date;  // none: "No End"
  std::chrono::minutes start_time{21 * 60};       // minutes after midnight, in `timezone`
  std::chrono::minutes interval{24 * 60};         // between two runs; at least 5 minutes
  // -1: only the first snapshot is full; 0: every snapshot is full; N: a full
  // one after every N incrementals.
  int64_t fullbackup_interval = -1;
  RetentionType retention_type = RetentionType::kSnapshotCount;
  int64_t retention_value = 30;  // snapshots or days, at least 1
  std::string timezone = "UTC";  // an IANA zone name known to the system's tzdata
};

// The schedule of a new workload without one: disabled, starting today (UTC)
// at 09:00 PM, every 24 hours, full only the first time, keep 30 snapshots.
JobSchedule DefaultJobSchedule(TimePoint now);

// Applies the members present in `input` (a JSON object) over `base` and
// validates the result. Accepted spellings:
//   enabled                  true, "True", "false", 1, 0, ...
//   start_date, end_date     "03/01/2024", "03/01/24", "2024-03-01"; end_date also "No End"
//   start_time               "10:02 AM", "10:02AM", "9:00 pm", "14:05", "14:05:00"
//   interval                 "1hr", "1 hr", "24 hrs", "2 hours", "30min", "90 minutes"
//   fullbackup_interval      -1, "-1", 3; also spelled full_backup_interval
//   retention_policy_type    one of the two texts of RetentionTypeText (any case)
//   retention_policy_value   3 or "3"
//   timezone                 "UTC", "Europe/Paris", ...
// Unknown members (and "nextrun") are ignored. An empty object leaves `base`
// unchanged. Errors are InvalidArgument naming the member and the bad value.
Result<JobSchedule> ParseJobSchedule(const nlohmann::json& input, const JobSchedule& base);

// The canonical JSON form: {"enabled": bool, "start_date": "MM/DD/YYYY",
// "end_date": "No End" | "MM/DD/YYYY", "start_time": "hh:mm AM|PM",
// "interval": "Nhr" | "Nmin", "fullbackup_interval": "N",
// "retention_policy_type": text, "retention_policy_value": "N", "timezone": zone}
// and, when the schedule is enabled and has a next run, "nextrun": the whole
// seconds from `now` until it.
nlohmann::json JobScheduleToJson(const JobSchedule& schedule, TimePoint now);

// The first run strictly after `now`: start_date at start_time in the
// schedule's time zone, plus whole intervals (counted in local time, so a daily
// run stays at its wall-clock time across daylight saving changes). None when
// the schedule is disabled or the next run would fall after end_date's day.
std::optional<TimePoint> NextRun(const JobSchedule& schedule, TimePoint now);

}  // namespace cairn::control
