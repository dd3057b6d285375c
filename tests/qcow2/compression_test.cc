#include "qcow2/compression.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace cairn::qcow2 {
namespace {

std::vector<std::byte> TextLike(size_t n) {
  std::vector<std::byte> v(n);
  const char* words[] = {"cairn ", "backup ", "qcow2 ", "cluster ", "snapshot "};
  size_t i = 0, w = 0;
  while (i < n) {
    for (const char* c = words[w++ % 5]; *c && i < n; ++c) v[i++] = std::byte(*c);
  }
  return v;
}

class CompressionTest : public ::testing::TestWithParam<CompressionType> {};

TEST_P(CompressionTest, RoundTripsCompressibleData) {
  auto in = TextLike(65536);
  std::vector<std::byte> packed(in.size());
  auto n = CompressCluster(GetParam(), 0, in, packed);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_GT(*n, 0u);
  ASSERT_LT(*n, in.size() / 4);
  // Trailing garbage after the stream (sector padding) must be ignored.
  packed.resize(*n + 300, std::byte{0x5a});
  std::vector<std::byte> out(in.size());
  ASSERT_TRUE(DecompressCluster(GetParam(), packed, out).ok());
  EXPECT_EQ(in, out);
}

TEST_P(CompressionTest, IncompressibleDataIsNotStored) {
  std::vector<std::byte> in(65536);
  std::mt19937_64 rng(7);
  for (auto& b : in) b = std::byte(rng());
  std::vector<std::byte> packed(in.size() - 1);
  auto n = CompressCluster(GetParam(), 0, in, packed);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST_P(CompressionTest, GarbageIsCorruptionNotCrash) {
  std::vector<std::byte> garbage(100, std::byte{0xff});
  std::vector<std::byte> out(65536);
  Status s = DecompressCluster(GetParam(), garbage, out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // A valid stream that is too short for the cluster is corruption too.
  auto in = TextLike(4096);
  std::vector<std::byte> packed(in.size());
  auto n = CompressCluster(GetParam(), 0, in, packed);
  ASSERT_TRUE(n.ok());
  packed.resize(*n);
  EXPECT_TRUE(DecompressCluster(GetParam(), packed, out).IsCorruption());
}

INSTANTIATE_TEST_SUITE_P(Types, CompressionTest,
                         ::testing::Values(CompressionType::kZlib, CompressionType::kZstd),
                         [](const auto& info) { return info.param == CompressionType::kZlib ? "zlib" : "zstd"; });

}  // namespace
}  // namespace cairn::qcow2
