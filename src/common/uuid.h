// Uuid: a 128-bit identifier in the canonical form OpenStack uses for
// instances, volumes, snapshots: lower-case hex "8-4-4-4-12".
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

class Uuid {
 public:
  // The nil UUID, 00000000-0000-0000-0000-000000000000.
  Uuid() = default;
  explicit Uuid(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}

  // A random (version 4, RFC 4122 variant) UUID from std::random_device, the
  // operating system's entropy source, read afresh for every call (so forked
  // processes do not repeat each other). Thread safe. Terminates the process
  // if the system has no entropy source at all (std::random_device throws).
  static Uuid Random() noexcept;

  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (hex digits in either case).
  // Anything else (no dashes, braces, "urn:uuid:", spaces) is InvalidArgument.
  static Result<Uuid> Parse(std::string_view text);
  // True when Parse would succeed.
  static bool IsValid(std::string_view text);

  // The canonical lower-case form; Parse(ToString()) gives the same Uuid.
  std::string ToString() const;
  bool IsNil() const { return *this == Uuid(); }
  // The version nibble (4 for Random()).
  int version() const { return bytes_[6] >> 4; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  // Ordered as the canonical strings are.
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend std::strong_ordering operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace cairn

// So Uuid can key unordered containers.
template <>
struct std::hash<cairn::Uuid> {
  size_t operator()(const cairn::Uuid& id) const noexcept {
    uint64_t h = 0;
    for (uint8_t b : id.bytes()) h = h * 131 + b;  // a polynomial hash of the 16 bytes
    return static_cast<size_t>(h);
  }
};
