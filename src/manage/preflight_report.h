// The rows of `cairn-manage preflight` and their two renderings: a table for
// people and JSON for tools.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::manage {

// PASS and WARN let preflight succeed; FAIL fails it; SKIP marks a check that
// could not run because an earlier one failed (which already failed the run).
enum class CheckResult { kPass, kWarn, kFail, kSkip };

// "PASS", "WARN", "FAIL", "SKIP".
std::string_view CheckResultName(CheckResult result);

struct CheckRow {
  std::string check{};   // what is checked, e.g. "keystone", "compute (internal)"
  std::string target{};  // the URL or path it was checked at
  CheckResult result = CheckResult::kPass;
  std::string detail{};  // what was seen, e.g. "HTTP 200", or the error
  std::optional<std::chrono::milliseconds> latency{};
  std::string fix{};     // for WARN and FAIL: what to try
};

struct PreflightReport {
  std::vector<CheckRow> rows{};

  // True when no row FAILed.
  bool ok() const;
  // The first row whose check is `check`, or nullptr.
  const CheckRow* Find(std::string_view check) const;
};

// A table with columns CHECK, TARGET, RESULT, DETAIL (the latency appended
// to the detail, e.g. "HTTP 300 (12 ms)"); under each WARN or FAIL row an
// indented "fix: ..." line; and a last line "N checks: P passed, W warnings,
// F failed, S skipped".
std::string FormatTable(const PreflightReport& report);

// {"ok": bool, "checks": [{"check", "target", "result", "detail",
// "latency_ms" (null when not measured), "fix"}]}, pretty printed.
std::string FormatJson(const PreflightReport& report);

}  // namespace cairn::manage
