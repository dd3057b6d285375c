#include "datamover/manifest.h"

#include <xxhash.h>

#include <cstring>
#include <map>
#include <mutex>

namespace cairn::datamover {
namespace {

constexpr char kMagic[8] = {'C', 'A', 'I', 'R', 'N', 'M', 'A', 'N'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kMaxJsonBytes = 1 << 20;
constexpr uint64_t kMaxVirtualSize = uint64_t{1} << 62;

void PutU32(std::vector<std::byte>& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(std::byte(v >> (8 * i)));
}
void PutU64(std::vector<std::byte>& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(std::byte(v >> (8 * i)));
}
uint64_t GetU(std::span<const std::byte> in, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | std::to_integer<uint64_t>(in[pos + i]);
  return v;
}

}  // namespace

Hash128 HashCluster(std::span<const std::byte> data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return Hash128{h.high64, h.low64};
}

Hash128 ZeroHash(uint64_t length) {
  static std::mutex mu;
  static std::map<uint64_t, Hash128> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(length);
  if (it != cache.end()) return it->second;
  std::vector<std::byte> zeros(length);
  Hash128 h = HashCluster(zeros);
  cache.emplace(length, h);
  return h;
}

std::string HashToHex(const Hash128& h) {
  char buf[33];
  snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high),
           static_cast<unsigned long long>(h.low));
  return buf;
}

uint64_t Manifest::ClusterLength(uint64_t index) const {
  const uint64_t start = index * cluster_size;
  return std::min<uint64_t>(cluster_size, virtual_size - start);
}

Result<std::vector<std::byte>> EncodeManifest(const Manifest& m) {
  if (m.cluster_size == 0 || (m.cluster_size & (m.cluster_size - 1)) != 0)
    return Status::InvalidArgument("manifest cluster size must be a power of two");
  if (m.hashes.size() != m.cluster_count())
    return Status::InvalidArgument("manifest has " + std::to_string(m.hashes.size()) + " checksums for " +
                                   std::to_string(m.cluster_count()) + " clusters");
  nlohmann::json header = m.info;
  header["virtual_size"] = m.virtual_size;
  header["cluster_size"] = m.cluster_size;
  header["hash"] = "xxh3-128";
  const std::string json = header.dump();
  if (json.size() > kMaxJsonBytes) return Status::InvalidArgument("manifest metadata too large");
  std::vector<std::byte> out;
  out.reserve(32 + json.size() + m.hashes.size() * 16);
  for (char c : kMagic) out.push_back(std::byte(c));
  PutU32(out, kVersion);
  PutU32(out, static_cast<uint32_t>(json.size()));
  for (char c : json) out.push_back(std::byte(c));
  while (out.size() % 8 != 0) out.push_back(std::byte{0});
  PutU64(out, m.hashes.size());
  for (const Hash128& h : m.hashes) {
    PutU64(out, h.high);
    PutU64(out, h.low);
  }
  PutU64(out, XXH3_64bits(out.data(), out.size()));
  return out;
}

Result<Manifest> DecodeManifest(std::span<const std::byte> in) {
  auto bad = [](const std::string& what) { return Status::Corruption("invalid manifest: " + what); };
  if (in.size() < 32) return bad("too short");
  if (std::memcmp(in.data(), kMagic, 8) != 0) return bad("bad magic");
  const uint64_t body = in.size() - 8;
  if (GetU(in, body, 8) != XXH3_64bits(in.data(), body)) return bad("checksum mismatch (truncated or damaged file)");
  if (GetU(in, 8, 4) != kVersion) return Status::NotSupported("manifest format version " + std::to_string(GetU(in, 8, 4)));
  const uint64_t json_len = GetU(in, 12, 4);
  if (json_len > kMaxJsonBytes || 16 + json_len > body) return bad("metadata length out of range");
  Manifest m;
  auto json = nlohmann::json::parse(reinterpret_cast<const char*>(in.data()) + 16,
                                    reinterpret_cast<const char*>(in.data()) + 16 + json_len, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return bad("metadata is not a JSON object");
  if (!json.contains("virtual_size") || !json["virtual_size"].is_number_unsigned() || !json.contains("cluster_size") ||
      !json["cluster_size"].is_number_unsigned())
    return bad("metadata lacks virtual_size or cluster_size");
  m.virtual_size = json["virtual_size"].get<uint64_t>();
  // As qcow2 headers are bounded; beyond it the cluster count would wrap.
  if (m.virtual_size > kMaxVirtualSize) return bad("virtual size out of range");
  const uint64_t cs = json["cluster_size"].get<uint64_t>();
  if (cs < 512 || cs > (1u << 21) || (cs & (cs - 1)) != 0) return bad("cluster size out of range");
  m.cluster_size = static_cast<uint32_t>(cs);
  m.info = std::move(json);
  uint64_t pos = (16 + json_len + 7) & ~7ull;
  if (pos + 8 > body) return bad("truncated before the checksums");
  const uint64_t count = GetU(in, pos, 8);
  pos += 8;
  if (count != m.cluster_count()) return bad("checksum count does not match the disk size");
  if (count > (body - pos) / 16 || pos + count * 16 != body) return bad("checksum table size mismatch");
  m.hashes.resize(count);
  for (uint64_t i = 0; i < count; ++i, pos += 16) m.hashes[i] = Hash128{GetU(in, pos, 8), GetU(in, pos + 8, 8)};
  return m;
}

}  // namespace cairn::datamover
