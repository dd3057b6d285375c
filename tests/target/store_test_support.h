// Shared fixture of the POSIX store tests: a fresh store root per test, an
// "outside" directory next to it for escape checks, and byte helpers.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "target/store.h"

namespace cairn::target {

inline std::span<const std::byte> AsBytes(const std::string& s) { return std::as_bytes(std::span(s)); }

class PosixStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.Path("root");
    outside_ = dir_.Path("outside");
    std::filesystem::create_directories(root_);
    std::filesystem::create_directories(outside_);
    auto store = OpenPosixStore(root_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  // Every name in a directory below the root, including hidden ones, sorted.
  std::vector<std::string> RawNames(const std::string& dir) const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(root_ + "/" + dir)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  void Put(const std::string& path, const std::string& text) {
    Status s = store_->WriteAtomic(path, AsBytes(text));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  cairn::testing::TempDirectory dir_;
  std::string root_;
  std::string outside_;
  std::unique_ptr<Store> store_;
};

}  // namespace cairn::target
