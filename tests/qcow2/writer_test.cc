#include "qcow2/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "common/file.h"
#include "qcow2/open.h"
#include "test_support.h"

namespace cairn::qcow2 {
namespace {

using testing::ExpectQemuCheckClean;
using testing::ExpectQemuCompareEqual;
using testing::TempDir;

struct Scenario {
  uint32_t cluster_size;
  uint64_t virtual_size;
  std::optional<CompressionType> compression;
  int threads;
};

std::string ScenarioName(const ::testing::TestParamInfo<Scenario>& info) {
  const auto& s = info.param;
  std::string c = !s.compression ? "plain" : (*s.compression == CompressionType::kZstd ? "zstd" : "zlib");
  return "cs" + std::to_string(s.cluster_size) + "_size" + std::to_string(s.virtual_size) + "_" + c + "_t" +
         std::to_string(s.threads);
}

// What one guest cluster holds in a scenario: chosen by index.
enum class Fill { kRandom, kText, kHole, kZeroFlag, kZeroBytes };
Fill FillFor(uint64_t index) {
  switch ((index * 7 + 3) % 11) {
    case 0: case 1: case 2: return Fill::kRandom;
    case 3: case 4: case 5: return Fill::kText;
    case 6: case 7: return Fill::kHole;
    case 8: case 9: return Fill::kZeroFlag;
    default: return Fill::kZeroBytes;
  }
}

std::vector<std::byte> ClusterData(uint64_t index, size_t len) {
  if (FillFor(index) == Fill::kRandom) return testing::RandomBytes(len, index);
  if (FillFor(index) == Fill::kText) return testing::TextBytes(len, index);
  return std::vector<std::byte>(len);
}

class WriterScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(WriterScenarioTest, QemuAcceptsAndReadsWhatWeWrote) {
  const Scenario& sc = GetParam();
  TempDir dir;
  const std::string image = dir / "out.qcow2", expected = dir / "expected.raw";

  WriterOptions opts;
  opts.virtual_size = sc.virtual_size;
  opts.cluster_size = sc.cluster_size;
  opts.compression = sc.compression;
  auto file = OpenPosixFile(image, OpenMode::kCreateTruncate);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto writer = ImageWriter::Create(std::move(*file), opts);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ImageWriter& w = **writer;

  // The reference raw image, and the clusters in a shuffled order split over threads.
  std::vector<std::byte> reference(sc.virtual_size);
  std::vector<uint64_t> order(w.cluster_count());
  for (uint64_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    const uint64_t off = i * sc.cluster_size;
    const size_t len = std::min<uint64_t>(sc.cluster_size, sc.virtual_size - off);
    auto data = ClusterData(i, len);
    std::copy(data.begin(), data.end(), reference.begin() + off);
  }
  std::shuffle(order.begin(), order.end(), std::mt19937(42));

  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int t = 0; t < sc.threads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t k = t; k < order.size(); k += sc.threads) {
        const uint64_t i = order[k];
        const uint64_t off = i * sc.cluster_size;
        const size_t len = std::min<uint64_t>(sc.cluster_size, sc.virtual_size - off);
        Status s;
        switch (FillFor(i)) {
          case Fill::kHole: continue;
          case Fill::kZeroFlag: s = w.WriteZeroClusters(i, 1); break;
          default: s = w.WriteCluster(i, ClusterData(i, len)); break;
        }
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failed = true;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  auto stats = w.Finish();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  if (sc.compression) {
    EXPECT_GT(stats->compressed_clusters, 0u);
  }

  testing::WriteFileAt(expected, 0, reference);
  ExpectQemuCheckClean(image);
  ExpectQemuCompareEqual(image, expected);

  // Our reader agrees.
  auto disk = OpenDisk(image);
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  const uint64_t rounded = (sc.virtual_size + 511) / 512 * 512;
  ASSERT_EQ((*disk)->virtual_size(), rounded);
  std::vector<std::byte> back(rounded);
  ASSERT_TRUE((*disk)->Read(0, back).ok());
  reference.resize(rounded);
  EXPECT_TRUE(back == reference);
}

INSTANTIATE_TEST_SUITE_P(
    Images, WriterScenarioTest,
    ::testing::Values(Scenario{65536, 8 * 1024 * 1024, std::nullopt, 1},
                      Scenario{65536, 8 * 1024 * 1024 + 12345, std::nullopt, 3},
                      Scenario{4096, 3 * 1024 * 1024 + 511, std::nullopt, 2},
                      Scenario{512, 300 * 1024 + 7, std::nullopt, 2},
                      Scenario{2 * 1024 * 1024, 9 * 1024 * 1024 + 4097, std::nullopt, 2},
                      Scenario{65536, 8 * 1024 * 1024 + 999, CompressionType::kZstd, 3},
                      Scenario{65536, 8 * 1024 * 1024, CompressionType::kZlib, 2},
                      Scenario{4096, 2 * 1024 * 1024 + 100, CompressionType::kZstd, 2},
                      Scenario{2 * 1024 * 1024, 7 * 1024 * 1024 + 1, CompressionType::kZstd, 2},
                      Scenario{65536, 0, std::nullopt, 1}),
    ScenarioName);

// Writes `clusters` (index → byte value, 0 = zero flag) into a new image.
void WriteImage(const std::string& path, const WriterOptions& opts, const std::vector<std::pair<uint64_t, int>>& clusters) {
  auto file = OpenPosixFile(path, OpenMode::kCreateTruncate);
  ASSERT_TRUE(file.ok());
  auto writer = ImageWriter::Create(std::move(*file), opts);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  for (auto [index, value] : clusters) {
    if (value == 0) {
      ASSERT_TRUE((*writer)->WriteZeroClusters(index, 1).ok());
    } else {
      std::vector<std::byte> data(opts.cluster_size, std::byte(value));
      ASSERT_TRUE((*writer)->WriteClusters(index, data).ok());
    }
  }
  ASSERT_TRUE((*writer)->Finish().ok());
}

TEST(WriterTest, IncrementalOverBackingFileWithRelativeName) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "snap1");
  std::filesystem::create_directories(dir.path() / "snap2");
  WriterOptions base;
  base.virtual_size = 1 << 20;
  base.cluster_size = 65536;
  WriteImage(dir / "snap1/disk", base, {{0, 1}, {1, 2}, {2, 3}, {5, 4}});
  WriterOptions inc = base;
  inc.backing_file = "../snap1/disk";
  inc.backing_format = "qcow2";
  // Cluster 1 changes, cluster 2 becomes zeros (must hide the base), 7 is new.
  WriteImage(dir / "snap2/disk", inc, {{1, 9}, {2, 0}, {7, 8}});
  ExpectQemuCheckClean(dir / "snap2/disk");

  std::vector<std::byte> expected(1 << 20);
  auto fill = [&](uint64_t index, int v) { std::fill_n(expected.begin() + index * 65536, 65536, std::byte(v)); };
  fill(0, 1); fill(1, 9); fill(5, 4); fill(7, 8);
  testing::WriteFileAt(dir / "expected.raw", 0, expected);
  ExpectQemuCompareEqual(dir / "snap2/disk", dir / "expected.raw");
  auto info = testing::Run("qemu-img info --output=json " + (dir / "snap2/disk"));
  EXPECT_NE(info.output.find("\"backing-filename\": \"../snap1/disk\""), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("\"backing-filename-format\": \"qcow2\""), std::string::npos) << info.output;

  // The chain still reads after the target directory moves.
  std::filesystem::rename(dir.path(), dir.path().string() + ".moved");
  std::filesystem::rename(dir.path().string() + ".moved", dir.path());
  auto disk = OpenDisk(dir / "snap2/disk");
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  std::vector<std::byte> back(1 << 20);
  ASSERT_TRUE((*disk)->Read(0, back).ok());
  EXPECT_TRUE(back == expected);
}

TEST(WriterTest, RewrittenClusterKeepsLatestDataAndStaysClean) {
  TempDir dir;
  WriterOptions opts;
  opts.virtual_size = 4 * 65536;
  WriteImage(dir / "img", opts, {{0, 1}, {0, 2}, {1, 3}, {1, 0}});
  ExpectQemuCheckClean(dir / "img");
  auto disk = OpenDisk(dir / "img");
  ASSERT_TRUE(disk.ok());
  std::vector<std::byte> back(2 * 65536);
  ASSERT_TRUE((*disk)->Read(0, back).ok());
  EXPECT_EQ(back[0], std::byte(2));
  EXPECT_EQ(back[65536], std::byte(0));
}

TEST(WriterTest, RejectsBadOptionsAndRanges) {
  TempDir dir;
  auto file = OpenPosixFile(dir / "img", OpenMode::kCreateTruncate);
  ASSERT_TRUE(file.ok());
  WriterOptions opts;
  opts.virtual_size = 1 << 20;
  opts.cluster_size = 3000;
  EXPECT_EQ(ImageWriter::Create(std::move(*file), opts).status().code(), ErrorCode::kInvalidArgument);

  file = OpenPosixFile(dir / "img", OpenMode::kCreateTruncate);
  opts.cluster_size = 512;
  opts.backing_file = std::string(600, 'a');
  EXPECT_EQ(ImageWriter::Create(std::move(*file), opts).status().code(), ErrorCode::kInvalidArgument);

  file = OpenPosixFile(dir / "img", OpenMode::kCreateTruncate);
  opts.cluster_size = 65536;
  opts.backing_file.clear();
  auto w = ImageWriter::Create(std::move(*file), opts);
  ASSERT_TRUE(w.ok());
  std::vector<std::byte> cluster(65536);
  EXPECT_EQ((*w)->WriteClusters(16, cluster).code(), ErrorCode::kOutOfRange);
  EXPECT_EQ((*w)->WriteClusters(3, std::span(cluster).first(100)).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*w)->Finish().ok());
  EXPECT_FALSE((*w)->WriteClusters(0, cluster).ok());
}

}  // namespace
}  // namespace cairn::qcow2
