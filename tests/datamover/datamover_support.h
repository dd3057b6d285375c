// Helpers for the datamover tests: a disk that changes between snapshots,
// and the commands that check what the datamover wrote.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>

#include "support/command.h"
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace cairn::datamover::testing {

using cairn::testing::CommandResult;
using cairn::testing::Run;
using cairn::testing::TempDir;
inline std::string Q(const std::string& s) { return cairn::testing::Quote(s); }

inline void MustRun(const std::string& cmd) {
  auto r = Run(cmd);
  ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
}

// A raw disk file that the tests change the way a guest would: random
// writes, ranges overwritten with zeros, and discards (punched holes).
class ChangingDisk {
 public:
  ChangingDisk(std::string path, uint64_t size, uint64_t seed) : path_(std::move(path)), size_(size), rng_(seed) {
    int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
    EXPECT_GE(fd, 0);
    EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    ::close(fd);
  }
  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // `writes` random writes of 1 to 300 KiB of random or text-like bytes.
  void RandomWrites(int writes) {
    for (int i = 0; i < writes; ++i) {
      uint64_t len = 1 + rng_() % (300 * 1024);
      uint64_t off = rng_() % (size_ - len);
      std::vector<char> data(len);
      const bool text = rng_() % 2;
      for (auto& c : data) c = text ? "cairn backup "[rng_() % 13] : static_cast<char>(rng_());
      Pwrite(off, data);
    }
  }
  // Overwrites a range with zero bytes.
  void ZeroRange(uint64_t off, uint64_t len) { Pwrite(off, std::vector<char>(len, 0)); }
  // Punches a hole (a discard).
  void Discard(uint64_t off, uint64_t len) {
    int fd = ::open(path_.c_str(), O_RDWR);
    EXPECT_EQ(::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off), static_cast<off_t>(len)), 0);
    ::close(fd);
  }
  // Copies the current contents to `to` (what the disk was at a snapshot).
  void SaveAs(const std::string& to) const { MustRun("cp --sparse=always " + Q(path_) + " " + Q(to)); }

 private:
  void Pwrite(uint64_t off, const std::vector<char>& data) {
    int fd = ::open(path_.c_str(), O_RDWR);
    EXPECT_EQ(::pwrite(fd, data.data(), data.size(), static_cast<off_t>(off)), static_cast<ssize_t>(data.size()));
    ::close(fd);
  }
  std::string path_;
  uint64_t size_;
  std::mt19937_64 rng_;
};

// Expects `qemu-img check` to find no error and no leak.
inline void ExpectQemuCheckClean(const std::string& image) {
  auto r = Run("qemu-img check " + Q(image));
  EXPECT_EQ(r.exit_code, 0) << "qemu-img check " << image << "\n" << r.output;
}

// Expects qemu-img to read `image` (with its chain) as exactly `raw`: the raw
// conversion of the image equals the file byte for byte.
inline void ExpectQemuReadsAs(const std::string& image, const std::string& raw, const std::string& scratch) {
  MustRun("qemu-img convert -O raw " + Q(image) + " " + Q(scratch));
  // The image's size is the disk's rounded up to 512: compare the disk's bytes.
  auto size = std::filesystem::file_size(raw);
  MustRun("truncate -s " + std::to_string(size) + " " + Q(scratch));
  auto r = Run("cmp " + Q(scratch) + " " + Q(raw));
  EXPECT_EQ(r.exit_code, 0) << image << " does not read as " << raw << ": " << r.output;
}

inline bool SameFiles(const std::string& a, const std::string& b) { return Run("cmp " + Q(a) + " " + Q(b)).exit_code == 0; }

}  // namespace cairn::datamover::testing
