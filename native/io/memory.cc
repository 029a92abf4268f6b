#include "io/memory.h"

#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace threadml {

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kFreeInBackground = std::size_t{64} << 20;
constexpr std::size_t kCachedBytes = std::size_t{64} << 20;
constexpr std::size_t kCachedBlocks = 1024;

using Block = std::pair<std::size_t, void*>;

// Freed result blocks, oldest first; the vector never grows past its reserve, so giving a block
// back allocates nothing. Never destroyed: finalizers may still run at process exit.
struct BlockCache {
  std::mutex mutex;
  std::vector<Block> blocks;
  std::size_t bytes = 0;
  BlockCache() { blocks.reserve(kCachedBlocks); }
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;
  return *cache;
}
}  // namespace

void* allocate_large(std::size_t bytes) {
  if (bytes < kHugePage) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, rounded);
  if (p == nullptr) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  madvise(p, rounded, MADV_HUGEPAGE);  // advisory: without THP the pages are just small
#endif
  return p;
}

void free_large(void* p, std::size_t bytes) noexcept {
  if (bytes >= kFreeInBackground) {
    try {
      std::thread([p] { std::free(p); }).detach();
      return;
    } catch (...) {
      // no thread to spare: free it here
    }
  }
  std::free(p);
}

void* take_block(std::size_t bytes) {
  BlockCache& cache = block_cache();
  {
    std::lock_guard<std::mutex> lock(cache.mutex);
    for (std::size_t i = cache.blocks.size(); i-- > 0;)
      if (cache.blocks[i].first == bytes) {
        void* p = cache.blocks[i].second;
        cache.blocks.erase(cache.blocks.begin() + static_cast<std::ptrdiff_t>(i));
        cache.bytes -= bytes;
        return p;
      }
  }
  return allocate_large(bytes);
}

void give_block(void* p, std::size_t bytes) noexcept {
  if (bytes > kCachedBytes) return free_large(p, bytes);
  BlockCache& cache = block_cache();
  std::lock_guard<std::mutex> lock(cache.mutex);
  std::size_t drop = 0;
  for (; cache.bytes + bytes > kCachedBytes || cache.blocks.size() - drop == kCachedBlocks; ++drop) {
    free_large(cache.blocks[drop].second, cache.blocks[drop].first);
    cache.bytes -= cache.blocks[drop].first;
  }
  cache.blocks.erase(cache.blocks.begin(), cache.blocks.begin() + static_cast<std::ptrdiff_t>(drop));
  cache.blocks.emplace_back(bytes, p);
  cache.bytes += bytes;
}

}  // namespace threadml
