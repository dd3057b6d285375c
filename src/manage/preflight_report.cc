#include "manage/preflight_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cairn::manage {

std::string_view CheckResultName(CheckResult result) {
  switch (result) {
    case CheckResult::kPass: return "PASS";
    case CheckResult::kWarn: return "WARN";
    case CheckResult::kFail: return "FAIL";
    case CheckResult::kSkip: return "SKIP";
  }
  return "?";
}

bool PreflightReport::ok() const {
  return std::none_of(rows.begin(), rows.end(), [](const CheckRow& r) { return r.result == CheckResult::kFail; });
}

const CheckRow* PreflightReport::Find(std::string_view check) const {
  for (const auto& r : rows) {
    if (r.check == check) return &r;
  }
  return nullptr;
}

namespace {

std::string DetailWithLatency(const CheckRow& row) {
  if (!row.latency) return row.detail;
  const std::string ms = std::to_string(row.latency->count()) + " ms";
  return row.detail.empty() ? ms : row.detail + " (" + ms + ")";
}

void Pad(std::string& line, const std::string& cell, size_t width) {
  line += cell;
  if (cell.size() < width) line.append(width - cell.size(), ' ');
  line += "  ";
}

}  // namespace

std::string FormatTable(const PreflightReport& report) {
  size_t check_width = 5;
  size_t target_width = 6;
  for (const auto& r : report.rows) {
    check_width = std::max(check_width, r.check.size());
    target_width = std::max(target_width, r.target.size());
  }
  std::string out;
  std::string header;
  Pad(header, "CHECK", check_width);
  Pad(header, "TARGET", target_width);
  Pad(header, "RESULT", 6);
  header += "DETAIL\n";
  out += header;
  int counts[4] = {0, 0, 0, 0};
  for (const auto& r : report.rows) {
    ++counts[static_cast<int>(r.result)];
    std::string line;
    Pad(line, r.check, check_width);
    Pad(line, r.target, target_width);
    Pad(line, std::string(CheckResultName(r.result)), 6);
    line += DetailWithLatency(r);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if ((r.result == CheckResult::kFail || r.result == CheckResult::kWarn) && !r.fix.empty()) {
      out += "    fix: " + r.fix + "\n";
    }
  }
  out += std::to_string(report.rows.size()) + " checks: " + std::to_string(counts[0]) + " passed, " +
         std::to_string(counts[1]) + " warnings, " + std::to_string(counts[2]) + " failed, " +
         std::to_string(counts[3]) + " skipped\n";
  return out;
}

std::string FormatJson(const PreflightReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& r : report.rows) {
    checks.push_back({{"check", r.check},
                      {"target", r.target},
                      {"result", std::string(CheckResultName(r.result))},
                      {"detail", r.detail},
                      {"latency_ms", r.latency ? nlohmann::json(r.latency->count()) : nlohmann::json(nullptr)},
                      {"fix", r.fix}});
  }
  const nlohmann::json doc = {{"ok", report.ok()}, {"checks", std::move(checks)}};
  return doc.dump(2) + "\n";
}

}  // namespace cairn::manage
