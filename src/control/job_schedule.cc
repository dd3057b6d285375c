#include "control/job_schedule.h"

#include <charconv>
#include <cstdio>
#include <stdexcept>

#include <date/date.h>
#include <date/tz.h>

#include "common/json_input.h"
#include "common/strings.h"

namespace cairn::control {
namespace {

using nlohmann::json;
using std::chrono::minutes;
using std::chrono::sys_days;

constexpr std::string_view kCountText = "Number of Snapshots to Keep";
constexpr std::string_view kDaysText = "Number of days to retain Snapshots";
constexpr minutes kMinInterval{5};
constexpr minutes kMaxInterval{366 * 24 * 60};

Status Invalid(std::string_view field, std::string_view why, const json& value) {
  return Status::InvalidArgument("Invalid value for 'jobschedule." + std::string(field) + "': " +
                                 DescribeJson(value) + " " + std::string(why));
}

// Parses a run of decimal digits; false when `text` is empty or has others.
bool ParseDigits(std::string_view text, int& out) {
  if (text.empty() || text.size() > 4) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

Result<sys_days> ParseDate(const json& value, std::string_view field) {
  if (!value.is_string()) return Invalid(field, "is not a date (MM/DD/YYYY)", value);
  const std::string_view text = Trim(value.get_ref<const std::string&>());
  int y = 0, m = 0, d = 0;
  bool parsed = false;
  if (auto parts = Split(text, '/'); parts.size() == 3) {
    parsed = ParseDigits(parts[0], m) && ParseDigits(parts[1], d) && ParseDigits(parts[2], y) &&
             (parts[2].size() == 2 || parts[2].size() == 4);
    if (parsed && parts[2].size() == 2) y += 2000;
  } else if (auto iso = Split(text, '-'); iso.size() == 3 && iso[0].size() == 4) {
    parsed = ParseDigits(iso[0], y) && ParseDigits(iso[1], m) && ParseDigits(iso[2], d);
  }
  const date::year_month_day ymd{date::year{y}, date::month(static_cast<unsigned>(m)),
                                 date::day(static_cast<unsigned>(d))};
  if (!parsed || m < 1 || d < 1 || !ymd.ok() || y < 1970 || y > 9999) {
    return Invalid(field, "is not a date (MM/DD/YYYY)", value);
  }
  return sys_days(std::chrono::days(date::sys_days(ymd).time_since_epoch().count()));
}

Result<minutes> ParseTime(const json& value) {
  if (!value.is_string()) return Invalid("start_time", "is not a time (hh:mm AM/PM)", value);
  std::string text = AsciiLower(Trim(value.get_ref<const std::string&>()));
  int meridiem = 0;  // 0 none, 1 am, 2 pm
  if (text.size() > 2 && (text.ends_with("am") || text.ends_with("pm"))) {
    meridiem = text.ends_with("am") ? 1 : 2;
    text = std::string(Trim(std::string_view(text).substr(0, text.size() - 2)));
  }
  const auto parts = Split(text, ':');
  int h = 0, m = 0, s = 0;
  bool parsed = (parts.size() == 2 || parts.size() == 3) && parts[0].size() <= 2 &&
                parts[1].size() == 2 && ParseDigits(parts[0], h) && ParseDigits(parts[1], m) &&
                (parts.size() == 2 || (parts[2].size() == 2 && ParseDigits(parts[2], s)));
  if (parsed && meridiem != 0) {
    parsed = h >= 1 && h <= 12;
    h = h % 12 + (meridiem == 2 ? 12 : 0);
  }
  if (!parsed || h > 23 || m > 59 || s > 59) {
    return Invalid("start_time", "is not a time (hh:mm AM/PM or HH:MM)", value);
  }
  return minutes(h * 60 + m);
}

Result<minutes> ParseInterval(const json& value) {
  std::string text;
  if (value.is_number_integer() || value.is_number_unsigned()) {
    text = value.dump() + "hr";  // a bare number counts hours
  } else if (value.is_string()) {
    text = AsciiLower(Trim(value.get_ref<const std::string&>()));
  } else {
    return Invalid("interval", "is not an interval such as \"24hr\"", value);
  }
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  int count = 0;
  const std::string unit(Trim(std::string_view(text).substr(digits)));
  if (digits == 0 || digits > 6 || !ParseDigits(std::string_view(text).substr(0, digits), count)) {
    return Invalid("interval", "is not an interval such as \"24hr\"", value);
  }
  minutes result{};
  if (unit.empty() || unit == "hr" || unit == "hrs" || unit == "h" || unit == "hour" ||
      unit == "hours") {
    result = minutes(int64_t{count} * 60);
  } else if (unit == "min" || unit == "mins" || unit == "m" || unit == "minute" ||
             unit == "minutes") {
    result = minutes(count);
  } else {
    return Invalid("interval", "has an unknown unit (use hr or min)", value);
  }
  if (result < kMinInterval || result > kMaxInterval) {
    return Invalid("interval", "is out of range (5 min to 366 days)", value);
  }
  return result;
}

Result<std::string> ParseZone(const json& value) {
  CAIRN_ASSIGN_OR_RETURN(std::string name, ReadString(value, "jobschedule.timezone", 64));
  name = std::string(Trim(name));
  if (name.empty()) return Invalid("timezone", "is not a time zone", value);
  try {
    (void)date::locate_zone(name);
  } catch (const std::exception&) {
    return Invalid("timezone", "is not a known time zone (e.g. UTC, Europe/Paris)", value);
  }
  return name;
}

const date::time_zone* Zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return date::locate_zone("UTC");
  }
}

std::string FormatDate(sys_days day) {
  const date::year_month_day ymd{date::sys_days(date::days(day.time_since_epoch().count()))};
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%02u/%02u/%04d", static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(ymd.year()));
  return buf;
}

std::string FormatTime(minutes t) {
  const int h = static_cast<int>(t.count() / 60), m = static_cast<int>(t.count() % 60);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%02d:%02d %s", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
  return buf;
}

std::string FormatInterval(minutes interval) {
  if (interval.count() % 60 == 0) return std::to_string(interval.count() / 60) + "hr";
  return std::to_string(interval.count()) + "min";
}

}  // namespace

std::string_view RetentionTypeText(RetentionType type) {
  return type == RetentionType::kDays ? kDaysText : kCountText;
}

JobSchedule DefaultJobSchedule(TimePoint now) {
  JobSchedule schedule;
  schedule.start_date = std::chrono::floor<std::chrono::days>(now);
  return schedule;
}

Result<JobSchedule> ParseJobSchedule(const json& input, const JobSchedule& base) {
  if (!input.is_object()) {
    return Status::InvalidArgument("Invalid value for 'jobschedule': expected an object, got " +
                                   DescribeJson(input));
  }
  JobSchedule s = base;
  if (const json* v = FindMember(input, "enabled")) {
    CAIRN_ASSIGN_OR_RETURN(s.enabled, ReadBool(*v, "jobschedule.enabled"));
  }
  if (const json* v = FindMember(input, "start_date")) {
    CAIRN_ASSIGN_OR_RETURN(s.start_date, ParseDate(*v, "start_date"));
  }
  if (const json* v = FindMember(input, "end_date")) {
    if (v->is_string() && AsciiLower(Trim(v->get_ref<const std::string&>())) == "no end") {
      s.end_date.reset();
    } else {
      CAIRN_ASSIGN_OR_RETURN(s.end_date, ParseDate(*v, "end_date"));
    }
  }
  if (const json* v = FindMember(input, "start_time")) {
    CAIRN_ASSIGN_OR_RETURN(s.start_time, ParseTime(*v));
  }
  if (const json* v = FindMember(input, "interval")) {
    CAIRN_ASSIGN_OR_RETURN(s.interval, ParseInterval(*v));
  }
  const json* full = FindMember(input, "fullbackup_interval");
  if (full == nullptr) full = FindMember(input, "full_backup_interval");
  if (full != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(s.fullbackup_interval,
                           ReadInt(*full, "jobschedule.fullbackup_interval", -1, 1000000));
  }
  if (const json* v = FindMember(input, "retention_policy_type")) {
    CAIRN_ASSIGN_OR_RETURN(std::string text, ReadString(*v, "jobschedule.retention_policy_type"));
    const std::string lower = AsciiLower(Trim(text));
    if (lower == AsciiLower(kCountText)) {
      s.retention_type = RetentionType::kSnapshotCount;
    } else if (lower == AsciiLower(kDaysText)) {
      s.retention_type = RetentionType::kDays;
    } else {
      return Invalid("retention_policy_type",
                     "is not one of \"Number of Snapshots to Keep\", \"Number of days to retain "
                     "Snapshots\"",
                     *v);
    }
  }
  if (const json* v = FindMember(input, "retention_policy_value")) {
    CAIRN_ASSIGN_OR_RETURN(s.retention_value,
                           ReadInt(*v, "jobschedule.retention_policy_value", 1, 100000));
  }
  if (const json* v = FindMember(input, "timezone")) {
    CAIRN_ASSIGN_OR_RETURN(s.timezone, ParseZone(*v));
  }
  if (s.end_date && *s.end_date < s.start_date) {
    return Status::InvalidArgument("Invalid value for 'jobschedule.end_date': " +
                                   FormatDate(*s.end_date) + " is before start_date " +
                                   FormatDate(s.start_date));
  }
  return s;
}

json JobScheduleToJson(const JobSchedule& s, TimePoint now) {
  json out = {
      {"enabled", s.enabled},
      {"start_date", FormatDate(s.start_date)},
      {"end_date", s.end_date ? FormatDate(*s.end_date) : std::string("No End")},
      {"start_time", FormatTime(s.start_time)},
      {"interval", FormatInterval(s.interval)},
      {"fullbackup_interval", std::to_string(s.fullbackup_interval)},
      {"retention_policy_type", std::string(RetentionTypeText(s.retention_type))},
      {"retention_policy_value", std::to_string(s.retention_value)},
      {"timezone", s.timezone},
  };
  if (auto next = NextRun(s, now)) {
    out["nextrun"] = std::chrono::ceil<std::chrono::seconds>(*next - now).count();
  }
  return out;
}

std::optional<TimePoint> NextRun(const JobSchedule& s, TimePoint now) {
  if (!s.enabled || s.interval <= minutes(0)) return std::nullopt;
  const date::time_zone* zone = Zone(s.timezone);
  using LocalMinutes = date::local_time<minutes>;
  const LocalMinutes first{s.start_date.time_since_epoch() + s.start_time};
  const auto local_now = zone->to_local(std::chrono::floor<minutes>(now));
  LocalMinutes next = first;
  if (local_now >= first) {
    const auto steps = (local_now - first) / s.interval + 1;
    next = first + steps * s.interval;
  }
  auto to_sys = [&](LocalMinutes local) {
    return TimePoint(zone->to_sys(local, date::choose::earliest));
  };
  // Whole-minute arithmetic above; step on until strictly after `now`.
  while (to_sys(next) <= now) next += s.interval;
  if (s.end_date) {
    const LocalMinutes end_of_end_day{(*s.end_date + date::days(1)).time_since_epoch()};
    if (next >= end_of_end_day) return std::nullopt;
  }
  return to_sys(next);
}

}  // namespace cairn::control
