// What the main() of every Cairn service does the same way: read the
// configuration files, start logging, and wait for SIGTERM/SIGINT.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/config_schema.h"
#include "common/status.h"

namespace cairn {

// Loads `files` in order, then the *.conf files of `config_dir` (when not
// empty), into a Config of `registry`; starts logging as it says and logs
// the configuration's warnings under `logger`. Errors name the bad file or
// option.
Result<Config> LoadServiceConfig(OptionRegistry registry, const std::vector<std::string>& files,
                                 const std::string& config_dir, std::string_view logger);

// Blocks SIGTERM and SIGINT in the calling thread and in every thread it
// starts afterwards: call it first in main(), before any thread exists.
void BlockStopSignals();
// Waits until SIGTERM or SIGINT arrives (BlockStopSignals must have run);
// returns the signal's number.
int WaitForStopSignal();

}  // namespace cairn
