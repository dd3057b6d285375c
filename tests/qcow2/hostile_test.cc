// Hostile images: valid images made by qemu-img, qemu-io and our writer,
// then truncated and corrupted in every header field and table the reader
// uses. Each must give a clear error (or read without breaking the Disk
// contract) — never a crash, a hang or an unbounded allocation. This suite
// also runs under ASan/UBSan (label `sanitize`).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <random>

#include "common/file.h"
#include "hostile_support.h"
#include "qcow2/image.h"
#include "qcow2/open.h"
#include "qcow2/writer.h"
#include "test_support.h"

namespace cairn::qcow2 {
namespace {

// Helpers from hostile_support.h and test_support.h (Bytes, Put64, kOff*, Run, TempDir, ...).
using namespace testing;

constexpr uint64_t KiB = 1024;

void MustRun(const std::string& cmd) {
  auto r = Run(cmd);
  ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
}

// ---------------------------------------------------------------------------
// Valid base images, made once per process (ctest runs each case in its own
// process, so each is built lazily, only when a case asks for it).

class Bases {
 public:
  static Bases& Get() {
    static Bases bases;
    return bases;
  }
  ~Bases() { std::filesystem::remove_all(dir_); }

  // The path of base image `name` (see Make()).
  const std::string& Path(const std::string& name) {
    auto it = paths_.find(name);
    if (it != paths_.end()) return it->second;
    std::string path = (dir_ / (name + ".qcow2")).string();
    Make(name, path);
    return paths_[name] = path;
  }
  Bytes Load(const std::string& name) { return testing::ReadWholeFile(Path(name)); }
  // The guest contents of a base as our reader sees it (checked against qemu
  // by reader_test).
  Bytes Contents(const std::string& name) {
    auto disk = OpenDisk(Path(name));
    EXPECT_TRUE(disk.ok()) << disk.status().ToString();
    if (!disk.ok()) return {};
    Bytes out((*disk)->virtual_size());
    EXPECT_TRUE((*disk)->Read(0, out).ok());
    return out;
  }

 private:
  Bases() : dir_(std::filesystem::path(::testing::TempDir()) / ("cairn_hostile_bases_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void MakeRaw(const std::string& path) {
    MustRun("truncate -s 64K " + Quote(path));
    testing::WriteFileAt(path, 0, testing::TextBytes(24 * KiB, 1));
    testing::WriteFileAt(path, 32 * KiB, testing::RandomBytes(8 * KiB, 2));
    testing::WriteFileAt(path, 60 * KiB, testing::TextBytes(KiB + 300, 3));
  }

  void Make(const std::string& name, const std::string& path) {
    const std::string raw = (dir_ / (name + ".raw")).string();
    if (name == "qemu512") {
      // 512-byte clusters: data, a zero range, a compressed cluster.
      MustRun("qemu-img create -q -f qcow2 -o cluster_size=512 " + Quote(path) + " 64K");
      MustRun("qemu-io -f qcow2 -c 'write -P 0xab 0 4k' -c 'write -z 8k 1k' -c 'write -c -P 0x11 16k 512' "
              "-c 'write -P 0x22 60k 512' " + Quote(path) + " >/dev/null");
    } else if (name == "empty512") {
      MustRun("qemu-img create -q -f qcow2 -o cluster_size=512 " + Quote(path) + " 64K");
    } else if (name == "v2") {
      MustRun("qemu-img create -q -f qcow2 -o compat=0.10,cluster_size=512 " + Quote(path) + " 64K");
      MustRun("qemu-io -f qcow2 -c 'write -P 0x33 0 2k' -c 'write -c -P 0x44 8k 512' " + Quote(path) + " >/dev/null");
    } else if (name == "zlib4k" || name == "zstd4k") {
      // Compressed text clusters, random clusters stored as they are.
      MakeRaw(raw);
      std::string type = name == "zstd4k" ? "zstd" : "zlib";
      MustRun("qemu-img convert -f raw -O qcow2 -c -o cluster_size=4096,compression_type=" + type + " " + Quote(raw) +
              " " + Quote(path));
    } else if (name == "writer") {
      // Our writer: zstd-compressed, plain and zero clusters, a short last cluster.
      WriterOptions opts;
      opts.virtual_size = 64 * KiB + 512;
      opts.cluster_size = 4096;
      opts.compression = CompressionType::kZstd;
      auto file = OpenPosixFile(path, OpenMode::kCreateTruncate);
      ASSERT_TRUE(file.ok()) << file.status().ToString();
      auto w = ImageWriter::Create(std::move(*file), opts);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      ASSERT_TRUE((*w)->WriteClusters(0, testing::RandomBytes(2 * 4096, 7)).ok());
      ASSERT_TRUE((*w)->WriteCluster(3, testing::TextBytes(4096, 8)).ok());
      ASSERT_TRUE((*w)->WriteCluster(4, testing::TextBytes(4096, 9)).ok());
      ASSERT_TRUE((*w)->WriteZeroClusters(6, 2).ok());
      ASSERT_TRUE((*w)->WriteCluster(16, testing::TextBytes(512, 10)).ok());
      auto stats = (*w)->Finish();
      ASSERT_TRUE(stats.ok()) << stats.status().ToString();
      ASSERT_GT(stats->compressed_clusters, 0u);
    } else if (name == "overlay") {
      // Larger than its backing file, which it names by absolute path.
      const std::string& backing = Path("qemu512");
      MustRun("qemu-img create -q -f qcow2 -o cluster_size=512 -b " + Quote(backing) + " -F qcow2 " + Quote(path) +
              " 96K");
      MustRun("qemu-io -f qcow2 -c 'write -P 0x55 2k 1k' -c 'write -z 16k 512' -c 'write -P 0x66 80k 4k' " +
              Quote(path) + " >/dev/null");
    } else {
      FAIL() << "unknown base " << name;
    }
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> paths_;
};

// Every base image; "overlay" has a backing file.
const std::vector<std::string> kAllBases = {"qemu512", "v2", "zlib4k", "zstd4k", "writer", "overlay"};

// Writes a copy of base `base`, changed by `mutate`, to `dir`/`name`.
std::string Mutate(const TempDir& dir, const std::string& base, const std::string& name,
                   const std::function<void(Bytes&, const Layout&)>& mutate) {
  Bytes b = Bases::Get().Load(base);
  Layout l = Inspect(b);
  mutate(b, l);
  std::string path = dir / name;
  std::filesystem::remove(path);
  testing::WriteFileAt(path, 0, b);
  return path;
}

// Stores `name` as the backing file name (in the first cluster, after the
// header and an empty extension list).
void SetBackingName(Bytes& b, const std::string& name) {
  const uint64_t off = 256;
  Put64(b, kOffBackingOffset, off);
  Put32(b, kOffBackingSize, static_cast<uint32_t>(name.size()));
  PutBytes(b, off, name);
}

// Writes extension records (type, length, data) after the header of a copy
// of qemu512 (whose extension list is empty).
void PutExtension(Bytes& b, uint64_t& pos, uint32_t type, uint32_t len, std::string_view data = {}) {
  Put32(b, pos, type);
  Put32(b, pos + 4, len);
  PutBytes(b, pos + 8, data);
  pos += 8 + ((data.size() + 7) & ~7ull);
}

std::string Describe(const Status& s) { return s.ToString(); }

// In ASan builds: hostile input made no large allocation.
void ExpectSmallAllocations(const Outcome& o) {
  if (o.largest_allocation) {
    EXPECT_LE(*o.largest_allocation, kAllocationLimit) << o.ToString();
  }
}

// The image must be refused at open with `code` (and `needle` in the message).
void ExpectOpenFails(const std::string& path, ErrorCode code, const std::string& needle = "",
                     const OpenOptions& options = {}) {
  SCOPED_TRACE(path);
  Outcome o = testing::OpenAndExercise(path, options);
  ExpectSmallAllocations(o);
  ASSERT_FALSE(o.opened()) << "opened; use: " << Describe(o.use);
  EXPECT_EQ(o.open.code(), code) << Describe(o.open);
  EXPECT_NE(o.open.message().find(needle), std::string::npos) << "want '" << needle << "' in " << Describe(o.open);
  EXPECT_NE(o.open.message().find(std::filesystem::path(path).filename().string()), std::string::npos)
      << "the error should name the image: " << Describe(o.open);
}

// The image opens, but reading or mapping it fails with `code`.
void ExpectUseFails(const std::string& path, ErrorCode code, const std::string& needle = "") {
  SCOPED_TRACE(path);
  Outcome o = testing::OpenAndExercise(path);
  ExpectSmallAllocations(o);
  ASSERT_TRUE(o.opened()) << Describe(o.open);
  ASSERT_FALSE(o.use.ok()) << "reads and maps without error";
  EXPECT_EQ(o.use.code(), code) << Describe(o.use);
  EXPECT_NE(o.use.message().find(needle), std::string::npos) << "want '" << needle << "' in " << Describe(o.use);
}

// The image opens and reads and maps without error.
void ExpectUsable(const std::string& path, const OpenOptions& options = {}) {
  SCOPED_TRACE(path);
  Outcome o = testing::OpenAndExercise(path, options);
  ExpectSmallAllocations(o);
  EXPECT_TRUE(o.opened()) << Describe(o.open);
  EXPECT_TRUE(o.use.ok()) << Describe(o.use);
}

// Whatever happens is an error of a sensible kind or a clean read, and no
// large allocation is made on the way (checked in ASan builds).
Outcome ExpectNoCrash(const std::string& path, const OpenOptions& options = {}) {
  SCOPED_TRACE(path);
  Outcome o = testing::OpenAndExercise(path, options);
  ExpectSmallAllocations(o);
  if (!o.opened()) {
    EXPECT_TRUE(IsHostileInputError(o.open)) << o.ToString();
  } else if (!o.use.ok()) {
    EXPECT_TRUE(IsHostileInputError(o.use)) << o.ToString();
  }
  return o;
}

OpenOptions Qcow2Only() {
  OpenOptions o;
  o.format = "qcow2";
  return o;
}

// ---------------------------------------------------------------------------
// Truncation.

TEST(HostileTruncation, EveryBaseAtManyLengths) {
  TempDir dir;
  for (const std::string& base : kAllBases) {
    const Bytes full = Bases::Get().Load(base);
    const Layout l = Inspect(full);
    // Everything the header points at must be in the file for it to open.
    const uint64_t tables_end = std::max(l.l1_offset + uint64_t{8} * l.l1_size, l.refcount_offset + l.cluster_size);
    std::vector<uint64_t> lengths = {0, 1, 3, 4, 8, 71, 72, 100, 103, 104, 111, 112, 113, l.cluster_size - 1,
                                     l.cluster_size, l.l1_offset, l.l1_offset + 4, l.l1_offset + 8,
                                     l.l1_offset + 8ull * l.l1_size - 1, full.size() - 1, full.size() - 512};
    if (l.l2_offset) {
      lengths.push_back(*l.l2_offset + 8);
      lengths.push_back(*l.l2_offset + l.cluster_size / 2);
    }
    if (l.data_offset) lengths.push_back(*l.data_offset + l.cluster_size / 2);
    if (l.compressed_offset) lengths.push_back(*l.compressed_offset + 3);
    for (uint64_t n = 0; n < full.size(); n += 97) lengths.push_back(n);

    for (uint64_t n : lengths) {
      if (n >= full.size()) continue;
      SCOPED_TRACE(base + " truncated to " + std::to_string(n));
      const std::string path = dir / (base + ".trunc");
      std::filesystem::remove(path);
      testing::WriteFileAt(path, 0, Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
      std::filesystem::resize_file(path, n);
      Outcome o = ExpectNoCrash(path);
      Outcome q = ExpectNoCrash(path, Qcow2Only());
      if (n < 4) {
        // Too short for a magic: probing says raw, as QEMU's does.
        EXPECT_TRUE(o.opened()) << o.ToString();
        EXPECT_EQ(q.open.code(), ErrorCode::kCorruption) << q.ToString();
      } else if (n < tables_end) {
        // (OutOfRange when the header's own fields run past the end.)
        for (const Outcome* x : {&o, &q})
          EXPECT_TRUE(x->open.code() == ErrorCode::kCorruption || x->open.code() == ErrorCode::kOutOfRange)
              << x->ToString();
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Header fields.

TEST(HostileHeader, BadMagicIsRawUnlessQcow2IsDemanded) {
  TempDir dir;
  auto path = Mutate(dir, "qemu512", "magic", [](Bytes& b, const Layout&) { Put32(b, 0, 0x514649fa); });
  ExpectUsable(path);  // auto: not qcow2, so a raw disk (as QEMU probes)
  auto disk = OpenDisk(path);
  ASSERT_TRUE(disk.ok());
  EXPECT_EQ((*disk)->format(), "raw");
  ExpectOpenFails(path, ErrorCode::kCorruption, "bad magic", Qcow2Only());
}

TEST(HostileHeader, UnsupportedVersions) {
  TempDir dir;
  for (uint32_t v : {0u, 1u, 4u, 0xffffffffu}) {
    auto path = Mutate(dir, "qemu512", "v" + std::to_string(v), [v](Bytes& b, const Layout&) { Put32(b, kOffVersion, v); });
    ExpectOpenFails(path, ErrorCode::kNotSupported, "version");
  }
}

TEST(HostileHeader, ClusterBitsOutsideQemuRange) {
  TempDir dir;
  for (uint32_t bits : {0u, 8u, 22u, 31u, 32u, 63u, 64u, 0xffffffffu}) {
    for (const char* base : {"qemu512", "v2"}) {
      auto path = Mutate(dir, base, std::string(base) + "_cb" + std::to_string(bits),
                         [bits](Bytes& b, const Layout&) { Put32(b, kOffClusterBits, bits); });
      ExpectOpenFails(path, ErrorCode::kCorruption, "cluster_bits");
    }
  }
}

TEST(HostileHeader, ClusterBitsChangedWithinRangeDoesNotCrash) {
  TempDir dir;
  for (uint32_t bits = 9; bits <= 21; ++bits) {
    for (const std::string& base : kAllBases) {
      auto path = Mutate(dir, base, base + "_cb" + std::to_string(bits),
                         [bits](Bytes& b, const Layout&) { Put32(b, kOffClusterBits, bits); });
      ExpectNoCrash(path);
    }
  }
}

TEST(HostileHeader, HeaderLength) {
  TempDir dir;
  for (uint32_t len : {0u, 8u, 72u, 100u, 103u, 105u, 111u, 520u, 4096u, 0x7ffffff8u, 0xffffffffu}) {
    auto path = Mutate(dir, "qemu512", "hl" + std::to_string(len),
                       [len](Bytes& b, const Layout&) { Put32(b, kOffHeaderLength, len); });
    ExpectOpenFails(path, ErrorCode::kCorruption, "header_length");
  }
  // A valid length that leaves no room for the extension list.
  auto path = Mutate(dir, "qemu512", "hl512", [](Bytes& b, const Layout&) { Put32(b, kOffHeaderLength, 512); });
  ExpectOpenFails(path, ErrorCode::kCorruption, "extensions");
}

TEST(HostileHeader, RefcountOrder) {
  TempDir dir;
  for (uint32_t order : {7u, 64u, 0xffffffffu}) {
    auto path = Mutate(dir, "qemu512", "ro" + std::to_string(order),
                       [order](Bytes& b, const Layout&) { Put32(b, kOffRefcountOrder, order); });
    ExpectOpenFails(path, ErrorCode::kCorruption, "refcount_order");
  }
}

TEST(HostileHeader, L1Size) {
  TempDir dir;
  // 64 KiB of 512-byte clusters needs 2 L1 entries (64 L2 entries each).
  struct Case {
    uint32_t l1_size;
    const char* needle;
  };
  for (Case c : {Case{0, "too small"}, Case{1, "too small"}, Case{0xffffffff, "exceeds"},
                 Case{(32u << 20) / 8 + 1, "exceeds"}, Case{(32u << 20) / 8, "beyond the end"},
                 Case{100000, "beyond the end"}}) {
    auto path = Mutate(dir, "qemu512", "l1size" + std::to_string(c.l1_size),
                       [c](Bytes& b, const Layout&) { Put32(b, kOffL1Size, c.l1_size); });
    ExpectOpenFails(path, ErrorCode::kCorruption, c.needle);
  }
  // Larger than needed, but still inside the file: the extra entries are
  // beyond the disk and never used.
  auto path = Mutate(dir, "qemu512", "l1size3", [](Bytes& b, const Layout&) { Put32(b, kOffL1Size, 3); });
  ExpectNoCrash(path);
}

TEST(HostileHeader, L1TableOffset) {
  TempDir dir;
  struct Case {
    std::string name;
    std::function<uint64_t(const Layout&, uint64_t)> offset;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"unaligned", [](const Layout& l, uint64_t) { return l.l1_offset + 8; }, "not cluster aligned"},
      {"zero", [](const Layout&, uint64_t) { return 0; }, "overlaps the header"},
      {"eof", [](const Layout& l, uint64_t size) { return (size / l.cluster_size + 1) * l.cluster_size; }, "beyond the end"},
      {"huge", [](const Layout&, uint64_t) { return 1ull << 62; }, "beyond the end"},
      {"wrap", [](const Layout& l, uint64_t) { return 0 - l.cluster_size; }, "beyond the end"},
      {"max", [](const Layout&, uint64_t) { return ~0ull; }, "not cluster aligned"},
  };
  for (const std::string base : {"qemu512", "zlib4k"}) {
    for (const Case& c : cases) {
      auto path = Mutate(dir, base, base + "_l1off_" + c.name,
                         [&c](Bytes& b, const Layout& l) { Put64(b, kOffL1Offset, c.offset(l, b.size())); });
      ExpectOpenFails(path, ErrorCode::kCorruption, c.needle);
    }
  }
}

TEST(HostileHeader, RefcountTable) {
  TempDir dir;
  struct Case {
    std::string name;
    std::function<void(Bytes&, const Layout&)> mutate;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"eof", [](Bytes& b, const Layout& l) { Put64(b, kOffRefcountOffset, (b.size() / l.cluster_size + 4) * l.cluster_size); },
       "beyond the end"},
      {"unaligned", [](Bytes& b, const Layout& l) { Put64(b, kOffRefcountOffset, l.refcount_offset + 8); },
       "not cluster aligned"},
      {"zero", [](Bytes& b, const Layout&) { Put64(b, kOffRefcountOffset, 0); }, "overlaps the header"},
      {"huge_clusters", [](Bytes& b, const Layout&) { Put32(b, kOffRefcountClusters, 0xffffffff); }, "exceeds"},
      {"past_eof_clusters", [](Bytes& b, const Layout&) { Put32(b, kOffRefcountClusters, 1000); }, "beyond the end"},
  };
  for (const Case& c : cases) {
    auto path = Mutate(dir, "qemu512", "rc_" + c.name, c.mutate);
    ExpectOpenFails(path, ErrorCode::kCorruption, c.needle);
  }
}

TEST(HostileHeader, VirtualSize) {
  TempDir dir;
  for (uint64_t size : {1ull << 62, (1ull << 62) + 1, 1ull << 63, ~0ull, 1ull << 40}) {
    auto path = Mutate(dir, "qemu512", "size" + std::to_string(size),
                       [size](Bytes& b, const Layout&) { Put64(b, kOffSize, size); });
    ExpectOpenFails(path, ErrorCode::kCorruption, size > (1ull << 62) ? "absurd" : "l1_size");
  }
  // Smaller than the tables describe: the rest is ignored.
  for (uint64_t size : {0ull, 1ull, 511ull, 4097ull}) {
    auto path = Mutate(dir, "qemu512", "small" + std::to_string(size),
                       [size](Bytes& b, const Layout&) { Put64(b, kOffSize, size); });
    ExpectUsable(path);
  }
}

TEST(HostileHeader, BackingFileName) {
  TempDir dir;
  struct Case {
    std::string name;
    uint64_t offset;
    uint32_t size;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"size0", 256, 0, "outside 1..1023"},
      {"size1024", 256, 1024, "outside 1..1023"},
      {"sizemax", 256, 0xffffffff, "outside 1..1023"},
      {"offset_past_cluster", 513, 8, "outside the first cluster"},
      {"offset_huge", 1ull << 62, 8, "outside the first cluster"},
      {"offset_max", ~0ull, 8, "outside the first cluster"},
      {"crosses_cluster", 508, 8, "outside the first cluster"},
      {"over_header", 8, 504, "extensions"},  // the name area hides the header's extension list
  };
  for (const Case& c : cases) {
    auto path = Mutate(dir, "qemu512", "bk_" + c.name, [&c](Bytes& b, const Layout&) {
      Put64(b, kOffBackingOffset, c.offset);
      Put32(b, kOffBackingSize, c.size);
    });
    ExpectOpenFails(path, ErrorCode::kCorruption, c.needle);
  }
  auto nul = Mutate(dir, "qemu512", "bk_nul", [](Bytes& b, const Layout&) {
    SetBackingName(b, std::string("base\0.qcow2", 11));
  });
  ExpectOpenFails(nul, ErrorCode::kCorruption, "NUL");
  // A name that resolves to nothing: NotFound, naming both files; without
  // following the chain it opens.
  auto missing = Mutate(dir, "qemu512", "bk_missing", [](Bytes& b, const Layout&) { SetBackingName(b, "no-such-base"); });
  ExpectOpenFails(missing, ErrorCode::kNotFound, "no-such-base");
  OpenOptions no_follow;
  no_follow.follow_backing = false;
  ExpectUsable(missing, no_follow);
  // The name of a directory or a device that is not a disk.
  auto directory = Mutate(dir, "qemu512", "bk_dir", [](Bytes& b, const Layout&) { SetBackingName(b, "."); });
  ExpectOpenFails(directory, ErrorCode::kNotSupported, "not a regular file");
  auto chardev = Mutate(dir, "qemu512", "bk_chardev", [](Bytes& b, const Layout&) { SetBackingName(b, "/dev/zero"); });
  ExpectOpenFails(chardev, ErrorCode::kNotSupported, "not a regular file");
}

TEST(HostileHeader, BackingFileIsAFifo) {
  // Opening a FIFO blocks until a writer comes: the reader must refuse it
  // rather than hang. If it does hang, the test opens the FIFO for writing
  // to release it, and fails.
  TempDir dir;
  const std::string fifo = dir / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto path = Mutate(dir, "qemu512", "bk_fifo", [](Bytes& b, const Layout& l) {
    uint64_t p = l.header_length;
    PutExtension(b, p, kExtBackingFormat, 3, "raw");
    Put64(b, p, 0);
    SetBackingName(b, "fifo");
  });
  auto opened = std::async(std::launch::async, [&] { return OpenDisk(path); });
  if (opened.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
    FAIL() << "OpenDisk blocked on a FIFO named as backing file";
  }
  auto disk = opened.get();
  ASSERT_FALSE(disk.ok());
  EXPECT_EQ(disk.status().code(), ErrorCode::kNotSupported) << disk.status().ToString();
}

TEST(HostileHeader, Extensions) {
  TempDir dir;
  struct Case {
    std::string name;
    std::function<void(Bytes&, uint64_t pos)> mutate;
    ErrorCode code;
    const char* needle;
  };
  const std::vector<Case> cases = {
      {"len_max", [](Bytes& b, uint64_t p) { PutExtension(b, p, 0x12345678, 0xffffffff); }, ErrorCode::kCorruption,
       "longer than its space"},
      {"len_past_cluster", [](Bytes& b, uint64_t p) { PutExtension(b, p, 0x12345678, 512 - 112 - 8 + 1); },
       ErrorCode::kCorruption, "longer than its space"},
      {"no_end", [](Bytes& b, uint64_t p) { while (p + 8 <= 512) PutExtension(b, p, 0x12345678, 0); },
       ErrorCode::kCorruption, "run past"},
      {"len_past_backing_name",
       [](Bytes& b, uint64_t p) {
         SetBackingName(b, "x");
         PutExtension(b, p, 0x12345678, 200);
       },
       ErrorCode::kCorruption, "longer than its space"},
      {"format_too_long",
       [](Bytes& b, uint64_t p) { PutExtension(b, p, kExtBackingFormat, 65, std::string(65, 'q')); },
       ErrorCode::kCorruption, "backing format"},
      {"encryption", [](Bytes& b, uint64_t p) { PutExtension(b, p, kExtEncryption, 16, std::string(16, '\0')); },
       ErrorCode::kNotSupported, "encrypted"},
      {"external_data",
       [](Bytes& b, uint64_t p) { PutExtension(b, p, kExtExternalDataFile, 4, "data"); },
       ErrorCode::kNotSupported, "external data"},
      {"format_unknown",
       [](Bytes& b, uint64_t p) {
         PutExtension(b, p, kExtBackingFormat, 4, "vmdk");
         Put64(b, p, 0);
         SetBackingName(b, "qemu512.qcow2");
       },
       ErrorCode::kNotSupported, "vmdk"},
  };
  for (const Case& c : cases) {
    auto path = Mutate(dir, "qemu512", "ext_" + c.name, [&c](Bytes& b, const Layout& l) { c.mutate(b, l.header_length); });
    std::filesystem::copy_file(Bases::Get().Path("qemu512"), dir / "qemu512.qcow2",
                               std::filesystem::copy_options::overwrite_existing);
    ExpectOpenFails(path, c.code, c.needle);
  }
  // Unknown extensions and a feature name table are skipped.
  auto unknown = Mutate(dir, "qemu512", "ext_unknown", [](Bytes& b, const Layout& l) {
    uint64_t p = l.header_length;
    PutExtension(b, p, 0x12345678, 5, "abcde");
    PutExtension(b, p, kExtFeatureNames, 48, std::string(48, 'n'));
    PutExtension(b, p, kExtBitmaps, 0);
    Put64(b, p, 0);
  });
  ExpectUsable(unknown);
}

TEST(HostileHeader, IncompatibleFeatures) {
  TempDir dir;
  struct Case {
    std::string name;
    std::function<void(Bytes&)> mutate;
    ErrorCode code;
    const char* needle;
  };
  auto bit = [](int n) { return [n](Bytes& b) { Put64(b, kOffIncompatible, Get64(b, kOffIncompatible) | (1ull << n)); }; };
  const std::vector<Case> cases = {
      {"bit5", bit(5), ErrorCode::kNotSupported, "unknown incompatible"},
      {"bit63", bit(63), ErrorCode::kNotSupported, "unknown incompatible"},
      {"external_data", bit(2), ErrorCode::kNotSupported, "external data"},
      {"extended_l2", bit(4), ErrorCode::kNotSupported, "extended L2"},
      {"compression_type_2",
       [](Bytes& b) {
         Put64(b, kOffIncompatible, 1ull << 3);
         b[kOffCompressionType] = std::byte{2};
       },
       ErrorCode::kNotSupported, "compression type 2"},
      {"compression_type_255",
       [](Bytes& b) {
         Put64(b, kOffIncompatible, 1ull << 3);
         b[kOffCompressionType] = std::byte{255};
       },
       ErrorCode::kNotSupported, "compression type 255"},
      {"compression_type_without_bit", [](Bytes& b) { b[kOffCompressionType] = std::byte{1}; }, ErrorCode::kCorruption,
       "compression type feature bit"},
      {"compression_bit_short_header",
       [](Bytes& b) {
         Put64(b, kOffIncompatible, 1ull << 3);
         Put32(b, kOffHeaderLength, 104);
       },
       ErrorCode::kCorruption, "no compression_type field"},
  };
  for (const Case& c : cases) {
    auto path = Mutate(dir, "qemu512", "incompat_" + c.name, [&c](Bytes& b, const Layout&) { c.mutate(b); });
    ExpectOpenFails(path, c.code, c.needle);
  }
  // Dirty and corrupt are known bits: the data still reads.
  for (int n : {0, 1}) {
    auto path = Mutate(dir, "qemu512", "incompat_known" + std::to_string(n), [&](Bytes& b, const Layout&) { bit(n)(b); });
    ExpectUsable(path);
  }
}

TEST(HostileHeader, Encryption) {
  TempDir dir;
  for (uint32_t method : {1u, 2u, 3u, 0xffffffffu}) {
    auto path = Mutate(dir, "qemu512", "crypt" + std::to_string(method),
                       [method](Bytes& b, const Layout&) { Put32(b, kOffCryptMethod, method); });
    ExpectOpenFails(path, ErrorCode::kNotSupported, "encrypted");
  }
}

TEST(HostileHeader, SnapshotFieldsAreNotUsed) {
  TempDir dir;
  auto path = Mutate(dir, "qemu512", "snapshots", [](Bytes& b, const Layout&) {
    Put32(b, kOffNbSnapshots, 0xffffffff);
    Put64(b, kOffSnapshotsOffset, ~0ull);
  });
  ExpectUsable(path);
  auto disk = OpenDisk(path);
  ASSERT_TRUE(disk.ok());
  Bytes data((*disk)->virtual_size());
  ASSERT_TRUE((*disk)->Read(0, data).ok());
  EXPECT_TRUE(data == Bases::Get().Contents("qemu512"));
}

// ---------------------------------------------------------------------------
// L1 and L2 tables.

TEST(HostileTables, L1EntryOutOfFile) {
  TempDir dir;
  for (const std::string base : {"qemu512", "zlib4k", "v2", "writer"}) {
    const uint64_t cs = Inspect(Bases::Get().Load(base)).cluster_size;
    struct Case {
      std::string name;
      std::function<uint64_t(const Layout&, uint64_t)> entry;
      const char* needle;
    };
    std::vector<Case> cases = {
        {"eof", [](const Layout& l, uint64_t size) { return (size / l.cluster_size + 1) * l.cluster_size; }, "beyond the end"},
        {"max", [](const Layout& l, uint64_t) { return kEntryOffsetMask & ~(l.cluster_size - 1); }, "beyond the end"},
        {"copied_max", [](const Layout& l, uint64_t) { return (kEntryOffsetMask & ~(l.cluster_size - 1)) | kEntryCopied; },
         "beyond the end"},
        {"last", [](const Layout& l, uint64_t size) { return size / l.cluster_size * l.cluster_size; }, "beyond the end"},
    };
    if (cs > 512) cases.push_back({"unaligned", [](const Layout& l, uint64_t) { return *l.l2_offset + 512; }, "not cluster aligned"});
    for (const Case& c : cases) {
      auto path = Mutate(dir, base, base + "_l1e_" + c.name, [&c](Bytes& b, const Layout& l) {
        ASSERT_TRUE(l.l1_entry_pos);
        Put64(b, *l.l1_entry_pos, c.entry(l, b.size()));
      });
      ExpectUseFails(path, ErrorCode::kCorruption, c.needle);
    }
  }
}

TEST(HostileTables, L1EntryPointingAtOtherMetadata) {
  TempDir dir;
  // An L2 table that is really the L1 table, the refcount table or a data
  // cluster: nonsense entries, but only ever clean errors or clean reads.
  for (const std::string& base : kAllBases) {
    for (const char* target : {"l1", "refcount", "data", "every"}) {
      auto path = Mutate(dir, base, base + "_l1at_" + target, [&](Bytes& b, const Layout& l) {
        ASSERT_TRUE(l.l1_entry_pos);
        uint64_t to = std::string(target) == "l1"         ? l.l1_offset
                      : std::string(target) == "refcount" ? l.refcount_offset
                                                          : l.data_offset.value_or(l.l1_offset);
        if (std::string(target) == "every") {
          for (uint32_t i = 0; i < l.l1_size; ++i) Put64(b, l.l1_offset + 8ull * i, *l.l2_offset);
        } else {
          Put64(b, *l.l1_entry_pos, to);
        }
      });
      ExpectNoCrash(path);
    }
  }
}

TEST(HostileTables, L2EntryOutOfFile) {
  TempDir dir;
  for (const std::string base : {"qemu512", "zlib4k", "v2", "writer", "overlay"}) {
    struct Case {
      std::string name;
      std::function<uint64_t(const Layout&, uint64_t)> entry;
      const char* needle;
      bool v3_only = false;
    };
    std::vector<Case> cases = {
        {"eof", [](const Layout& l, uint64_t size) { return (size / l.cluster_size + 1) * l.cluster_size; }, "beyond the end"},
        {"max", [](const Layout& l, uint64_t) { return kEntryOffsetMask & ~(l.cluster_size - 1); }, "beyond the end"},
        {"zero_flag_eof", [](const Layout& l, uint64_t) { return (kEntryOffsetMask & ~(l.cluster_size - 1)) | kL2ZeroFlag; },
         "beyond the end", true},
    };
    const Layout base_layout = Inspect(Bases::Get().Load(base));
    if (base_layout.cluster_size > 512)
      cases.push_back({"unaligned", [](const Layout& l, uint64_t) { return *l.data_offset + 512; }, "not cluster aligned"});
    for (const Case& c : cases) {
      if (c.v3_only && base == "v2") continue;
      auto path = Mutate(dir, base, base + "_l2e_" + c.name, [&c](Bytes& b, const Layout& l) {
        ASSERT_TRUE(l.normal_entry_pos);
        Put64(b, *l.normal_entry_pos, c.entry(l, b.size()));
      });
      ExpectUseFails(path, ErrorCode::kCorruption, c.needle);
    }
  }
}

TEST(HostileTables, CompressedEntries) {
  TempDir dir;
  for (const std::string base : {"qemu512", "v2", "zlib4k", "zstd4k", "writer"}) {
    const Layout base_layout = Inspect(Bases::Get().Load(base));
    ASSERT_TRUE(base_layout.compressed_entry_pos) << base;
    const uint32_t x = 62 - (base_layout.cluster_bits - 8);
    const uint64_t max_sectors = ((1ull << (base_layout.cluster_bits - 8)) - 1) << x;
    auto entry = [&](uint64_t host, uint64_t extra) { return kEntryCompressed | extra | host; };
    // Offsets outside the file (or in its header) are refused by Map and Read.
    for (auto [name, host] : std::vector<std::pair<std::string, uint64_t>>{
             {"eof", 1ull << 40}, {"just_eof", 0}, {"header", 100}, {"zero", 0}, {"max", (1ull << x) - 1}}) {
      auto path = Mutate(dir, base, base + "_ce_" + name, [&, name = name, host = host](Bytes& b, const Layout& l) {
        uint64_t h = name == "just_eof" ? b.size() : host;
        Put64(b, *l.compressed_entry_pos, entry(h, 0));
      });
      ExpectUseFails(path, ErrorCode::kCorruption, "outside the file");
    }
    // Garbage where the compressed bytes are: Map is fine, Read says Corruption.
    auto garbage = Mutate(dir, base, base + "_ce_garbage", [](Bytes& b, const Layout& l) {
      for (uint64_t i = 0; i < 64 && *l.compressed_offset + i < b.size(); ++i) b[*l.compressed_offset + i] = std::byte{0xff};
    });
    ExpectUseFails(garbage, ErrorCode::kCorruption, "compressed");
    // The largest sector count, near the end of the file, or at its last byte.
    for (std::string name : {"max_sectors", "max_sectors_at_end", "last_byte"}) {
      auto path = Mutate(dir, base, base + "_ce_" + name, [&](Bytes& b, const Layout& l) {
        uint64_t host = name == "max_sectors" ? *l.compressed_offset : name == "last_byte" ? b.size() - 1 : b.size() - 700;
        Put64(b, *l.compressed_entry_pos, entry(host, name == "last_byte" ? 0 : max_sectors));
      });
      Outcome o = ExpectNoCrash(path);
      if (name == "last_byte") {
        EXPECT_EQ(o.use.code(), ErrorCode::kCorruption) << o.ToString();
      }
    }
    // Every L2 entry compressed, pointing at the same garbage.
    auto all = Mutate(dir, base, base + "_ce_all", [&](Bytes& b, const Layout& l) {
      for (uint64_t j = 0; j < l.cluster_size / 8; ++j) Put64(b, *l.l2_offset + 8 * j, entry(l.l1_offset, max_sectors));
    });
    ExpectUseFails(all, ErrorCode::kCorruption, "compressed");
  }
}

TEST(HostileTables, ZstdFrameDeclaringAHugeWindow) {
  // A zstd frame header (not single-segment) asking for a 128 MiB window
  // (Window_Descriptor 0x88) and then a raw block: refused as corrupt, and
  // without zstd allocating the window.
  TempDir dir;
  for (const char* base : {"zstd4k", "writer"}) {
    auto path = Mutate(dir, base, std::string(base) + "_window", [](Bytes& b, const Layout& l) {
      const std::string frame("\x28\xb5\x2f\xfd\x00\x88\x01\x00\x00", 9);
      PutBytes(b, *l.compressed_offset, frame);
    });
    Outcome o = ExpectNoCrash(path);
    EXPECT_EQ(o.use.code(), ErrorCode::kCorruption) << o.ToString();
    EXPECT_NE(o.use.message().find("zstd"), std::string::npos) << o.ToString();
    // Allocation sizes are measured in sanitizer builds only (make test-sanitize).
    if (!o.largest_allocation) return;
    EXPECT_LT(*o.largest_allocation, 8u << 20);
  }
}

TEST(HostileTables, V2IgnoresZeroFlag) {
  // Version 2 has no zero flag: bit 0 of an L2 entry is reserved, the data
  // cluster is read as it is.
  TempDir dir;
  auto path = Mutate(dir, "v2", "v2_bit0", [](Bytes& b, const Layout& l) {
    Put64(b, *l.normal_entry_pos, Get64(b, *l.normal_entry_pos) | kL2ZeroFlag);
  });
  ExpectUsable(path);
  auto disk = OpenDisk(path);
  ASSERT_TRUE(disk.ok());
  Bytes data((*disk)->virtual_size());
  ASSERT_TRUE((*disk)->Read(0, data).ok());
  EXPECT_TRUE(data == Bases::Get().Contents("v2"));
}

// ---------------------------------------------------------------------------
// Backing chains.

void ExpectLoop(const std::string& path) { ExpectOpenFails(path, ErrorCode::kCorruption, "loop"); }

TEST(HostileChain, SelfLoopMadeByQemuImgRebase) {
  TempDir dir;
  std::filesystem::copy_file(Bases::Get().Path("qemu512"), dir / "a.qcow2");
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img rebase -u -f qcow2 -b a.qcow2 -F qcow2 a.qcow2");
  ExpectLoop(dir / "a.qcow2");
  // Not following the chain, it is an image like any other.
  OpenOptions no_follow;
  no_follow.follow_backing = false;
  ExpectUsable(dir / "a.qcow2", no_follow);
}

TEST(HostileChain, TwoImageLoopMadeByQemuImgRebase) {
  TempDir dir;
  std::filesystem::copy_file(Bases::Get().Path("qemu512"), dir / "a.qcow2");
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -f qcow2 -o cluster_size=512 -b a.qcow2 -F qcow2 b.qcow2"
          " && qemu-img rebase -u -f qcow2 -b b.qcow2 -F qcow2 a.qcow2");
  ExpectLoop(dir / "a.qcow2");
  ExpectLoop(dir / "b.qcow2");
}

TEST(HostileChain, LoopsThroughOtherNamesForTheSameFile) {
  TempDir dir;
  // a -> ./a (absolute path), b -> link-to-b (symlink), c -> d -> hardlink-of-c.
  auto a = Mutate(dir, "empty512", "a", [&](Bytes& b, const Layout&) { SetBackingName(b, dir / "a"); });
  auto b = Mutate(dir, "empty512", "b", [](Bytes& b, const Layout&) { SetBackingName(b, "link-to-b"); });
  std::filesystem::create_symlink("b", dir / "link-to-b");
  auto c = Mutate(dir, "empty512", "c", [](Bytes& b, const Layout&) { SetBackingName(b, "d"); });
  Mutate(dir, "empty512", "d", [](Bytes& b, const Layout&) { SetBackingName(b, "sub/../hard-c"); });
  std::filesystem::create_directory(dir / "sub");
  std::filesystem::create_hard_link(dir / "c", dir / "hard-c");
  ExpectLoop(a);
  ExpectLoop(b);
  ExpectLoop(c);
  ExpectLoop(dir / "link-to-b");
}

TEST(HostileChain, LoopThroughRawFormatName) {
  // The loop is found even when a layer names the format "raw".
  TempDir dir;
  auto a = Mutate(dir, "qemu512", "a", [](Bytes& b, const Layout& l) {
    uint64_t p = l.header_length;
    PutExtension(b, p, kExtBackingFormat, 3, "raw");
    Put64(b, p, 0);
    SetBackingName(b, "a");
  });
  ExpectLoop(a);
}

// Writes a chain of `n` images: chain0 -> chain1 -> ... -> chain{n-1}, where
// the last is a copy of qemu512 and the others are empty; returns chain0.
std::string WriteChain(const TempDir& dir, int n) {
  const Bytes empty = Bases::Get().Load("empty512"), data = Bases::Get().Load("qemu512");
  for (int i = 0; i < n; ++i) {
    Bytes b = i + 1 < n ? empty : data;
    if (i + 1 < n) SetBackingName(b, "chain" + std::to_string(i + 1));
    testing::WriteFileAt(dir / ("chain" + std::to_string(i)), 0, b);
  }
  return dir / "chain0";
}

TEST(HostileChain, DeepChainReadsThroughEveryLayer) {
  TempDir dir;
  constexpr int kLayers = 200;
  auto top = WriteChain(dir, kLayers);
  auto disk = OpenDisk(top);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  ExpectUsable(top);
  Bytes data((*disk)->virtual_size());
  ASSERT_TRUE((*disk)->Read(0, data).ok());
  EXPECT_TRUE(data == Bases::Get().Contents("qemu512"));
  auto map = (*disk)->Map(0, (*disk)->virtual_size());
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ASSERT_FALSE(map->empty());
  EXPECT_EQ(map->front().kind, ExtentKind::kData);
  EXPECT_EQ(map->front().depth, kLayers - 1);
}

TEST(HostileChain, ChainLongerThanTheLimit) {
  TempDir dir;
  auto top = WriteChain(dir, 60);
  OpenOptions opts;
  opts.max_chain_length = 50;
  ExpectOpenFails(top, ErrorCode::kCorruption, "longer than 50", opts);
  opts.max_chain_length = 60;
  ExpectUsable(top, opts);
}

TEST(HostileChain, DefaultChainLimit) {
  // 1001 layers: one more than the default limit. The 1000 layers opened
  // before the refusal each hold a file descriptor.
  rlimit lim{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
  if (lim.rlim_cur < 1100 && lim.rlim_max >= 1100) {
    lim.rlim_cur = 1100;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < 1100) GTEST_SKIP() << "needs 1100 file descriptors, have " << lim.rlim_cur;
  TempDir dir;
  auto top = WriteChain(dir, 1001);
  ExpectOpenFails(top, ErrorCode::kCorruption, "longer than 1000");
  // At the limit it opens, and reads and maps through all 1000 layers
  // (recursively: this checks the stack holds).
  auto at_limit = dir / "chain1";
  ExpectUsable(at_limit);
  auto disk = OpenDisk(at_limit);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  Bytes data((*disk)->virtual_size());
  ASSERT_TRUE((*disk)->Read(0, data).ok());
  EXPECT_TRUE(data == Bases::Get().Contents("qemu512"));
}

// ---------------------------------------------------------------------------
// Size of the work.

TEST(HostileHuge, MapOfHugeSparseDiskIsFast) {
  // A 1 PiB disk made by qemu-img: 2048 L1 entries, all unallocated. Mapping
  // it must not walk its 2^29 clusters one by one.
  TempDir dir;
  MustRun("qemu-img create -q -f qcow2 -o cluster_size=2M " + Quote(dir / "huge.qcow2") + " 1P");
  auto disk = OpenDisk(dir / "huge.qcow2");
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  const uint64_t size = (*disk)->virtual_size();
  ASSERT_EQ(size, 1ull << 50);
  const auto start = std::chrono::steady_clock::now();
  auto map = (*disk)->Map(0, size);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ASSERT_EQ(map->size(), 1u);
  EXPECT_EQ(map->front(), (Extent{0, size, ExtentKind::kUnallocated, 0, false, 0}));
  // A guard against the per-cluster walk (111 s under ASan), not a speed
  // measurement: loose enough for a loaded machine (seen: 3.4 s under ASan).
  EXPECT_LT(seconds, 30.0);
  // A map starting and ending inside L2 ranges, and reads at the far end.
  auto part = (*disk)->Map(size - (5ull << 40) - 12345, 3ull << 40);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(*part, (std::vector<Extent>{{size - (5ull << 40) - 12345, 3ull << 40, ExtentKind::kUnallocated, 0, false, 0}}));
  EXPECT_TRUE(testing::Exercise(**disk, 1 << 20).ok());
}

TEST(HostileHuge, MapOfHugeSparseOverlayIsFast) {
  // The same through a backing chain: both layers skip their empty L1 ranges.
  TempDir dir;
  MustRun("qemu-img create -q -f qcow2 -o cluster_size=2M " + Quote(dir / "base.qcow2") + " 1P");
  MustRun("qemu-io -f qcow2 -c 'write -P 7 512T 4k' " + Quote(dir / "base.qcow2") + " >/dev/null");
  MustRun("cd " + Quote(dir.path().string()) +
          " && qemu-img create -q -f qcow2 -o cluster_size=2M -b base.qcow2 -F qcow2 top.qcow2");
  MustRun("qemu-io -f qcow2 -c 'write -P 8 1T 4k' " + Quote(dir / "top.qcow2") + " >/dev/null");
  auto disk = OpenDisk(dir / "top.qcow2");
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  const auto start = std::chrono::steady_clock::now();
  auto map = (*disk)->Map(0, (*disk)->virtual_size());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  // A guard against the per-cluster walk (111 s under ASan), not a speed
  // measurement: loose enough for a loaded machine (seen: 3.4 s under ASan).
  EXPECT_LT(seconds, 30.0);
  std::vector<std::pair<uint64_t, int>> data;
  for (const Extent& e : *map)
    if (e.kind == ExtentKind::kData) data.emplace_back(e.offset, e.depth);
  EXPECT_EQ(data, (std::vector<std::pair<uint64_t, int>>{{1ull << 40, 0}, {512ull << 40, 1}}));
}

// ---------------------------------------------------------------------------
// Random corruption of the metadata, with a fixed seed.

TEST(HostileMutation, RandomCorruptionOfMetadata) {
  TempDir dir;
  int opened = 0, refused = 0, failed_use = 0, iterations = 0;
  std::map<std::string, int> codes;
  for (const std::string& base : kAllBases) {
    const Bytes original = Bases::Get().Load(base);
    const Layout l = Inspect(original);
    std::mt19937_64 rng(0xca1f + std::hash<std::string>{}(base) % 1000);
    // The byte ranges worth hitting: header, L1, first L2, refcount table, anywhere.
    struct Region {
      uint64_t start, length;
      int weight;
    };
    std::vector<Region> regions = {{0, l.header_length + 16, 40},
                                   {l.l1_offset, 8ull * l.l1_size, 15},
                                   {l.refcount_offset, 64, 5},
                                   {0, original.size(), 10}};
    if (l.l2_offset) regions.push_back({*l.l2_offset, l.cluster_size, 30});
    int total_weight = 0;
    for (const auto& r : regions) total_weight += r.weight;
    static const uint64_t kInteresting[] = {0,       1,          511,        512,     4096,      1ull << 62,
                                            ~0ull,   1ull << 63, 0x7fffffff, 0x10000, kEntryOffsetMask};

    for (int iter = 0; iter < 100; ++iter, ++iterations) {
      Bytes b = original;
      const int edits = 1 + static_cast<int>(rng() % 6);
      for (int e = 0; e < edits; ++e) {
        int pick = static_cast<int>(rng() % total_weight);
        const Region* region = &regions.back();
        for (const auto& r : regions) {
          if (pick < r.weight) {
            region = &r;
            break;
          }
          pick -= r.weight;
        }
        const uint64_t pos = region->start + rng() % std::max<uint64_t>(region->length, 1);
        switch (rng() % 4) {
          case 0: b[pos % b.size()] ^= std::byte(1u << (rng() % 8)); break;
          case 1: b[pos % b.size()] = std::byte(rng()); break;
          case 2: Put64(b, (pos & ~7ull) % (b.size() - 8), kInteresting[rng() % std::size(kInteresting)]); break;
          case 3: Put32(b, (pos & ~3ull) % (b.size() - 4), static_cast<uint32_t>(rng())); break;
        }
      }
      if (rng() % 10 == 0) b.resize(rng() % b.size());
      const std::string path = dir / "mutant.qcow2";
      std::filesystem::remove(path);
      testing::WriteFileAt(path, 0, b);
      std::filesystem::resize_file(path, b.size());

      SCOPED_TRACE(base + " iteration " + std::to_string(iter));
      const auto start = std::chrono::steady_clock::now();
      Outcome o = ExpectNoCrash(path);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_LT(seconds, 20.0) << "hang guard: " << o.ToString();
      if (!o.opened()) {
        ++refused;
        codes[std::string(ErrorCodeName(o.open.code()))]++;
      } else {
        ++opened;
        if (!o.use.ok()) {
          ++failed_use;
          codes[std::string(ErrorCodeName(o.use.code()))]++;
        }
      }
    }
  }
  std::string summary;
  for (const auto& [code, n] : codes) summary += " " + code + "=" + std::to_string(n);
  std::cout << iterations << " mutants: " << refused << " refused at open, " << opened << " opened (" << failed_use
            << " of them failed to read);" << summary << "\n";
  // The mutations must reach both the header checks and the table checks.
  EXPECT_GT(refused, iterations / 10);
  EXPECT_GT(opened, iterations / 10);
  EXPECT_GT(failed_use, iterations / 20);
  if (!testing::LargestAllocation::Get()) std::cout << "(allocation sizes not checked: no sanitizer hooks)\n";
}

// ---------------------------------------------------------------------------
// The committed seed corpus (scripts/make-qcow2-corpus.sh): files named
// ok-* must read cleanly, bad-* must fail with a sensible error (at open or
// when read), any-* may do either.

TEST(HostileCorpus, SeedCorpusBehavesAsNamed) {
  const std::filesystem::path corpus = std::filesystem::path(CAIRN_TEST_DATA_DIR) / "corpus";
  ASSERT_TRUE(std::filesystem::is_directory(corpus)) << corpus;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || entry.path().extension() != ".qcow2") continue;
    ++count;
    SCOPED_TRACE(name);
    Outcome o = ExpectNoCrash(entry.path().string());
    if (name.starts_with("ok-")) {
      EXPECT_TRUE(o.opened() && o.use.ok()) << o.ToString();
    } else if (name.starts_with("bad-")) {
      EXPECT_FALSE(o.opened() && o.use.ok()) << "reads cleanly";
    } else {
      EXPECT_TRUE(name.starts_with("any-")) << "unexpected corpus file name";
    }
  }
  EXPECT_GE(count, 30);
}

}  // namespace
}  // namespace cairn::qcow2
