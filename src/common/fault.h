// Fault injection for crash-safety tests: a process set up with
//   CAIRN_FAULT=<point>[:<count>]
// aborts (SIGABRT, no cleanup, no flushing) the <count>-th time (default 1st)
// it reaches the fault point named <point>, e.g. CAIRN_FAULT=backup.3 or
// CAIRN_FAULT=backup.2:40. Workflows number their points; docs/crash-safety.md
// lists them. Without the variable a fault point costs one relaxed load.
#pragma once

#include <string_view>

namespace cairn {

// Marks the fault point `workflow`.`step`; aborts when the environment names it.
void FaultPoint(std::string_view workflow, int step);

}  // namespace cairn
