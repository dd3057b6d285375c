// cairn-img: inspect, check, convert and compare disk images (qcow2 and raw)
// with Cairn's own image library — how an operator looks at a backup without
// QEMU.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace cairn::img;
  CLI::App app{"cairn-img: inspect, check, convert and compare qcow2 and raw disk images"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cairn-img 0.1.0"));

  InfoArgs info;
  auto* info_cmd = app.add_subcommand("info", "Show an image's format, sizes and backing chain");
  info_cmd->add_option("image", info.image, "Image file")->required();
  info_cmd->add_option("--output", info.output, "human or json")->check(CLI::IsMember({"human", "json"}));
  info_cmd->add_flag("--backing-chain", info.backing_chain, "Show every image of the backing chain");

  MapArgs map;
  auto* map_cmd = app.add_subcommand("map", "Show where the data of an image (and its chain) lives");
  map_cmd->add_option("image", map.image, "Image file")->required();
  map_cmd->add_option("--output", map.output, "human or json")->check(CLI::IsMember({"human", "json"}));

  CheckArgs check;
  auto* check_cmd = app.add_subcommand("check", "Check the structure of a qcow2 image (exit 0 clean, 2 corrupt, 3 leaks)");
  check_cmd->add_option("image", check.image, "qcow2 image file")->required();
  check_cmd->add_option("--output", check.output, "human or json")->check(CLI::IsMember({"human", "json"}));

  ConvertArgs convert;
  auto* convert_cmd = app.add_subcommand("convert", "Convert an image (qcow2 chain or raw) to raw or qcow2");
  convert_cmd->add_option("source", convert.source, "Source image")->required();
  convert_cmd->add_option("destination", convert.destination, "Output file")->required();
  convert_cmd->add_option("-f,--format", convert.source_format, "Source format: auto, qcow2 or raw")
      ->check(CLI::IsMember({"auto", "qcow2", "raw"}));
  convert_cmd->add_option("-O,--output-format", convert.output_format, "Output format: qcow2 or raw")
      ->check(CLI::IsMember({"qcow2", "raw"}));
  convert_cmd->add_flag("-c,--compress", convert.compress, "Compress clusters (qcow2 output)");
  convert_cmd->add_option("--compression-type", convert.compression_type, "zstd (default) or zlib")
      ->check(CLI::IsMember({"zstd", "zlib"}));
  convert_cmd->add_option("--compression-level", convert.compression_level, "Compression level (0: default)");
  convert_cmd->add_option("--cluster-size", convert.cluster_size, "qcow2 cluster size, 512 to 2M (default 64K)");
  convert_cmd->add_option("-t,--threads", convert.threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 256));
  convert_cmd->add_flag("!--no-sync", convert.sync, "Do not fsync the output");
  convert_cmd->add_flag("-p,--progress", convert.progress, "Show progress");

  CompareArgs compare;
  auto* compare_cmd = app.add_subcommand("compare", "Compare the contents of two images (exit 0 same, 1 different)");
  compare_cmd->add_option("first", compare.first, "First image")->required();
  compare_cmd->add_option("second", compare.second, "Second image")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (info_cmd->parsed()) return RunInfo(info);
  if (map_cmd->parsed()) return RunMap(map);
  if (check_cmd->parsed()) return RunCheck(check);
  if (convert_cmd->parsed()) return RunConvert(convert);
  if (compare_cmd->parsed()) return RunCompare(compare);
  return 1;
}
