// The subcommands of cairn-img. Each returns the process exit code.
#pragma once

#include <cstdint>
#include <string>

namespace cairn::img {

struct InfoArgs {
  std::string image;
  std::string output = "human";  // human | json
  bool backing_chain = false;
};
int RunInfo(const InfoArgs& args);

struct MapArgs {
  std::string image;
  std::string output = "human";
};
int RunMap(const MapArgs& args);

// Exit codes as qemu-img check: 0 clean, 2 corruptions, 3 leaks only, 1 error.
struct CheckArgs {
  std::string image;
  std::string output = "human";
};
int RunCheck(const CheckArgs& args);

struct ConvertArgs {
  std::string source;
  std::string destination;
  std::string source_format = "auto";
  std::string output_format = "qcow2";
  bool compress = false;
  std::string compression_type = "zstd";
  int compression_level = 0;
  std::string cluster_size = "64K";
  int threads = 0;
  bool sync = true;
  bool progress = false;
};
int RunConvert(const ConvertArgs& args);

// Exit codes as qemu-img compare: 0 identical, 1 different, 2 error.
struct CompareArgs {
  std::string first;
  std::string second;
};
int RunCompare(const CompareArgs& args);

// Prints "cairn-img: <message>" to stderr.
void PrintError(const std::string& message);

// Parses sizes like "65536", "64K", "2M" (powers of 1024).
bool ParseSize(const std::string& text, uint64_t& out);

}  // namespace cairn::img
