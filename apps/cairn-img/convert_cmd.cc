// cairn-img convert and compare.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "commands.h"
#include "qcow2/compare.h"
#include "qcow2/convert.h"
#include "qcow2/open.h"

namespace cairn::img {

int RunConvert(const ConvertArgs& args) {
  qcow2::ConvertOptions opts;
  opts.format = args.output_format == "raw" ? qcow2::OutputFormat::kRaw : qcow2::OutputFormat::kQcow2;
  uint64_t cluster_size = 0;
  if (!ParseSize(args.cluster_size, cluster_size) || cluster_size > (1u << 21)) {
    PrintError("--cluster-size: '" + args.cluster_size + "' is not a size between 512 and 2M");
    return 1;
  }
  opts.cluster_size = static_cast<uint32_t>(cluster_size);
  if (args.compress) {
    if (opts.format == qcow2::OutputFormat::kRaw) {
      PrintError("--compress: raw output cannot be compressed; use -O qcow2");
      return 1;
    }
    opts.compression = args.compression_type == "zlib" ? qcow2::CompressionType::kZlib : qcow2::CompressionType::kZstd;
    opts.compression_level = args.compression_level;
  }
  opts.threads = args.threads;
  opts.sync = args.sync;
  std::mutex progress_mu;
  int last_permille = -1;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (args.progress) {
    // Workers report out of order: print only forward steps, every 0.1 % on
    // a terminal (one line, redrawn) and every 10 % otherwise.
    opts.progress = [&, tty](uint64_t done, uint64_t total) {
      std::lock_guard lock(progress_mu);
      int permille = total ? static_cast<int>(done * 1000 / total) : 1000;
      if (permille <= last_permille) return;
      if (!tty && permille / 100 == last_permille / 100 && permille != 1000) return;
      last_permille = permille;
      fprintf(stderr, tty ? "\r    (%5.1f/100%%)" : "    (%5.1f/100%%)\n", permille / 10.0);
      fflush(stderr);
    };
  }

  qcow2::OpenOptions open;
  open.format = args.source_format;
  auto source = qcow2::OpenDisk(args.source, open);
  if (!source.ok()) {
    PrintError(source.status().message());
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  auto stats = qcow2::ConvertDisk(**source, args.destination, opts);
  if (args.progress && tty) fprintf(stderr, "\n");
  if (!stats.ok()) {
    PrintError(stats.status().message());
    return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args.progress) {
    fprintf(stderr, "converted %llu bytes of disk: read %llu, stored %llu, skipped %llu zero bytes, in %.2f s\n",
            static_cast<unsigned long long>(stats->virtual_size), static_cast<unsigned long long>(stats->bytes_read),
            static_cast<unsigned long long>(stats->bytes_stored),
            static_cast<unsigned long long>(stats->zero_bytes_skipped), secs);
  }
  return 0;
}

int RunCompare(const CompareArgs& args) {
  auto a = qcow2::OpenDisk(args.first);
  if (!a.ok()) {
    PrintError(a.status().message());
    return 2;
  }
  auto b = qcow2::OpenDisk(args.second);
  if (!b.ok()) {
    PrintError(b.status().message());
    return 2;
  }
  auto result = qcow2::CompareDisks(**a, **b);
  if (!result.ok()) {
    PrintError(result.status().message());
    return 2;
  }
  if (result->size_differs) std::cout << "Warning: Image size mismatch!\n";
  if (!result->identical) {
    std::cout << "Content mismatch at offset " << result->first_difference << "!\n";
    return 1;
  }
  std::cout << "Images are identical.\n";
  return 0;
}

}  // namespace cairn::img
