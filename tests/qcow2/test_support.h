// Helpers for the qcow2 tests: temporary directories, running qemu-img, and
// writing files with known content.
#pragma once

#include <gtest/gtest.h>

#include "support/command.h"
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace cairn::qcow2::testing {

using cairn::testing::CommandResult;
using cairn::testing::Quote;
using cairn::testing::Run;
using cairn::testing::TempDir;

// Deterministic pseudo-random bytes.
inline std::vector<std::byte> RandomBytes(size_t n, uint64_t seed) {
  std::vector<std::byte> v(n);
  std::mt19937_64 rng(seed);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x = rng();
    std::memcpy(v.data() + i, &x, 8);
  }
  for (; i < n; ++i) v[i] = std::byte(rng());
  return v;
}

// Compressible bytes: words from a small vocabulary.
inline std::vector<std::byte> TextBytes(size_t n, uint64_t seed) {
  static const char* words[] = {"cairn ", "backup ", "restore ", "qcow2 ", "cluster ", "snapshot ", "nova ", "\n"};
  std::vector<std::byte> v(n);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  size_t i = 0;
  while (i < n)
    for (const char* c = words[rng() % 8]; *c && i < n; ++c) v[i++] = std::byte(*c);
  return v;
}

inline void WriteFileAt(const std::string& path, uint64_t offset, const std::vector<std::byte>& data) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) f.open(path, std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline std::vector<std::byte> ReadWholeFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

// Asserts `qemu-img check` finds no error and no leak in `image`.
inline void ExpectQemuCheckClean(const std::string& image) {
  auto r = Run("qemu-img check " + Quote(image));
  EXPECT_EQ(r.exit_code, 0) << "qemu-img check " << image << ":\n" << r.output;
}

// Asserts `qemu-img compare` finds the two images' contents identical.
inline void ExpectQemuCompareEqual(const std::string& a, const std::string& b) {
  auto r = Run("qemu-img compare " + Quote(a) + " " + Quote(b));
  EXPECT_EQ(r.exit_code, 0) << "qemu-img compare " << a << " " << b << ":\n" << r.output;
}

}  // namespace cairn::qcow2::testing
