// L2Cache: a small least-recently-used cache of L2 tables, shared by readers.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace cairn::qcow2 {

// An L2 table decoded to host byte order.
using L2Table = std::vector<uint64_t>;

class L2Cache {
 public:
  // Keeps at most `capacity` tables (at least 1).
  explicit L2Cache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The table stored at host offset `offset`, or nullptr. Tables stay valid
  // for as long as the caller holds the pointer, even after eviction.
  std::shared_ptr<const L2Table> Get(uint64_t offset);
  // Inserts a table, evicting the least recently used one when full.
  void Put(uint64_t offset, std::shared_ptr<const L2Table> table);

 private:
  using Entry = std::pair<uint64_t, std::shared_ptr<const L2Table>>;
  std::mutex mu_;
  size_t capacity_;
  std::list<Entry> lru_;  // front = most recent
  std::unordered_map<uint64_t, std::list<Entry>::iterator> index_;
};

}  // namespace cairn::qcow2
