#include "common/uuid.h"

#include <random>

#include "common/strings.h"

namespace cairn {
namespace {

constexpr size_t kTextLength = 36;

bool IsDashPosition(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::Random() noexcept {
  // libstdc++ reads the kernel's CSPRNG (getrandom, /dev/urandom or RDRAND).
  thread_local std::random_device device;
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    const uint32_t word = device();
    for (size_t j = 0; j < 4; ++j) bytes[i + j] = static_cast<uint8_t>(word >> (8 * j));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return Uuid(bytes);
}

Result<Uuid> Uuid::Parse(std::string_view text) {
  const auto invalid = [&] {
    return Status::InvalidArgument(Quoted(text) + " is not a UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
  };
  if (text.size() != kTextLength) return invalid();
  std::array<uint8_t, 16> bytes{};
  size_t nibble = 0;
  for (size_t i = 0; i < kTextLength; ++i) {
    if (IsDashPosition(i)) {
      if (text[i] != '-') return invalid();
      continue;
    }
    const int value = HexValue(text[i]);
    if (value < 0) return invalid();
    bytes[nibble / 2] = static_cast<uint8_t>(bytes[nibble / 2] | (value << (nibble % 2 == 0 ? 4 : 0)));
    ++nibble;
  }
  return Uuid(bytes);
}

bool Uuid::IsValid(std::string_view text) { return Parse(text).ok(); }

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(kTextLength);
  for (size_t i = 0; i < bytes_.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes_[i] >> 4];
    out += kHex[bytes_[i] & 0x0F];
  }
  return out;
}

}  // namespace cairn
