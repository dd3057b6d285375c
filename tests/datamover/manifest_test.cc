#include "datamover/manifest.h"

#include <gtest/gtest.h>
#include <xxhash.h>

namespace cairn::datamover {
namespace {

Manifest Sample() {
  Manifest m;
  m.virtual_size = 3 * 65536 + 1000;
  m.cluster_size = 65536;
  m.info["image"] = "d1";
  for (uint64_t i = 0; i < m.cluster_count(); ++i) m.hashes.push_back(Hash128{i, ~i});
  return m;
}

TEST(ManifestTest, RoundTrips) {
  auto bytes = EncodeManifest(Sample());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto m = DecodeManifest(*bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->virtual_size, Sample().virtual_size);
  EXPECT_EQ(m->cluster_count(), 4u);
  EXPECT_EQ(m->ClusterLength(3), 1000u);
  EXPECT_EQ(m->hashes, Sample().hashes);
  EXPECT_EQ(m->info["image"], "d1");
}

TEST(ManifestTest, DamageIsCorruption) {
  auto bytes = *EncodeManifest(Sample());
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    auto m = DecodeManifest(std::span(bytes).first(cut));
    EXPECT_TRUE(m.status().IsCorruption()) << cut;
  }
  for (size_t i = 0; i < bytes.size(); i += 7) {
    auto copy = bytes;
    copy[i] ^= std::byte{0x40};
    EXPECT_FALSE(DecodeManifest(copy).ok()) << i;
  }
}

// A manifest is read from the target, which anyone with write access may
// have rewritten (recomputing the trailing checksum is easy). A virtual size
// near 2^64 made the cluster count wrap to zero, so a manifest of 16 EiB with
// no checksums was accepted (found writing the checks of fuzz/manifest_fuzz.cc,
// which then aborts on it).
TEST(ManifestTest, AVirtualSizeWhoseClusterCountWrapsIsCorruption) {
  for (uint64_t size : {~uint64_t{0}, ~uint64_t{0} - 510}) {
    Manifest m;
    m.virtual_size = size;
    m.cluster_size = 512;
    const std::string header = nlohmann::json{{"virtual_size", size}, {"cluster_size", 512}}.dump();
    std::vector<std::byte> bytes;
    auto put = [&](uint64_t v, int n) {
      for (int i = n - 1; i >= 0; --i) bytes.push_back(std::byte(v >> (8 * i)));
    };
    for (char c : std::string("CAIRNMAN")) bytes.push_back(std::byte(c));
    put(1, 4);
    put(header.size(), 4);
    for (char c : header) bytes.push_back(std::byte(c));
    while (bytes.size() % 8 != 0) bytes.push_back(std::byte{0});
    put(m.cluster_count(), 8);  // what the decoder computed: 0 when it wraps
    put(XXH3_64bits(bytes.data(), bytes.size()), 8);
    auto decoded = DecodeManifest(bytes);
    EXPECT_TRUE(decoded.status().IsCorruption()) << size << ": " << decoded.status().ToString();
  }
}

TEST(ManifestTest, RejectsWrongHashCount) {
  Manifest m = Sample();
  m.hashes.pop_back();
  EXPECT_EQ(EncodeManifest(m).status().code(), ErrorCode::kInvalidArgument);
}

TEST(ManifestTest, HashesDiffer) {
  std::vector<std::byte> a(4096), b(4096);
  b[100] = std::byte{1};
  EXPECT_EQ(HashCluster(a), ZeroHash(4096));
  EXPECT_NE(HashCluster(b), ZeroHash(4096));
  EXPECT_NE(ZeroHash(4096), ZeroHash(4095));
  EXPECT_EQ(HashToHex(Hash128{1, 2}), "00000000000000010000000000000002");
}

}  // namespace
}  // namespace cairn::datamover
