#include "common/fault.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace cairn {
namespace {

struct FaultSpec {
  bool armed = false;
  std::string point;
  long count = 1;
};

const FaultSpec& Spec() {
  static const FaultSpec spec = [] {
    FaultSpec s;
    const char* env = std::getenv("CAIRN_FAULT");
    if (env == nullptr || *env == '\0') return s;
    std::string v(env);
    auto colon = v.find(':');
    s.point = v.substr(0, colon);
    if (colon != std::string::npos) s.count = std::max(1L, std::strtol(v.c_str() + colon + 1, nullptr, 10));
    s.armed = true;
    return s;
  }();
  return spec;
}

}  // namespace

void FaultPoint(std::string_view workflow, int step) {
  const FaultSpec& spec = Spec();
  if (!spec.armed) return;
  std::string name(workflow);
  name += '.';
  name += std::to_string(step);
  if (name != spec.point) return;
  static std::atomic<long> hits{0};
  if (hits.fetch_add(1) + 1 == spec.count) {
    std::fprintf(stderr, "cairn: injected fault at %s (hit %ld)\n", name.c_str(), spec.count);
    std::abort();
  }
}

}  // namespace cairn
