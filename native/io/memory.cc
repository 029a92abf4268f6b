#include "io/memory.h"

#include <new>
#include <thread>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace threadml {

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
constexpr std::size_t kFreeInBackground = std::size_t{64} << 20;
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

}  // namespace threadml
