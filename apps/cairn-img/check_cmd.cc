// cairn-img check.
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "qcow2/check.h"

namespace cairn::img {

int RunCheck(const CheckArgs& args) {
  auto report = qcow2::CheckImage(args.image);
  if (!report.ok()) {
    PrintError(report.status().message());
    return 1;
  }
  const auto& r = *report;
  if (args.output == "json") {
    nlohmann::ordered_json j;
    j["filename"] = args.image;
    j["format"] = "qcow2";
    j["check-errors"] = r.corruptions;
    j["leaks"] = r.leaks;
    j["allocated-clusters"] = r.allocated_clusters;
    j["compressed-clusters"] = r.compressed_clusters;
    j["zero-clusters"] = r.zero_clusters;
    j["total-clusters"] = r.total_clusters;
    j["image-end-offset"] = r.image_end_offset;
    j["messages"] = r.messages;
    std::cout << j.dump(4) << "\n";
  } else {
    for (const auto& m : r.messages) std::cout << m << "\n";
    if (r.clean()) std::cout << "No errors were found on the image.\n";
    if (r.corruptions) std::cout << r.corruptions << " errors were found on the image.\n";
    if (r.leaks) std::cout << r.leaks << " leaked clusters were found on the image.\n";
    std::cout << r.allocated_clusters << "/" << r.total_clusters << " = "
              << (r.total_clusters ? 100.0 * static_cast<double>(r.allocated_clusters) / static_cast<double>(r.total_clusters) : 0.0)
              << "% allocated, " << r.compressed_clusters << " compressed clusters\n";
    std::cout << "Image end offset: " << r.image_end_offset << "\n";
  }
  if (r.corruptions) return 2;
  if (r.leaks) return 3;
  return 0;
}

}  // namespace cairn::img
