#include "engine/backup_window.h"

#include <cstdio>

#include <date/tz.h>

namespace cairn::engine {
namespace {

using std::chrono::minutes;
using LocalMinutes = date::local_time<minutes>;

std::optional<minutes> ParseClock(std::string_view text) {
  auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return minutes(h * 60 + m);
}

std::string ClockText(minutes m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m.count() / 60), static_cast<int>(m.count() % 60));
  return buf;
}

const date::time_zone* ZoneOf(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

Result<BackupWindow> ParseBackupWindow(std::string_view text, const std::string& timezone) {
  BackupWindow window;
  window.timezone = timezone.empty() ? "UTC" : timezone;
  if (ZoneOf(window.timezone) == nullptr) {
    return Status::InvalidArgument("[scheduler] backup_window_timezone: unknown time zone '" + window.timezone + "'");
  }
  if (text.empty()) return window;
  const size_t dash = text.find('-');
  std::optional<minutes> start, end;
  if (dash != std::string_view::npos) {
    start = ParseClock(text.substr(0, dash));
    end = ParseClock(text.substr(dash + 1));
  }
  if (!start || !end) {
    return Status::InvalidArgument("[scheduler] backup_window: expected HH:MM-HH:MM (24-hour clock), got '" +
                                   std::string(text) + "'");
  }
  if (*start == *end) {
    return Status::InvalidArgument("[scheduler] backup_window: '" + std::string(text) +
                                   "' is empty (start equals end); leave the option empty for any time");
  }
  window.start = start;
  window.end = end;
  return window;
}

bool InBackupWindow(const BackupWindow& window, TimePoint t) { return window.Unlimited() || BackupWindowCloses(window, t); }

std::optional<TimePoint> BackupWindowCloses(const BackupWindow& window, TimePoint t) {
  if (window.Unlimited()) return std::nullopt;
  const date::time_zone* zone = ZoneOf(window.timezone);
  if (zone == nullptr) return std::nullopt;
  const LocalMinutes local = std::chrono::floor<minutes>(zone->to_local(t));
  const auto midnight = std::chrono::floor<date::days>(local);
  const minutes of_day = local - midnight;
  const minutes start = *window.start, end = *window.end;
  std::optional<LocalMinutes> closes;
  if (start < end) {
    if (of_day >= start && of_day < end) closes = midnight + end;
  } else if (of_day >= start) {  // wraps past midnight: closes tomorrow
    closes = midnight + date::days(1) + end;
  } else if (of_day < end) {
    closes = midnight + end;
  }
  if (!closes) return std::nullopt;
  return TimePoint(zone->to_sys(*closes, date::choose::earliest));
}

Status CheckWindowOfJob(const nlohmann::json& payload, TimePoint now) {
  if (!payload.is_object() || !payload.contains("window_closes_at") || !payload["window_closes_at"].is_string()) {
    return Status::OK();
  }
  Result<TimePoint> closes = ParseIso8601(payload["window_closes_at"].get<std::string>());
  if (!closes.ok() || now < *closes) return Status::OK();
  const auto window = payload.find("window");
  const std::string text = window != payload.end() && window->is_string() ? window->get<std::string>() : "";
  return Status::OutOfRange("missed its backup window (" + text +
                            "): it had not started moving data when the window closed at " +
                            FormatIso8601(*closes, IsoFormat::kSecondsZ));
}

std::string BackupWindowText(const BackupWindow& window) {
  if (window.Unlimited()) return "any time";
  return ClockText(*window.start) + "-" + ClockText(*window.end) + " " + window.timezone;
}

}  // namespace cairn::engine
