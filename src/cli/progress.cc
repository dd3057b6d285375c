#include "cli/progress.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "common/strings.h"

namespace cairn::cli {
namespace {

using nlohmann::json;

bool Finished(const std::string& status) {
  return status == "available" || status == "error" || status == "cancelled";
}

std::string Duration(std::chrono::seconds s) {
  const long long t = s.count();
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", t / 3600, (t / 60) % 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", t / 60, t % 60);
  }
  return buf;
}

}  // namespace

ProgressSample SampleOf(const json& object) {
  ProgressSample s;
  if (!object.is_object()) return s;
  if (object.contains("progress_percent") && object["progress_percent"].is_number()) {
    s.percent = std::clamp(object["progress_percent"].get<int>(), 0, 100);
  }
  if (object.contains("uploaded_size") && object["uploaded_size"].is_number()) {
    s.bytes = static_cast<uint64_t>(std::max<int64_t>(object["uploaded_size"].get<int64_t>(), 0));
  }
  s.status = object.value("status", "");
  if (object.contains("progress_msg") && object["progress_msg"].is_string()) s.message = object["progress_msg"];
  return s;
}

std::string ProgressView::Render(const ProgressSample& sample, std::chrono::milliseconds elapsed) {
  const bool changed = first_ || sample.percent != last_.percent || sample.status != last_.status ||
                       sample.message != last_.message;
  first_ = false;
  last_ = sample;
  if (!terminal_ && !changed) return "";
  const double seconds = std::max(elapsed.count() / 1000.0, 0.001);
  std::string text;
  if (terminal_) {
    const int filled = sample.percent * 30 / 100;
    text = "\r[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] ";
  }
  char pct[8];
  std::snprintf(pct, sizeof pct, "%3d%%", sample.percent);
  text += pct;
  text += "  " + HumanBytes(sample.bytes);
  text += "  " + HumanBytes(static_cast<uint64_t>(sample.bytes / seconds)) + "/s";
  if (sample.percent >= 1 && sample.percent < 100 && !Finished(sample.status)) {
    const double left = seconds * (100 - sample.percent) / sample.percent;
    text += "  ETA " + Duration(std::chrono::seconds(static_cast<long long>(left + 0.5)));
  }
  text += "  " + sample.status;
  if (!sample.message.empty()) text += ": " + sample.message;
  if (terminal_) {
    text += "\x1b[K";  // clear what a longer previous line left
    if (Finished(sample.status)) text += "\n";
  } else {
    text += "\n";
  }
  return text;
}

Result<json> WaitWithProgress(const std::function<Result<json>()>& get, std::ostream& out, bool terminal,
                              std::chrono::milliseconds interval) {
  ProgressView view(terminal);
  const auto started = std::chrono::steady_clock::now();
  int failures = 0;
  while (true) {
    auto object = get();
    if (!object.ok()) {
      if (++failures >= 3) return object.status();
    } else {
      failures = 0;
      const ProgressSample sample = SampleOf(*object);
      out << view.Render(sample, std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - started));
      out.flush();
      if (Finished(sample.status)) return object;
    }
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace cairn::cli
