// libFuzzer target for the readers of the JSON metadata the engine keeps on
// the backup target (control/target_metadata.h: workload_db, workload_vms_db,
// snapshot_db, snapshot_vms_db, disk_db), which disaster-recovery import
// reads from a target anyone with write access to it may have tampered with.
// The first byte of an input picks the file (byte % 5, in the order above);
// the rest is its text, read as import reads it (control/workload_import.cc:
// nesting checked, parsed, the *FromJson reader; workload_vms_db as the
// "instances" of its workload). When the reader accepts it, the record is
// written back with the engine's writer (WriteWorkloadMetadata,
// WriteSnapshotDb, WriteSnapshotResources, WriteDiskMetadata) to a scratch
// target and read again, which must succeed with the same ids: what Cairn
// writes, Cairn reads back.
//
// Besides crashes and sanitizer reports (the nesting check keeps deep inputs
// from the recursive copies), broken promises abort.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/json_input.h"
#include "control/target_metadata.h"
#include "target/layout.h"
#include "target/store.h"

namespace cairn::fuzz {
namespace {

using nlohmann::json;
namespace layout = target::layout;

constexpr char kWorkload[] = "f0000000-0000-4000-8000-00000000000a";
constexpr char kSnapshot[] = "f0000000-0000-4000-8000-00000000000b";
constexpr size_t kMaxNesting = 64;  // as import reads the files

enum Kind { kWorkloadDb, kWorkloadVmsDb, kSnapshotDb, kSnapshotVmsDb, kDiskDb, kKinds };

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "metadata_reader_fuzz: broken promise: %s\n", what.c_str());
  std::abort();
}

template <typename T>
T Must(Result<T> r, std::string_view what) {
  if (!r.ok()) Broken(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

void Must(const Status& s, std::string_view what) {
  if (!s.ok()) Broken(std::string(what) + ": " + s.ToString());
}

// The scratch target of the round trips, in memory when /dev/shm exists.
struct State {
  std::filesystem::path root;
  std::unique_ptr<target::Store> scratch;

  State() {
    const std::filesystem::path base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    root = base / ("cairn-metadata-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root);
    scratch = Must(target::OpenPosixStore(root), "scratch");
  }
  ~State() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
};

State& GetState() {
  static State state;
  return state;
}

// Parses `path` of `store` as import does; nullopt when it would refuse it.
std::optional<json> ReadBack(target::Store& store, const std::string& path) {
  std::string text = Must(store.ReadSmall(path), "read back " + path);
  if (JsonNestsDeeperThan(text, kMaxNesting)) Broken("written too deep: " + path);
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) Broken("written as invalid JSON: " + path);
  return value;
}

// Writes an accepted record with the engine's writer and reads it back.
void RoundTrip(Kind kind, const json& value, target::Store& scratch) {
  const db::Snapshot snapshot{.id = kSnapshot, .workload_id = kWorkload};
  switch (kind) {
    case kWorkloadDb:
    case kWorkloadVmsDb: {
      auto w = kind == kWorkloadDb ? control::WorkloadFromJson(value)
                                   : control::WorkloadFromJson(json{{"id", kWorkload}, {"instances", value}});
      if (!w.ok()) return;
      Must(control::WriteWorkloadMetadata(scratch, *w), "write workload");
      auto again = control::WorkloadFromJson(*ReadBack(scratch, layout::WorkloadDb(w->id)));
      if (!again.ok()) Broken("a written workload_db does not read back: " + again.status().ToString());
      if (again->id != w->id || again->project_id != w->project_id || again->vms.size() != w->vms.size()) {
        Broken("workload_db changed through write and read");
      }
      return;
    }
    case kSnapshotDb: {
      auto s = control::SnapshotFromJson(value);
      if (!s.ok()) return;
      Must(control::WriteSnapshotDb(scratch, *s), "write snapshot");
      auto again = control::SnapshotFromJson(*ReadBack(scratch, layout::SnapshotDb(s->workload_id, s->id)));
      if (!again.ok()) Broken("a written snapshot_db does not read back: " + again.status().ToString());
      if (again->id != s->id || again->status != s->status || again->size != s->size) {
        Broken("snapshot_db changed through write and read");
      }
      return;
    }
    case kSnapshotVmsDb: {
      if (!value.is_array()) return;
      for (const json& item : value) {
        auto vm = control::SnapshotVmFromJson(item);
        if (!vm.ok()) return;
        Must(control::WriteSnapshotResources(scratch, snapshot, {*vm}, json::object()), "write snapshot_vms_db");
        json list = *ReadBack(scratch, layout::SnapshotVmsDb(kWorkload, kSnapshot));
        auto again = list.is_array() && list.size() == 1 ? control::SnapshotVmFromJson(list[0])
                                                         : Result<db::SnapshotVm>(Status::Internal("not one"));
        if (!again.ok()) Broken("a written snapshot_vms_db does not read back: " + again.status().ToString());
        if (again->vm_id != vm->vm_id) Broken("snapshot_vms_db changed through write and read");
      }
      return;
    }
    case kDiskDb: {
      auto d = control::SnapshotDiskFromJson(value);
      if (!d.ok()) return;
      Must(control::WriteDiskMetadata(scratch, snapshot, {*d}), "write disk_db");
      std::string resource, device;  // import finds the disk by its directory's name
      if (!layout::ParseDiskDirName(layout::DiskDirName(d->resource_id, d->device), resource, device) ||
          resource != d->resource_id || device != d->device) {
        Broken("the directory of disk " + d->resource_id + "/" + d->device + " does not name it");
      }
      const std::string dir = layout::DiskDir(kWorkload, kSnapshot, d->vm_id, d->resource_id, d->device);
      auto again = control::SnapshotDiskFromJson(*ReadBack(scratch, layout::DiskDb(dir)));
      if (!again.ok()) Broken("a written disk_db does not read back: " + again.status().ToString());
      if (again->id != d->id || again->device != d->device || again->size != d->size) {
        Broken("disk_db changed through write and read");
      }
      return;
    }
    case kKinds:
      return;
  }
}

}  // namespace
}  // namespace cairn::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cairn::fuzz;
  if (size == 0) return 0;
  State& state = GetState();
  const Kind kind = static_cast<Kind>(data[0] % kKinds);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (cairn::JsonNestsDeeperThan(text, kMaxNesting)) return 0;  // import refuses it unparsed
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(state.root)) std::filesystem::remove_all(entry.path());
  RoundTrip(kind, value, *state.scratch);
  return 0;
}
