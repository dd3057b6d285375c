#include "qcow2/l2_cache.h"

namespace cairn::qcow2 {

std::shared_ptr<const L2Table> L2Cache::Get(uint64_t offset) {
  std::lock_guard lock(mu_);
  auto it = index_.find(offset);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void L2Cache::Put(uint64_t offset, std::shared_ptr<const L2Table> table) {
  std::lock_guard lock(mu_);
  if (auto it = index_.find(offset); it != index_.end()) {
    it->second->second = std::move(table);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(offset, std::move(table));
  index_[offset] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

}  // namespace cairn::qcow2
