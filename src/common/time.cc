#include "common/time.h"

#include <cstdio>

#include "common/strings.h"

namespace cairn {
namespace {

using std::chrono::days;
using std::chrono::system_clock;

// A left-to-right reader over the text being parsed.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : rest_(text) {}

  bool Done() const { return rest_.empty(); }
  char Peek() const { return rest_.empty() ? '\0' : rest_.front(); }
  bool Take(char c) {
    if (Peek() != c) return false;
    rest_.remove_prefix(1);
    return true;
  }
  // Reads exactly n decimal digits.
  bool Digits(size_t n, int& out) {
    if (rest_.size() < n) return false;
    int value = 0;
    for (size_t i = 0; i < n; ++i) {
      const char c = rest_[i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    rest_.remove_prefix(n);
    out = value;
    return true;
  }
  // Reads one or more digits as nanoseconds (a decimal fraction of a second).
  bool Fraction(int64_t& nanos) {
    size_t n = 0;
    nanos = 0;
    int64_t scale = 100'000'000;
    while (n < rest_.size() && rest_[n] >= '0' && rest_[n] <= '9') {
      nanos += (rest_[n] - '0') * scale;
      scale /= 10;
      ++n;
    }
    rest_.remove_prefix(n);
    return n > 0;
  }

 private:
  std::string_view rest_;
};

Status NotIso(std::string_view text, std::string_view why) {
  return Status::InvalidArgument(Quoted(text) + " is not an ISO 8601 time (" + std::string(why) +
                                 "; expected e.g. 2026-11-25T08:17:17.000000Z)");
}

}  // namespace

TimePoint UtcNow() { return system_clock::now(); }

std::string FormatIso8601(TimePoint t, IsoFormat format) {
  const auto day = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::microseconds>(t - day));
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  std::string out(buf, static_cast<size_t>(n));
  if (format != IsoFormat::kSecondsZ) {
    n = std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(hms.subseconds().count()));
    out.append(buf, static_cast<size_t>(n));
  }
  if (format != IsoFormat::kMicros) out += 'Z';
  return out;
}

Result<TimePoint> ParseIso8601(std::string_view text) {
  Cursor in(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!(in.Digits(4, year) && in.Take('-') && in.Digits(2, month) && in.Take('-') && in.Digits(2, day))) {
    return NotIso(text, "the date is not YYYY-MM-DD");
  }
  if (!(in.Take('T') || in.Take('t') || in.Take(' '))) return NotIso(text, "no 'T' between date and time");
  if (!(in.Digits(2, hour) && in.Take(':') && in.Digits(2, minute))) {
    return NotIso(text, "the time is not hh:mm:ss");
  }
  int64_t nanos = 0;
  if (in.Take(':')) {
    if (!in.Digits(2, second)) return NotIso(text, "the seconds are not two digits");
    if ((in.Take('.') || in.Take(',')) && !in.Fraction(nanos)) {
      return NotIso(text, "no digits after the decimal point");
    }
  }
  int offset_minutes = 0;
  if (in.Take('Z') || in.Take('z')) {
    // UTC
  } else if (in.Peek() == '+' || in.Peek() == '-') {
    const int sign = in.Take('-') ? -1 : 1;
    in.Take('+');
    int oh = 0, om = 0;
    if (!in.Digits(2, oh)) return NotIso(text, "the zone offset is not +hh:mm");
    if (!in.Done()) {
      in.Take(':');  // +hh:mm or +hhmm
      if (!in.Digits(2, om)) return NotIso(text, "the zone offset is not +hh:mm");
    }
    if (oh > 23 || om > 59) return NotIso(text, "the zone offset is out of range");
    offset_minutes = sign * (oh * 60 + om);
  }
  if (!in.Done()) return NotIso(text, "unexpected text after the time");

  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return NotIso(text, "no such date");
  if (hour > 23 || minute > 59 || second > 59) return NotIso(text, "the time of day is out of range");

  // In whole seconds first: a TimePoint counts nanoseconds in 64 bits (about
  // the years 1678 to 2261), and converting a time outside that overflows.
  const std::chrono::sys_seconds utc = std::chrono::sys_days(ymd) + std::chrono::hours(hour) +
                                       std::chrono::minutes(minute) + std::chrono::seconds(second) -
                                       std::chrono::minutes(offset_minutes);
  constexpr std::chrono::sys_seconds kFirst =
      std::chrono::floor<std::chrono::seconds>(TimePoint::min()) + std::chrono::seconds(1);
  constexpr std::chrono::sys_seconds kLast =
      std::chrono::floor<std::chrono::seconds>(TimePoint::max()) - std::chrono::seconds(1);
  if (utc < kFirst || utc > kLast) return NotIso(text, "the year is out of range");
  return std::chrono::time_point_cast<system_clock::duration>(utc) + std::chrono::nanoseconds(nanos);
}

const SystemClock& SystemClock::Get() {
  static const SystemClock clock;
  return clock;
}

TimePoint ManualClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void ManualClock::Set(TimePoint t) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ = t;
}

void ManualClock::Advance(std::chrono::system_clock::duration d) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += d;
}

}  // namespace cairn
