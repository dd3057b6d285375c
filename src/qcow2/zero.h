// Detection of all-zero buffers (sparse output never stores them).
#pragma once

#include <cstddef>
#include <cstring>
#include <span>

namespace cairn::qcow2 {

// True when every byte of `data` is zero. Fast on large buffers: compares
// the buffer with itself shifted by 16 bytes after checking the first 16.
inline bool IsAllZero(std::span<const std::byte> data) {
  const size_t n = data.size();
  const std::byte* p = data.data();
  if (n < 16) {
    for (size_t i = 0; i < n; ++i)
      if (p[i] != std::byte{0}) return false;
    return true;
  }
  static constexpr std::byte kZeros[16] = {};
  return std::memcmp(p, kZeros, 16) == 0 && std::memcmp(p, p + 16, n - 16) == 0;
}

}  // namespace cairn::qcow2
