// Logging on spdlog: one process-wide destination, many named loggers.
//
//   CAIRN_RETURN_IF_ERROR(InitLogging({.level = LogLevel::kDebug}));
//   auto log = GetLogger("qcow2");
//   log->info("opened {} ({} bytes)", path, size);
//
// Lines look like (UTC by default):
//   2026-11-25T08:17:17.123+00:00 [4242:4250] info qcow2: opened a.qcow2 (...)
// Every line is flushed as it is written, so nothing is lost when the process
// dies. Loggers obtained before InitLogging log to stderr at info level and
// follow the destination and level of later InitLogging calls.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"

namespace cairn {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// "debug", "info", "warning", "error".
std::string_view LogLevelName(LogLevel level);
// The inverse of LogLevelName, any letter case; "warn" is accepted too.
Result<LogLevel> ParseLogLevel(std::string_view text);

// spdlog pattern: ISO 8601 time with offset, pid:thread, level, logger, text.
inline constexpr std::string_view kDefaultLogPattern = "%Y-%m-%dT%H:%M:%S.%e%z [%P:%t] %^%l%$ %n: %v";

struct LogOptions {
  LogLevel level = LogLevel::kInfo;   // messages below it are dropped
  std::string file;                   // append to this file; empty: stderr
  std::string pattern = std::string(kDefaultLogPattern);
  bool utc = true;                    // times in UTC, else local time
};

// Sends every logger's output to the destination in `options`, replacing the
// previous one. Missing parent directories of the log file are created.
// IOError (naming the file) when the log file cannot be opened; logging is
// then unchanged. Thread safe.
Status InitLogging(const LogOptions& options);

// The logger called `name` (created on first use, then shared). Never null;
// thread safe. Names are short component names: "qcow2", "engine".
std::shared_ptr<spdlog::logger> GetLogger(std::string_view name);

// Writes out anything buffered by the current destination.
void FlushLogs();

// Registers [DEFAULT] debug and [DEFAULT] log_file.
Status RegisterLoggingOptions(OptionRegistry& registry);

// LogOptions from a Config holding the options of RegisterLoggingOptions:
// level debug when `debug` is true, else info; `log_file` when set.
Result<LogOptions> LogOptionsFromConfig(const Config& config);

}  // namespace cairn
