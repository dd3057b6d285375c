// Images made by QEMU read back exactly as `qemu-img convert -O raw` reads
// them, and map as `qemu-img map` maps them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "qcow2/image.h"
#include "qcow2/open.h"
#include "test_support.h"

namespace cairn::qcow2 {
namespace {

using testing::Quote;
using testing::Run;
using testing::TempDir;

void MustRun(const std::string& cmd) {
  auto r = Run(cmd);
  ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
}

// Reads the whole disk with our reader, in odd-sized chunks to cross
// cluster boundaries.
std::vector<std::byte> ReadAll(const Disk& disk) {
  std::vector<std::byte> out(disk.virtual_size());
  const uint64_t chunk = 3 * 65536 + 4096 + 512;
  for (uint64_t off = 0; off < out.size(); off += chunk) {
    const uint64_t n = std::min<uint64_t>(chunk, out.size() - off);
    Status s = disk.Read(off, std::span(out).subspan(off, n));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  return out;
}

// Expects our reader to produce exactly what qemu-img converts to raw.
void ExpectReadsLikeQemu(const std::string& image, const TempDir& dir) {
  const std::string raw = dir / "qemu.raw";
  MustRun("qemu-img convert -O raw " + Quote(image) + " " + Quote(raw));
  auto disk = OpenDisk(image);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  auto expected = testing::ReadWholeFile(raw);
  ASSERT_EQ((*disk)->virtual_size(), expected.size());
  auto ours = ReadAll(**disk);
  ASSERT_EQ(ours.size(), expected.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    if (ours[i] != expected[i]) {
      FAIL() << image << ": first difference at byte " << i;
    }
  }
}

// Per 512-byte sector: "data@depth", "zero@depth" or "none@depth".
std::vector<std::string> QemuMapSectors(const std::string& image, uint64_t size) {
  std::vector<std::string> sectors(size / 512);
  auto r = Run("qemu-img map --output=json " + Quote(image));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const auto& e : nlohmann::json::parse(r.output)) {
    std::string kind = e["data"].get<bool>() ? "data" : (e["present"].get<bool>() ? "zero" : "none");
    std::string label = kind + "@" + std::to_string(e["depth"].get<int>());
    for (uint64_t s = e["start"].get<uint64_t>() / 512; s < (e["start"].get<uint64_t>() + e["length"].get<uint64_t>()) / 512; ++s)
      sectors[s] = label;
  }
  return sectors;
}

std::vector<std::string> OurMapSectors(const Disk& disk) {
  std::vector<std::string> sectors(disk.virtual_size() / 512);
  auto extents = disk.Map(0, disk.virtual_size());
  EXPECT_TRUE(extents.ok()) << extents.status().ToString();
  uint64_t expect_next = 0;
  for (const auto& e : *extents) {
    EXPECT_EQ(e.offset, expect_next) << "extents must be contiguous";
    expect_next = e.end();
    std::string kind = e.kind == ExtentKind::kData ? "data" : e.kind == ExtentKind::kZero ? "zero" : "none";
    for (uint64_t s = e.offset / 512; s < e.end() / 512; ++s) sectors[s] = kind + "@" + std::to_string(e.depth);
  }
  EXPECT_EQ(expect_next, disk.virtual_size());
  return sectors;
}

void ExpectMapsLikeQemu(const std::string& image) {
  auto disk = OpenDisk(image);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  auto theirs = QemuMapSectors(image, (*disk)->virtual_size());
  auto ours = OurMapSectors(**disk);
  ASSERT_EQ(theirs.size(), ours.size());
  for (size_t s = 0; s < ours.size(); ++s) {
    if (ours[s] != theirs[s]) {
      FAIL() << image << ": sector " << s << " (offset " << s * 512 << ") maps as " << ours[s] << ", qemu says " << theirs[s];
    }
  }
}

// A raw file with text, random data and holes.
void MakeSourceRaw(const std::string& path, uint64_t size) {
  MustRun("truncate -s " + std::to_string(size) + " " + Quote(path));
  testing::WriteFileAt(path, 0, testing::TextBytes(300 * 1024, 1));
  testing::WriteFileAt(path, size / 3, testing::RandomBytes(200 * 1024 + 333, 2));
  testing::WriteFileAt(path, size - 70000, testing::TextBytes(70000, 3));
}

class QemuImageTest : public ::testing::TestWithParam<std::string> {};

// Each parameter is the option string for `qemu-img convert`.
TEST_P(QemuImageTest, ConvertedImagesReadBackExactly) {
  TempDir dir;
  MakeSourceRaw(dir / "src.raw", 5 * 1024 * 1024 + 512 * 3);
  MustRun("qemu-img convert -f raw -O qcow2 " + GetParam() + " " + Quote(dir / "src.raw") + " " + Quote(dir / "img.qcow2"));
  ExpectReadsLikeQemu(dir / "img.qcow2", dir);
  ExpectMapsLikeQemu(dir / "img.qcow2");
}

INSTANTIATE_TEST_SUITE_P(Options, QemuImageTest,
                         ::testing::Values("", "-o cluster_size=4096", "-o cluster_size=2M", "-o cluster_size=512",
                                           "-c", "-c -o compression_type=zstd", "-c -o cluster_size=4096",
                                           "-c -o compression_type=zstd,cluster_size=2M", "-o compat=0.10",
                                           "-c -o compat=0.10", "-o refcount_bits=1", "-o refcount_bits=64",
                                           "-o lazy_refcounts=on"),
                         [](const auto& info) {
                           std::string n = "opt" + std::to_string(info.index);
                           return n;
                         });

TEST(QemuChainTest, OverlaysWithWritesAndZeroesReadBackExactly) {
  TempDir dir;
  // base (compressed zstd, 4K clusters) <- mid (64K) <- top (64K, zero writes)
  MakeSourceRaw(dir / "src.raw", 4 * 1024 * 1024);
  MustRun("qemu-img convert -f raw -O qcow2 -c -o compression_type=zstd,cluster_size=4096 " + Quote(dir / "src.raw") +
          " " + Quote(dir / "base.qcow2"));
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 mid.qcow2");
  MustRun("qemu-io -c 'write -P 0x41 100k 200k' -c 'write -z 0 64k' -c 'write -P 0x42 3m 4k' " + Quote(dir / "mid.qcow2"));
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -f qcow2 -b mid.qcow2 -F qcow2 top.qcow2 6M");
  MustRun("qemu-io -c 'write -z 128k 256k' -c 'write -P 0x43 5m 64k' -c 'write -z 3m 64k' " + Quote(dir / "top.qcow2"));
  ExpectReadsLikeQemu(dir / "top.qcow2", dir);
  ExpectMapsLikeQemu(dir / "top.qcow2");
  ExpectReadsLikeQemu(dir / "mid.qcow2", dir);
  ExpectMapsLikeQemu(dir / "mid.qcow2");
}

TEST(QemuChainTest, RawBackingFileAndShortBacking) {
  TempDir dir;
  MakeSourceRaw(dir / "base.raw", 1024 * 1024);
  // The overlay is larger than its backing file: the rest reads as zeros.
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -f qcow2 -b base.raw -F raw top.qcow2 3M");
  MustRun("qemu-io -c 'write -P 0x55 512k 64k' -c 'write -P 0x56 2m 64k' " + Quote(dir / "top.qcow2"));
  ExpectReadsLikeQemu(dir / "top.qcow2", dir);
}

TEST(QemuChainTest, DeepChainReadsAndMaps) {
  TempDir dir;
  MustRun("qemu-img create -q -f qcow2 -o cluster_size=4096 " + Quote(dir / "l0") + " 1M");
  MustRun("qemu-io -c 'write -P 1 0 1M' " + Quote(dir / "l0"));
  for (int i = 1; i <= 20; ++i) {
    std::string prev = "l" + std::to_string(i - 1), cur = "l" + std::to_string(i);
    MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -f qcow2 -o cluster_size=4096 -b " + prev +
            " -F qcow2 " + cur);
    MustRun("qemu-io -c 'write -P " + std::to_string(i + 1) + " " + std::to_string(i * 40) + "k 4k' " + Quote(dir / cur));
  }
  ExpectReadsLikeQemu(dir / "l20", dir);
  ExpectMapsLikeQemu(dir / "l20");
}

TEST(QemuChainTest, MissingBackingFileIsNotFound) {
  TempDir dir;
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -u -f qcow2 -b gone.qcow2 -F qcow2 top.qcow2 1M");
  auto disk = OpenDisk(dir / "top.qcow2");
  ASSERT_FALSE(disk.ok());
  EXPECT_TRUE(disk.status().IsNotFound()) << disk.status().ToString();
  EXPECT_NE(disk.status().message().find("gone.qcow2"), std::string::npos);
  // Without following the chain it opens.
  OpenOptions opts;
  opts.follow_backing = false;
  EXPECT_TRUE(OpenDisk(dir / "top.qcow2", opts).ok());
}

TEST(QemuChainTest, ResolveBackingPath) {
  EXPECT_EQ(ResolveBackingPath("/a/b/img", "base"), "/a/b/base");
  EXPECT_EQ(ResolveBackingPath("/a/b/img", "../c/base"), "/a/b/../c/base");
  EXPECT_EQ(ResolveBackingPath("/a/b/img", "/abs/base"), "/abs/base");
  EXPECT_EQ(ResolveBackingPath("img", "base"), "base");
}

}  // namespace
}  // namespace cairn::qcow2
