// ConvertDisk, CompareDisks and CheckImage, checked against qemu-img.
#include "qcow2/convert.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "qcow2/check.h"
#include "qcow2/compare.h"
#include "qcow2/open.h"
#include "test_support.h"

namespace cairn::qcow2 {
namespace {

using testing::ExpectQemuCheckClean;
using testing::ExpectQemuCompareEqual;
using testing::Quote;

using testing::TempDir;

void MustRun(const std::string& cmd) {
  auto r = testing::Run(cmd);
  ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
}

// A 6 MiB + 1 KiB raw source: text, random, an all-zero written range, holes.
void MakeSource(const std::string& path) {
  MustRun("truncate -s " + std::to_string(6 * 1024 * 1024 + 1024) + " " + Quote(path));
  testing::WriteFileAt(path, 4096, testing::TextBytes(700 * 1024, 1));
  testing::WriteFileAt(path, 2 * 1024 * 1024 + 100, testing::RandomBytes(300 * 1024, 2));
  testing::WriteFileAt(path, 3 * 1024 * 1024, std::vector<std::byte>(512 * 1024));  // written zeros
  testing::WriteFileAt(path, 6 * 1024 * 1024 - 10, testing::TextBytes(1034, 3));
}

struct ConvertCase {
  OutputFormat format;
  uint32_t cluster_size;
  std::optional<CompressionType> compression;
  int threads;
};

class ConvertTest : public ::testing::TestWithParam<ConvertCase> {};

TEST_P(ConvertTest, RawAndChainSourcesConvertExactly) {
  const ConvertCase& c = GetParam();
  TempDir dir;
  MakeSource(dir / "src.raw");
  // Also a chain: the source as a compressed base plus an overlay with writes.
  MustRun("qemu-img convert -f raw -O qcow2 -c " + Quote(dir / "src.raw") + " " + Quote(dir / "base.qcow2"));
  MustRun("cd " + Quote(dir.path().string()) + " && qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2");
  MustRun("qemu-io -c 'write -P 0x61 1m 100k' -c 'write -z 4096 64k' " + Quote(dir / "top.qcow2"));

  for (const std::string src : {"src.raw", "top.qcow2"}) {
    auto disk = OpenDisk(dir / src);
    ASSERT_TRUE(disk.ok()) << disk.status().ToString();
    ConvertOptions opts;
    opts.format = c.format;
    opts.cluster_size = c.cluster_size;
    opts.compression = c.compression;
    opts.threads = c.threads;
    uint64_t last_done = 0;
    std::mutex mu;
    opts.progress = [&](uint64_t done, uint64_t total) {
      std::lock_guard lock(mu);
      EXPECT_LE(done, total);
      last_done = std::max(last_done, done);
    };
    const std::string out = dir / (src + ".out");
    auto stats = ConvertDisk(**disk, out, opts);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(last_done, (*disk)->virtual_size());
    // The 512 KiB range of written zeros is not stored (it spans whole clusters
    // unless they are 2 MiB).
    if (c.cluster_size <= 65536) {
      EXPECT_GT(stats->zero_bytes_skipped, 0u);
    }
    EXPECT_FALSE(std::filesystem::exists(out + ".part"));
    if (c.format == OutputFormat::kQcow2) ExpectQemuCheckClean(out);
    ExpectQemuCompareEqual(out, dir / src);
    // Our own compare agrees, and our own check finds the output clean.
    auto converted = OpenDisk(out);
    ASSERT_TRUE(converted.ok());
    auto same = CompareDisks(**disk, **converted);
    ASSERT_TRUE(same.ok());
    EXPECT_TRUE(same->identical) << "first difference at " << same->first_difference;
    if (c.format == OutputFormat::kQcow2) {
      auto report = CheckImage(out);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      EXPECT_TRUE(report->clean()) << (report->messages.empty() ? "" : report->messages[0]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConvertTest,
    ::testing::Values(ConvertCase{OutputFormat::kQcow2, 65536, std::nullopt, 2},
                      ConvertCase{OutputFormat::kQcow2, 4096, std::nullopt, 1},
                      ConvertCase{OutputFormat::kQcow2, 2 * 1024 * 1024, std::nullopt, 3},
                      ConvertCase{OutputFormat::kQcow2, 65536, CompressionType::kZstd, 2},
                      ConvertCase{OutputFormat::kQcow2, 65536, CompressionType::kZlib, 2},
                      ConvertCase{OutputFormat::kRaw, 65536, std::nullopt, 2}),
    [](const auto& info) {
      const auto& c = info.param;
      std::string n = c.format == OutputFormat::kRaw ? "raw" : "qcow2_cs" + std::to_string(c.cluster_size);
      if (c.compression) n += *c.compression == CompressionType::kZstd ? "_zstd" : "_zlib";
      return n + "_t" + std::to_string(c.threads);
    });

TEST(ConvertTest, CancelLeavesNoOutput) {
  TempDir dir;
  MakeSource(dir / "src.raw");
  auto disk = OpenDisk(dir / "src.raw");
  ASSERT_TRUE(disk.ok());
  std::atomic<bool> cancel{true};
  ConvertOptions opts;
  opts.cancel = &cancel;
  auto stats = ConvertDisk(**disk, dir / "out.qcow2", opts);
  ASSERT_FALSE(stats.ok());
  EXPECT_TRUE(stats.status().IsCancelled());
  EXPECT_FALSE(std::filesystem::exists(dir / "out.qcow2"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out.qcow2.part"));
}

TEST(CompareTest, FindsFirstDifferenceAndSizeMismatch) {
  TempDir dir;
  MakeSource(dir / "a.raw");
  MustRun("cp " + Quote(dir / "a.raw") + " " + Quote(dir / "b.raw"));
  testing::WriteFileAt(dir / "b.raw", 5 * 1024 * 1024 + 77, std::vector<std::byte>{std::byte{1}});
  auto a = OpenDisk(dir / "a.raw");
  auto b = OpenDisk(dir / "b.raw");
  ASSERT_TRUE(a.ok() && b.ok());
  auto r = CompareDisks(**a, **b);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->identical);
  EXPECT_EQ(r->first_difference, 5u * 1024 * 1024 + 77);

  // A larger disk whose extra bytes are zero compares identical, with a size warning.
  MustRun("cp " + Quote(dir / "a.raw") + " " + Quote(dir / "c.raw") + " && truncate -s 8M " + Quote(dir / "c.raw"));
  auto c = OpenDisk(dir / "c.raw");
  ASSERT_TRUE(c.ok());
  r = CompareDisks(**a, **c);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->identical);
  EXPECT_TRUE(r->size_differs);
}

TEST(CheckTest, AgreesWithQemuOnQemuImages) {
  TempDir dir;
  MakeSource(dir / "src.raw");
  for (const std::string opts : {"", "-c", "-o refcount_bits=1", "-o refcount_bits=64,cluster_size=4096", "-o compat=0.10"}) {
    MustRun("qemu-img convert -f raw -O qcow2 " + opts + " " + Quote(dir / "src.raw") + " " + Quote(dir / "img.qcow2"));
    auto report = CheckImage(dir / "img.qcow2");
    ASSERT_TRUE(report.ok()) << opts << ": " << report.status().ToString();
    EXPECT_TRUE(report->clean()) << opts << ": " << (report->messages.empty() ? "" : report->messages[0]);
    EXPECT_GT(report->allocated_clusters, 0u);
  }
}

TEST(CheckTest, FindsLeaksAndCorruptionsThatQemuFinds) {
  TempDir dir;
  MakeSource(dir / "src.raw");
  MustRun("qemu-img convert -f raw -O qcow2 -o cluster_size=65536 " + Quote(dir / "src.raw") + " " + Quote(dir / "img.qcow2"));
  auto info = testing::Run("qemu-img check --output=json " + Quote(dir / "img.qcow2"));
  // Leak: append a cluster and give it a refcount by bumping the refcount
  // of a cluster past the image end. Simplest: copy, then raise the
  // refcount of the header cluster (a refcount too high is a leak).
  MustRun("cp " + Quote(dir / "img.qcow2") + " " + Quote(dir / "leak.qcow2"));
  // The refcount table offset is at header byte 48; its first block holds
  // the 16-bit refcount of cluster 0 at its start.
  auto bytes = testing::ReadWholeFile(dir / "leak.qcow2");
  uint64_t rt = 0;
  for (int i = 0; i < 8; ++i) rt = (rt << 8) | std::to_integer<uint64_t>(bytes[48 + i]);
  uint64_t rb = 0;
  for (int i = 0; i < 8; ++i) rb = (rb << 8) | std::to_integer<uint64_t>(bytes[rt + i]);
  testing::WriteFileAt(dir / "leak.qcow2", rb, {std::byte{0}, std::byte{2}});  // header refcount 1 -> 2
  auto r = CheckImage(dir / "leak.qcow2");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->leaks, 1u);
  EXPECT_EQ(r->corruptions, 0u);
  EXPECT_EQ(testing::Run("qemu-img check " + Quote(dir / "leak.qcow2")).exit_code, 3);

  // Corruption: refcount of the header cluster 0.
  testing::WriteFileAt(dir / "leak.qcow2", rb, {std::byte{0}, std::byte{0}});
  r = CheckImage(dir / "leak.qcow2");
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->corruptions, 1u);
  EXPECT_EQ(testing::Run("qemu-img check " + Quote(dir / "leak.qcow2")).exit_code, 2);
}

TEST(CairnImgTest, CommandLineWorksEndToEnd) {
  TempDir dir;
  MakeSource(dir / "src.raw");
  const std::string img = CAIRN_IMG_BINARY;
  MustRun(img + " convert -c " + Quote(dir / "src.raw") + " " + Quote(dir / "out.qcow2"));
  ExpectQemuCheckClean(dir / "out.qcow2");
  EXPECT_EQ(testing::Run(img + " check " + Quote(dir / "out.qcow2")).exit_code, 0);
  EXPECT_EQ(testing::Run(img + " compare " + Quote(dir / "src.raw") + " " + Quote(dir / "out.qcow2")).exit_code, 0);
  auto info = testing::Run(img + " info --output=json " + Quote(dir / "out.qcow2"));
  EXPECT_EQ(info.exit_code, 0);
  EXPECT_NE(info.output.find("\"compression-type\": \"zstd\""), std::string::npos) << info.output;
  auto map = testing::Run(img + " map --output=json " + Quote(dir / "out.qcow2"));
  EXPECT_EQ(map.exit_code, 0);
  EXPECT_NE(map.output.find("\"compressed\":true"), std::string::npos) << map.output;
  MustRun(img + " convert -O raw " + Quote(dir / "out.qcow2") + " " + Quote(dir / "back.raw"));
  EXPECT_EQ(testing::Run("cmp " + Quote(dir / "src.raw") + " " + Quote(dir / "back.raw")).exit_code, 0);
  testing::WriteFileAt(dir / "back.raw", 100, {std::byte{7}});
  EXPECT_EQ(testing::Run(img + " compare " + Quote(dir / "src.raw") + " " + Quote(dir / "back.raw")).exit_code, 1);
  // Bad input gets one clear line naming what is wrong.
  auto bad = testing::Run(img + " convert --cluster-size 3x " + Quote(dir / "src.raw") + " " + Quote(dir / "x"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("--cluster-size"), std::string::npos) << bad.output;
  auto missing = testing::Run(img + " info " + Quote(dir / "nope.qcow2"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("nope.qcow2"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace cairn::qcow2

namespace cairn::qcow2 {
namespace {

// Regression: restoring onto an existing disk (as onto a block device) must
// zero the ranges that read as zeros, not leave the old contents there.
TEST(ConvertTest, InPlaceOutputZeroesWhatReadsAsZero) {
  TempDir dir;
  MakeSource(dir / "src.raw");
  const uint64_t size = std::filesystem::file_size(dir / "src.raw");
  // An "old disk" full of non-zero bytes.
  testing::WriteFileAt(dir / "old.raw", 0, testing::RandomBytes(size, 99));
  auto disk = OpenDisk(dir / "src.raw");
  ASSERT_TRUE(disk.ok());
  ConvertOptions opts;
  opts.format = OutputFormat::kRaw;
  opts.write_in_place = true;
  auto stats = ConvertDisk(**disk, dir / "old.raw", opts);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(testing::Run("cmp " + Quote(dir / "src.raw") + " " + Quote(dir / "old.raw")).exit_code, 0);
  opts.format = OutputFormat::kQcow2;
  EXPECT_EQ(ConvertDisk(**disk, dir / "old.raw", opts).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace cairn::qcow2
