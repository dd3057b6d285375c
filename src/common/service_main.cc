#include "common/service_main.h"

#include <csignal>

#include "common/log.h"

namespace cairn {
namespace {

sigset_t StopSignals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  return stop;
}

}  // namespace

Result<Config> LoadServiceConfig(OptionRegistry registry, const std::vector<std::string>& files,
                                 const std::string& config_dir, std::string_view logger) {
  Config config(std::move(registry));
  CAIRN_RETURN_IF_ERROR(config.LoadFiles(files));
  if (!config_dir.empty()) {
    CAIRN_RETURN_IF_ERROR(config.LoadDirectory(config_dir));
  }
  CAIRN_ASSIGN_OR_RETURN(LogOptions log_options, LogOptionsFromConfig(config));
  CAIRN_RETURN_IF_ERROR(InitLogging(log_options));
  for (const auto& warning : config.warnings()) GetLogger(logger)->warn("{}", warning);
  return config;
}

void BlockStopSignals() {
  sigset_t stop = StopSignals();
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
}

int WaitForStopSignal() {
  sigset_t stop = StopSignals();
  int signal = 0;
  sigwait(&stop, &signal);
  return signal;
}

}  // namespace cairn
