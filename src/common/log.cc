#include "common/log.h"

#include <exception>
#include <map>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "common/strings.h"

namespace cairn {
namespace {

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarning: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void SetFormat(spdlog::sink_ptr& sink, const LogOptions& options) {
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
      options.pattern, options.utc ? spdlog::pattern_time_type::utc : spdlog::pattern_time_type::local));
}

// Every logger writes to one dist_sink; InitLogging swaps the sink behind it
// (under the dist_sink's own lock), so loggers never see a half-made change.
class LogState {
 public:
  LogState() : dist_(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    SetFormat(sink, LogOptions{});
    dist_->set_sinks({sink});
    spdlog::set_default_logger(Get("cairn"));
  }

  std::shared_ptr<spdlog::logger> Get(std::string_view name) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = loggers_.find(name);
    if (it == loggers_.end()) {
      auto logger = std::make_shared<spdlog::logger>(std::string(name), dist_);
      logger->set_level(level_);
      logger->flush_on(spdlog::level::trace);
      it = loggers_.emplace(std::string(name), std::move(logger)).first;
    }
    return it->second;
  }

  void Use(spdlog::sink_ptr sink, spdlog::level::level_enum level) {
    std::lock_guard<std::mutex> lock(mu_);
    dist_->set_sinks({std::move(sink)});
    level_ = level;
    for (auto& [name, logger] : loggers_) logger->set_level(level);
  }

  void Flush() { dist_->flush(); }

 private:
  std::mutex mu_;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> dist_;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers_;
  spdlog::level::level_enum level_ = spdlog::level::info;
};

LogState& State() {
  static LogState state;
  return state;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "unknown";
}

Result<LogLevel> ParseLogLevel(std::string_view text) {
  const std::string lower = AsciiLower(text);
  if (lower == "debug") return LogLevel::kDebug;
  if (lower == "info") return LogLevel::kInfo;
  if (lower == "warning" || lower == "warn") return LogLevel::kWarning;
  if (lower == "error") return LogLevel::kError;
  return Status::InvalidArgument(Quoted(text) + " is not a log level (debug, info, warning or error)");
}

Status InitLogging(const LogOptions& options) {
  spdlog::sink_ptr sink;
  try {
    if (options.file.empty()) {
      sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file, /*truncate=*/false);
    }
    SetFormat(sink, options);
  } catch (const std::exception& e) {
    return Status::IOError("opening log file " + options.file + ": " + e.what());
  }
  State().Use(std::move(sink), ToSpdlog(options.level));
  return Status::OK();
}

std::shared_ptr<spdlog::logger> GetLogger(std::string_view name) { return State().Get(name); }

void FlushLogs() { State().Flush(); }

Status RegisterLoggingOptions(OptionRegistry& registry) {
  const Option options[] = {
      {.section = std::string(kDefaultSection),
       .name = "debug",
       .type = OptionType::kBool,
       .default_value = "false",
       .help = "Log debug messages too. When false, the level is info."},
      {.section = std::string(kDefaultSection),
       .name = "log_file",
       .type = OptionType::kString,
       .default_value = std::nullopt,
       .help = "Append log lines to this file (missing directories are created). When unset "
               "or empty, log to stderr, where systemd's journal collects them."},
  };
  return registry.Register(options);
}

Result<LogOptions> LogOptionsFromConfig(const Config& config) {
  LogOptions options;
  CAIRN_ASSIGN_OR_RETURN(bool debug, config.GetBool(kDefaultSection, "debug"));
  options.level = debug ? LogLevel::kDebug : LogLevel::kInfo;
  if (config.HasValue(kDefaultSection, "log_file")) {
    CAIRN_ASSIGN_OR_RETURN(options.file, config.GetString(kDefaultSection, "log_file"));
  }
  return options;
}

}  // namespace cairn
