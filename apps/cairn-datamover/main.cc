// cairn-datamover: Cairn's data plane. `serve` runs it as the service of a
// compute node: it registers the host and takes the disk tasks the engines
// post for it (datamover_service/). In local mode (the other subcommands)
// operators and tests back up, restore, verify and merge disk backups on a
// target directly.
#include <unistd.h>

#include <atomic>
#include <csignal>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/config.h"
#include "common/log.h"
#include "common/service_main.h"
#include "datamover/backup.h"
#include "datamover_service/datamover_service.h"
#include "db/options.h"
#include "db/schema.h"
#include "target/options.h"
#include "datamover/merge.h"
#include "datamover/restore.h"
#include "target/store.h"

namespace {

using namespace cairn;
using namespace cairn::datamover;
using nlohmann::ordered_json;

struct Common {
  std::string target, workload, snapshot, vm, disk = "vda";
  bool json = false;
  bool progress = true;
  int threads = 0;
};

void AddCommon(CLI::App* cmd, Common& c) {
  cmd->add_option("--target", c.target, "Backup target directory (local or NFS mount)")->required();
  cmd->add_option("--workload", c.workload, "Workload id")->required();
  cmd->add_option("--snapshot", c.snapshot, "Snapshot id")->required();
  cmd->add_option("--vm", c.vm, "VM (instance) id")->required();
  cmd->add_option("--disk", c.disk, "Disk device name (default vda)");
  cmd->add_flag("--json", c.json, "Print the result as JSON");
  cmd->add_flag("!--no-progress", c.progress, "Do not show progress");
  cmd->add_option("-t,--threads", c.threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 256));
}

// Set by SIGINT/SIGTERM: the running job stops at the next unit of work and
// removes what it half wrote.
std::atomic<bool> g_cancel{false};
extern "C" void OnSignal(int) { g_cancel = true; }

int Fail(const Status& s) {
  std::fprintf(stderr, "cairn-datamover: %s\n", s.message().c_str());
  return 1;
}

// A progress bar on a terminal (percent, bytes, rate, ETA); nothing otherwise.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)), start_(Now()) {}
  std::function<void(uint64_t, uint64_t)> callback() {
    if (!enabled_) return nullptr;
    return [this](uint64_t done, uint64_t total) {
      std::lock_guard lock(mu_);
      const int permille = total ? static_cast<int>(done * 1000 / total) : 1000;
      if (permille <= last_) return;
      last_ = permille;
      const double secs = Now() - start_;
      const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
      const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
      const int filled = permille / 40;
      std::fprintf(stderr, "\r[%-25.*s] %5.1f%%  %8.1f MiB  %7.1f MiB/s  ETA %4.0fs", filled,
                   "#########################", permille / 10.0, static_cast<double>(done) / 1048576.0,
                   rate / 1048576.0, eta);
      std::fflush(stderr);
    };
  }
  ~Progress() {
    if (enabled_ && last_ >= 0) std::fprintf(stderr, "\n");
  }

 private:
  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  bool enabled_;
  double start_;
  std::mutex mu_;
  int last_ = -1;
};

void Print(const Common& c, const ordered_json& j) {
  if (c.json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  for (const auto& [k, v] : j.items()) std::cout << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
}

Result<std::unique_ptr<target::Store>> Open(const Common& c) { return target::OpenPosixStore(c.target); }

DiskRef Ref(const Common& c) { return DiskRef{c.workload, c.snapshot, c.vm, c.disk}; }

// The service mode: until SIGTERM/SIGINT.
int Serve(const std::vector<std::string>& files, const std::string& dir) {
  // Before any thread exists, so that only the main thread takes them.
  BlockStopSignals();
  OptionRegistry registry;
  for (auto reg : {RegisterLoggingOptions, db::RegisterDatabaseOptions, target::RegisterTargetOptions,
                   datamover_service::RegisterDatamoverOptions}) {
    if (Status s = reg(registry); !s.ok()) return Fail(s);
  }
  auto loaded = LoadServiceConfig(std::move(registry), files, dir, "datamover");
  if (!loaded.ok()) return Fail(loaded.status());
  const Config& config = *loaded;
  auto db_options = db::DatabaseOptionsFromConfig(config);
  if (!db_options.ok()) return Fail(db_options.status());
  auto db = db::OpenSynced(*db_options);
  if (!db.ok()) return Fail(db.status());
  auto target_options = target::TargetOptionsFromConfig(config);
  if (!target_options.ok()) return Fail(target_options.status());
  auto store = target::OpenPosixStore(target_options->path);
  if (!store.ok()) return Fail(store.status());
  auto options = datamover_service::DatamoverOptionsFromConfig(config);
  if (!options.ok()) return Fail(options.status());

  datamover_service::DatamoverService service(**db, **store, *options);
  if (Status s = service.Start(); !s.ok()) return Fail(s);
  const int signal = WaitForStopSignal();
  GetLogger("datamover")->info("stopping (signal {})", signal);
  service.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cairn-datamover: back up, restore, verify and merge disk backups on a Cairn target"};
  app.require_subcommand(1);

  Common bc;
  std::string source, source_format = "auto", previous, mode = "scan", compress, resource, cluster_size = "65536";
  auto* backup = app.add_subcommand("backup", "Back up a disk (raw file, block device or qcow2 chain)");
  AddCommon(backup, bc);
  backup->add_option("--source", source, "The disk to read")->required();
  backup->add_option("--source-format", source_format, "auto, raw or qcow2")->check(CLI::IsMember({"auto", "raw", "qcow2"}));
  backup->add_option("--previous", previous, "Snapshot id of the previous backup of this disk (for an incremental)");
  backup->add_option("--mode", mode, "Change detection: overlay, scan or full")->check(CLI::IsMember({"overlay", "scan", "full"}));
  backup->add_option("--compress", compress, "Compress clusters: zstd or zlib")->check(CLI::IsMember({"zstd", "zlib"}));
  backup->add_option("--resource", resource, "The vm_res_id of the disk directory (default: a new UUID)");
  backup->add_option("--cluster-size", cluster_size, "Cluster size of a full backup (bytes, power of two)");

  Common rc;
  std::string to, format = "raw";
  bool in_place = false;
  auto* restore = app.add_subcommand("restore", "Restore a disk backup (with its chain)");
  AddCommon(restore, rc);
  restore->add_option("--to", to, "Output file or block device")->required();
  restore->add_option("--format", format, "raw or qcow2")->check(CLI::IsMember({"raw", "qcow2"}));
  restore->add_flag("--in-place", in_place, "Write only the clusters that differ onto the existing raw disk --to");

  Common vc;
  bool no_structure = false;
  auto* verify = app.add_subcommand("verify", "Re-read a backup chain and compare every cluster with the manifest");
  AddCommon(verify, vc);
  verify->add_flag("--no-structure", no_structure, "Skip the structural check of the images");

  Common mc;
  auto* merge = app.add_subcommand("merge", "Drop a snapshot's backup of a disk, merging it into its child");
  AddCommon(merge, mc);

  std::string cl_target, cl_workload;
  bool cl_json = false;
  auto* cleanup = app.add_subcommand("cleanup", "Remove what interrupted jobs left in a workload");
  cleanup->add_option("--target", cl_target, "Backup target directory")->required();
  cleanup->add_option("--workload", cl_workload, "Workload id")->required();
  cleanup->add_flag("--json", cl_json, "Print the result as JSON");

  std::vector<std::string> config_files = {"/etc/cairn/cairn.conf"};
  std::string config_dir;
  auto* serve = app.add_subcommand("serve", "Run as the datamover service of this compute node (reads the config files)");
  serve->add_option("--config-file", config_files, "Configuration file(s), applied in order")->capture_default_str();
  serve->add_option("--config-dir", config_dir, "A directory whose *.conf files are applied after the files");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  if (serve->parsed()) return Serve(config_files, config_dir);
  if (backup->parsed()) {
    auto store = Open(bc);
    if (!store.ok()) return Fail(store.status());
    BackupRequest req;
    req.cancel = &g_cancel;
    req.source = source;
    req.source_format = source_format;
    req.disk = Ref(bc);
    req.resource = resource;
    if (!previous.empty()) req.previous_snapshot = previous;
    req.mode = *ParseChangeMode(mode);
    if (compress == "zstd") req.compression = qcow2::CompressionType::kZstd;
    if (compress == "zlib") req.compression = qcow2::CompressionType::kZlib;
    try {
      req.cluster_size = static_cast<uint32_t>(std::stoul(cluster_size));
    } catch (...) {
      return Fail(Status::InvalidArgument("--cluster-size: '" + cluster_size + "' is not a number of bytes"));
    }
    req.threads = bc.threads;
    Progress progress(bc.progress);
    req.progress = progress.callback();
    auto r = Backup(**store, req);
    if (!r.ok()) return Fail(r.status());
    ordered_json j;
    j["image"] = r->backup.image_path();
    j["manifest"] = r->backup.manifest_path();
    j["type"] = r->incremental ? "incremental" : "full";
    j["mode"] = ChangeModeName(r->mode);
    if (!r->warning.empty()) j["warning"] = r->warning;
    j["virtual_size"] = r->virtual_size;
    j["bytes_read"] = r->bytes_read;
    j["bytes_written"] = r->bytes_written;
    j["bytes_skipped"] = r->bytes_skipped;
    j["clusters_changed"] = r->clusters_changed;
    j["image_file_size"] = r->image_file_size;
    j["seconds"] = r->seconds;
    Print(bc, j);
    return 0;
  }
  if (restore->parsed()) {
    auto store = Open(rc);
    if (!store.ok()) return Fail(store.status());
    RestoreRequest req;
    req.cancel = &g_cancel;
    req.disk = Ref(rc);
    req.to = to;
    req.format = format == "qcow2" ? qcow2::OutputFormat::kQcow2 : qcow2::OutputFormat::kRaw;
    req.in_place = in_place;
    req.threads = rc.threads;
    Progress progress(rc.progress);
    req.progress = progress.callback();
    auto r = Restore(**store, req);
    if (!r.ok()) return Fail(r.status());
    ordered_json j;
    j["image"] = r->backup.image_path();
    j["to"] = to;
    j["virtual_size"] = r->virtual_size;
    j["bytes_read"] = r->bytes_read;
    j["bytes_written"] = r->bytes_written;
    if (in_place) {
      j["clusters_compared"] = r->clusters_compared;
      j["clusters_written"] = r->clusters_written;
    }
    j["seconds"] = r->seconds;
    Print(rc, j);
    return 0;
  }
  if (verify->parsed()) {
    auto store = Open(vc);
    if (!store.ok()) return Fail(store.status());
    VerifyRequest req;
    req.cancel = &g_cancel;
    req.disk = Ref(vc);
    req.threads = vc.threads;
    req.check_structure = !no_structure;
    Progress progress(vc.progress);
    req.progress = progress.callback();
    auto r = Verify(**store, req);
    if (!r.ok()) return Fail(r.status());
    ordered_json j;
    j["image"] = r->backup.image_path();
    j["ok"] = r->ok;
    j["chain"] = r->chain;
    j["clusters_checked"] = r->clusters_checked;
    j["clusters_bad"] = r->clusters_bad;
    j["first_bad_clusters"] = r->first_bad_clusters;
    j["structure_problems"] = r->structure_problems;
    j["seconds"] = r->seconds;
    Print(vc, j);
    return r->ok ? 0 : 2;
  }
  if (merge->parsed()) {
    auto store = Open(mc);
    if (!store.ok()) return Fail(store.status());
    MergeRequest req;
    req.cancel = &g_cancel;
    req.disk = Ref(mc);
    req.threads = mc.threads;
    Progress progress(mc.progress);
    req.progress = progress.callback();
    auto r = Merge(**store, req);
    if (!r.ok()) return Fail(r.status());
    ordered_json j;
    j["dropped"] = r->dropped.image_path();
    j["child"] = r->child ? ordered_json(r->child->image_path()) : ordered_json(nullptr);
    j["clusters_copied"] = r->clusters_copied;
    j["bytes_copied"] = r->bytes_copied;
    j["new_image_size"] = r->new_image_size;
    j["seconds"] = r->seconds;
    Print(mc, j);
    return 0;
  }
  if (cleanup->parsed()) {
    auto store = target::OpenPosixStore(cl_target);
    if (!store.ok()) return Fail(store.status());
    auto r = Cleanup(**store, cl_workload);
    if (!r.ok()) return Fail(r.status());
    Common c;
    c.json = cl_json;
    ordered_json j;
    j["removed"] = r->removed;
    Print(c, j);
    return 0;
  }
  return 1;
}
