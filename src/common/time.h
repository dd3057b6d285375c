// Time helpers: UTC now, ISO 8601 text as OpenStack APIs use it, a monotonic
// stopwatch, and a Clock interface so code that schedules can be tested with a
// clock it controls (ManualClock).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

// A wall-clock instant. system_clock counts UTC (Unix time) on every platform
// Cairn supports; the resolution is nanoseconds with libstdc++.
using TimePoint = std::chrono::system_clock::time_point;

// The current time (UTC).
TimePoint UtcNow();

enum class IsoFormat {
  kMicros,    // "2026-11-25T08:17:17.000000"  (Cinder, workloadmgr; UTC implied)
  kMicrosZ,   // "2026-11-25T08:17:17.000000Z" (Keystone expires_at)
  kSecondsZ,  // "2026-11-25T08:17:17Z"        (Nova)
};

// `t` in UTC, truncated (towards the past) to the format's precision. Meant
// for years 0000-9999.
std::string FormatIso8601(TimePoint t, IsoFormat format = IsoFormat::kMicros);

// Parses "YYYY-MM-DDThh:mm[:ss[.fraction]][Z|+hh:mm|-hh:mm|+hhmm|+hh]".
// 'T' may also be 't' or a space; the fraction may have 1 to 9 digits (more
// are truncated); without a zone the time is taken as UTC, as OpenStack
// means it. Calendar and clock fields are range checked (no Feb 30, no
// 24:00, no leap second 60), and the time must fit a TimePoint (about the
// years 1678 to 2261). InvalidArgument, quoting the text, otherwise.
Result<TimePoint> ParseIso8601(std::string_view text);

// Measures elapsed time on the monotonic clock (immune to wall-clock steps).
class Stopwatch {
 public:
  // Starts running at construction.
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  // Starts again from zero.
  void Restart() { start_ = std::chrono::steady_clock::now(); }
  // Time since construction or the last Restart.
  std::chrono::steady_clock::duration Elapsed() const { return std::chrono::steady_clock::now() - start_; }
  double ElapsedSeconds() const { return std::chrono::duration<double>(Elapsed()).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

// A source of the current wall-clock time. Code that decides by the time of
// day (the scheduler, retention) takes a Clock& so tests can control it.
// Implementations must be thread safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The real clock: UtcNow().
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return UtcNow(); }
  // A process-wide instance, for callers that have no Clock injected.
  static const SystemClock& Get();
};

// A clock that moves only when told to. Thread safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint()) : now_(start) {}
  TimePoint Now() const override;
  // Jumps to `t` (which may be in the past, like a wall clock can).
  void Set(TimePoint t);
  // Moves forward (or back, for a negative d) by `d`.
  void Advance(std::chrono::system_clock::duration d);

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

}  // namespace cairn
